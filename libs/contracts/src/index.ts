export * from './cloud-event';
export * from './domain-events';
export * from './decision-event';
export * from './parse';
export * from './json-schema';
