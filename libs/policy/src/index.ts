export * from './policy-document';
export * from './cel';
export * from './compiled-policy';
export * from './allowed-actions';
export * from './verdict';
export * from './policy-book';
export * from './publish';
export * from './policy-tests';
