export * from './tree-hash';
export * from './subtrees';
export * from './proofs';
export * from './frontier';
export * from './memory-tree';
