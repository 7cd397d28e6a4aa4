export * from './postgres-store';
