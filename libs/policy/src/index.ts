export * from './policy-document';
export * from './verdict';
export * from './policy-book';
export * from './publish';
