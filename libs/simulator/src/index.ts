export * from './simulator';
export * from './publish';
export * from './random';
export { WAREHOUSES, SKUS } from './world';
