export * from './simulator';
export * from './publish';
export * from './random';
export * from './story';
export { WAREHOUSES, SKUS } from './world';
