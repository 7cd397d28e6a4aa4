import type { Migration } from '@arbiter/read-models';

/**
 * The read-model schema. PostgreSQL dialect, run unchanged by PGlite and PostgreSQL.
 * Released migrations are never edited; changes come as new ones.
 */
export const memoryMigrations: Migration[] = [
  {
    id: '0001-memory-and-audit',
    sql: `
CREATE TABLE projection_checkpoints (
  projection TEXT PRIMARY KEY,
  position   TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE projection_offsets (
  projection  TEXT    NOT NULL,
  topic       TEXT    NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset BIGINT  NOT NULL,
  PRIMARY KEY (projection, topic, partition)
);
CREATE TABLE seen_events (
  event_id TEXT PRIMARY KEY
);
CREATE TABLE customers (
  customer_id          TEXT PRIMARY KEY,
  country              TEXT,
  segment              TEXT,
  registered_at        TIMESTAMPTZ,
  first_seen           TIMESTAMPTZ NOT NULL,
  last_seen            TIMESTAMPTZ NOT NULL,
  events_count         INTEGER NOT NULL DEFAULT 0,
  orders_count         INTEGER NOT NULL DEFAULT 0,
  lifetime_value_cents BIGINT  NOT NULL DEFAULT 0,
  payments_failed      INTEGER NOT NULL DEFAULT 0,
  payments_succeeded   INTEGER NOT NULL DEFAULT 0,
  deliveries_on_time   INTEGER NOT NULL DEFAULT 0,
  deliveries_late      INTEGER NOT NULL DEFAULT 0,
  disputes_opened      INTEGER NOT NULL DEFAULT 0,
  usage_reports        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE customer_orders (
  order_id       TEXT PRIMARY KEY,
  customer_id    TEXT        NOT NULL,
  total_cents    BIGINT      NOT NULL,
  currency       TEXT        NOT NULL,
  ship_country   TEXT        NOT NULL,
  item_count     INTEGER     NOT NULL,
  placed_at      TIMESTAMPTZ NOT NULL,
  status         TEXT        NOT NULL,
  warehouse_id   TEXT,
  delivered_days INTEGER
);
CREATE INDEX customer_orders_by_customer ON customer_orders (customer_id, placed_at DESC);
CREATE TABLE customer_events (
  customer_id TEXT        NOT NULL,
  event_id    TEXT        NOT NULL,
  type        TEXT        NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  summary     JSONB       NOT NULL,
  PRIMARY KEY (customer_id, event_id)
);
CREATE INDEX customer_events_recent ON customer_events (customer_id, occurred_at DESC);
CREATE TABLE usage_totals (
  account_id      TEXT        NOT NULL,
  metric          TEXT        NOT NULL,
  total           BIGINT      NOT NULL,
  last_value      BIGINT      NOT NULL,
  last_period_end TIMESTAMPTZ NOT NULL,
  reports         INTEGER     NOT NULL,
  PRIMARY KEY (account_id, metric)
);
CREATE TABLE inventory_levels (
  warehouse_id TEXT        NOT NULL,
  sku          TEXT        NOT NULL,
  on_hand      BIGINT      NOT NULL,
  updated_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (warehouse_id, sku)
);
CREATE TABLE decisions (
  decision_id      TEXT PRIMARY KEY,
  customer_id      TEXT        NOT NULL,
  decision_point   TEXT        NOT NULL,
  outcome          TEXT        NOT NULL,
  action           JSONB,
  subject_ref      TEXT,
  trigger_event_id TEXT        NOT NULL,
  trigger_type     TEXT        NOT NULL,
  policy_id        TEXT,
  policy_version   INTEGER,
  reasoner_kind    TEXT,
  chain            TEXT        NOT NULL,
  seq              BIGINT      NOT NULL,
  hash             TEXT        NOT NULL,
  position         BIGINT      NOT NULL,
  decided_at       TIMESTAMPTZ NOT NULL,
  result           TEXT,
  record           TEXT        NOT NULL
);
CREATE INDEX decisions_by_customer ON decisions (customer_id, position DESC);
CREATE INDEX decisions_by_subject_ref ON decisions (subject_ref);
CREATE INDEX decisions_by_position ON decisions (position DESC);
CREATE TABLE chain_heads (
  chain      TEXT PRIMARY KEY,
  seq        BIGINT      NOT NULL,
  hash       TEXT        NOT NULL,
  entry_type TEXT        NOT NULL,
  entries    BIGINT      NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    // What payment, SaaS and dispute decisions need: event-level histories, so a decision can
    // see trends and streaks as of its trigger (the trigger itself excluded).
    id: '0002-payment-usage-dispute-history',
    sql: `
CREATE TABLE payment_history (
  event_id     TEXT PRIMARY KEY,
  customer_id  TEXT        NOT NULL,
  payment_id   TEXT        NOT NULL,
  order_id     TEXT,
  amount_cents BIGINT      NOT NULL,
  outcome      TEXT        NOT NULL,
  reason       TEXT,
  attempt      INTEGER,
  occurred_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_history_by_customer ON payment_history (customer_id, occurred_at DESC);
CREATE TABLE usage_history (
  event_id     TEXT PRIMARY KEY,
  account_id   TEXT        NOT NULL,
  metric       TEXT        NOT NULL,
  value        BIGINT      NOT NULL,
  period_start TIMESTAMPTZ NOT NULL,
  period_end   TIMESTAMPTZ NOT NULL
);
CREATE INDEX usage_history_by_account ON usage_history (account_id, metric, period_end DESC);
CREATE TABLE dispute_history (
  dispute_id   TEXT PRIMARY KEY,
  event_id     TEXT        NOT NULL,
  buyer_id     TEXT        NOT NULL,
  seller_id    TEXT        NOT NULL,
  order_id     TEXT        NOT NULL,
  amount_cents BIGINT      NOT NULL,
  reason       TEXT        NOT NULL,
  opened_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX dispute_history_by_buyer ON dispute_history (buyer_id, opened_at DESC);
CREATE INDEX dispute_history_by_seller ON dispute_history (seller_id, opened_at DESC);
`,
  },
  {
    // Escalated decisions waiting for a human, and what the human (or the timeout) said.
    id: '0003-review-queue',
    sql: `
CREATE TABLE review_queue (
  decision_id      TEXT PRIMARY KEY,
  customer_id      TEXT        NOT NULL,
  decision_point   TEXT        NOT NULL,
  chain            TEXT        NOT NULL,
  seq              BIGINT      NOT NULL,
  hash             TEXT        NOT NULL,
  policy_id        TEXT        NOT NULL,
  policy_version   INTEGER     NOT NULL,
  policy_digest    TEXT        NOT NULL,
  trigger_event_id TEXT        NOT NULL,
  trigger_type     TEXT        NOT NULL,
  rules            JSONB       NOT NULL,
  proposal         JSONB,
  pending_action   JSONB       NOT NULL,
  pending_outcome  TEXT        NOT NULL,
  escalated_at     TIMESTAMPTZ NOT NULL,
  due_at           TIMESTAMPTZ NOT NULL,
  status           TEXT        NOT NULL,
  verdict          TEXT,
  reviewer         TEXT,
  note             TEXT,
  final_action     JSONB,
  final_outcome    TEXT,
  timed_out        BOOLEAN,
  review_seq       BIGINT,
  review_hash      TEXT,
  reviewed_at      TIMESTAMPTZ
);
CREATE INDEX review_queue_by_status ON review_queue (status, due_at);
`,
  },
  {
    // Rows updated in place (a customer's totals on every batch, a chain's head on every
    // decision) get room on their own page: the new version goes there without a new index
    // entry (a HOT update) and the old one is pruned when the page is next read. Measured on the
    // embedded engine, which has no autovacuum: upserts 1.5-1.9x faster, tables a quarter the size.
    id: '0004-room-for-updates-in-place',
    sql: `
ALTER TABLE customers SET (fillfactor = 70);
ALTER TABLE usage_totals SET (fillfactor = 70);
ALTER TABLE inventory_levels SET (fillfactor = 70);
ALTER TABLE chain_heads SET (fillfactor = 70);
ALTER TABLE projection_checkpoints SET (fillfactor = 70);
ALTER TABLE projection_offsets SET (fillfactor = 70);
ALTER TABLE customer_orders SET (fillfactor = 90);
ALTER TABLE decisions SET (fillfactor = 90);
`,
  },
  {
    // The histories are read newest first for one customer (or account and metric), and each
    // event's row is written once (memory claims its event id first). So each is keyed by the
    // order it is read in, and needs no second index: half the index entries per event.
    id: '0005-histories-keyed-by-read-order',
    sql: `
ALTER TABLE customer_events DROP CONSTRAINT customer_events_pkey;
ALTER TABLE customer_events ADD PRIMARY KEY (customer_id, occurred_at, event_id);
DROP INDEX customer_events_recent;
ALTER TABLE payment_history DROP CONSTRAINT payment_history_pkey;
ALTER TABLE payment_history ADD PRIMARY KEY (customer_id, occurred_at, event_id);
DROP INDEX payment_history_by_customer;
ALTER TABLE usage_history DROP CONSTRAINT usage_history_pkey;
ALTER TABLE usage_history ADD PRIMARY KEY (account_id, metric, period_end, event_id);
DROP INDEX usage_history_by_account;
`,
  },
];
