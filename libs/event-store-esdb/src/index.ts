export { EsdbEventStore } from './esdb-event-store';
export type { EsdbEventStoreOptions } from './esdb-event-store';
export type { ReconnectPolicy } from './catch-up-subscription';
