export * from './migrations';
export * from './domain-projection';
export * from './ledger-projection';
export * from './memory-reader';
export * from './audit-reader';
export * from './projectors';
export * from './store-projection-runner';
export * from './checkpoints';
