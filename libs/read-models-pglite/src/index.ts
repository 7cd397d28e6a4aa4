export * from './pglite-store';
