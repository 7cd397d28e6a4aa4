export * from './read-model-store';
