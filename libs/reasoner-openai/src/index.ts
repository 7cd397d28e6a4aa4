export * from './openai-reasoner';
export * from './budget';
export * from './concurrency';
export * from './backoff';
