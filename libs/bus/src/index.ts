export * from './bus';
export * from './dead-letter';
export * from './prefixed-bus';
export * from './supervise';
