export * from './bundle-reader';
export * from './bundle-writer';
