export * from './signed-note';
export * from './checkpoint';
