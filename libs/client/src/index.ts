export * from './arbiter-client';
