export * from './file-key-store';
