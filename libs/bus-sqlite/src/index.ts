export * from './sqlite-bus';
