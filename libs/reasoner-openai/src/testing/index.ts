export * from './fixture-server';
export * from './responses';
