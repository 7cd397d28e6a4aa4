export * from './catalog';
export * from './rebuild';
