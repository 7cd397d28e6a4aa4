export * from './read-model-store';
export * from './copy-text';
