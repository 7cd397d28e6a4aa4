export * from './bundle-reader';
export * from './bundle-writer';
export * from './export-bundle';
