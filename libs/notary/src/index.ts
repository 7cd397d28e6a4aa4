export * from './migrations';
export * from './merkle-log-store';
export * from './checkpoint-log';
export * from './notary';
export * from './ledger-proofs';
