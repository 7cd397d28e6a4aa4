import type { Migration } from '@arbiter/read-models';

/**
 * The Merkle log in the read-model store: every complete subtree hash (level 0 = the leaves),
 * what each leaf is, and where the notary stands. It lives beside the other read models for
 * the same reasons they do: the projector writes it in one transaction with its checkpoint (so a
 * crash never leaves half a batch), the gateway reads it from any process (PostgreSQL in the
 * distributed mode), and it is a projection of the store — drop it and it is rebuilt from leaf 0.
 */
export const notaryMigrations: Migration[] = [
  {
    id: 'notary-0001-merkle-log',
    sql: `
CREATE TABLE merkle_nodes (
  level SMALLINT NOT NULL,
  idx   BIGINT   NOT NULL,
  hash  BYTEA    NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE merkle_leaves (
  idx         BIGINT PRIMARY KEY,
  chain       TEXT   NOT NULL,
  seq         BIGINT NOT NULL,
  record_hash TEXT   NOT NULL
);
CREATE INDEX merkle_leaves_by_entry ON merkle_leaves (chain, seq);
CREATE TABLE notary_state (
  log      TEXT PRIMARY KEY,
  size     BIGINT NOT NULL,
  position TEXT   NOT NULL,
  edge     BYTEA  NOT NULL
);
`,
  },
];
