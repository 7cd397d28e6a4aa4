export { startEsdbLite } from './esdb-lite';
export type { EsdbLite, EsdbLiteOptions } from './esdb-lite';
