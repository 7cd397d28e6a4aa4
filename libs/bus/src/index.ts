export * from './bus';
export * from './dead-letter';
