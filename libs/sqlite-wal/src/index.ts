export * from './wal-sync';
