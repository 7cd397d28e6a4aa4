export * from './bus-context';
export * from './bus-transport';
export * from './reasoner-transport';
export * from './connect-reasoner';
