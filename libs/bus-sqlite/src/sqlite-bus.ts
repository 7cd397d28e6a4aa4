import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Batch, Bus, BusMessage, ConsumeOptions, Consumer, DEDUPE_HEADER, OutgoingMessage, TopicSpec } from '@arbiter/bus';
import { WalSync } from '@arbiter/sqlite-wal';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS partitions (
  topic       TEXT    NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  topic     TEXT    NOT NULL,
  partition INTEGER NOT NULL,
  offset    INTEGER NOT NULL,
  key       TEXT,
  value     BLOB    NOT NULL,
  headers   TEXT    NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (topic, partition, offset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
  grp       TEXT    NOT NULL,
  topic     TEXT    NOT NULL,
  partition INTEGER NOT NULL,
  offset    INTEGER NOT NULL,
  PRIMARY KEY (grp, topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dedupe (
  topic TEXT NOT NULL,
  key   TEXT NOT NULL,
  PRIMARY KEY (topic, key)
) WITHOUT ROWID;
`;

interface MessageRow {
  offset: bigint;
  key: string | null;
  value: Buffer;
  headers: string;
  timestamp: bigint;
}

const DEFAULT_PARTITIONS = 4;
const POLL_MS = 200;

/** A stable partition for a key (SHA-256, so every process agrees). */
export function partitionFor(key: string, partitions: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % partitions;
}

/**
 * The all-in-one bus: a durable, partitioned log in SQLite with consumer-group offsets. It
 * gives the in-process mode Kafka's guarantees — per-key order, at-least-once delivery,
 * offsets committed after the handler — on one machine.
 */
export class SqliteBus implements Bus {
  private readonly db: Database.Database;
  private readonly published = new EventEmitter();
  private readonly consumers = new Set<Consumer>();
  private closed = false;
  private readonly sql;
  private readonly walSync: WalSync;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Commits only write; a publish is acknowledged after WalSync has made it durable, off the
    // event loop. Offset commits are not synced: losing one to a power cut only redelivers.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.db.defaultSafeIntegers(true);
    this.published.setMaxListeners(0);
    this.walSync = new WalSync(`${file}-wal`);
    this.sql = {
      partitions: this.db.prepare<[string], { partition: bigint; next_offset: bigint }>('SELECT partition, next_offset FROM partitions WHERE topic = ? ORDER BY partition'),
      addPartition: this.db.prepare('INSERT OR IGNORE INTO partitions (topic, partition) VALUES (?, ?)'),
      bump: this.db.prepare<[string, number], { offset: bigint }>('UPDATE partitions SET next_offset = next_offset + 1 WHERE topic = ? AND partition = ? RETURNING next_offset - 1 AS offset'),
      insert: this.db.prepare('INSERT INTO messages (topic, partition, offset, key, value, headers, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      dedupe: this.db.prepare('INSERT OR IGNORE INTO dedupe (topic, key) VALUES (?, ?)'),
      committed: this.db.prepare<[string, string, number], { offset: bigint }>('SELECT offset FROM group_offsets WHERE grp = ? AND topic = ? AND partition = ?'),
      commit: this.db.prepare('INSERT INTO group_offsets (grp, topic, partition, offset) VALUES (?, ?, ?, ?) ON CONFLICT (grp, topic, partition) DO UPDATE SET offset = excluded.offset'),
      fetch: this.db.prepare<[string, number, bigint, number], MessageRow>('SELECT offset, key, value, headers, timestamp FROM messages WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?'),
    };
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.db.transaction(() => {
      for (const t of topics) this.createTopic(t.name, t.partitions);
    })();
  }

  private createTopic(name: string, partitions: number): number {
    const existing = this.sql.partitions.all(name).length;
    if (existing > 0) return existing;
    for (let p = 0; p < partitions; p++) this.sql.addPartition.run(name, p);
    return partitions;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen();
    if (messages.length === 0) return;
    const now = Date.now();
    this.db.transaction(() => {
      const partitions = this.createTopic(topic, DEFAULT_PARTITIONS);
      for (const m of messages) {
        const dedupeKey = m.headers?.[DEDUPE_HEADER];
        if (dedupeKey !== undefined && this.sql.dedupe.run(topic, dedupeKey).changes === 0) continue;
        const partition = partitionFor(m.key, partitions);
        const { offset } = this.sql.bump.get(topic, partition)!;
        const value = typeof m.value === 'string' ? Buffer.from(m.value, 'utf8') : Buffer.from(m.value);
        this.sql.insert.run(topic, partition, offset, m.key, value, JSON.stringify(m.headers ?? {}), now);
      }
    })();
    await this.walSync.sync();
    this.published.emit('publish', topic);
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    this.assertOpen();
    const max = options.maxBatchSize ?? 500;
    let running = true;
    const wakers = new Set<() => void>();
    const onPublish = (topic: string) => {
      if (options.topics.includes(topic)) for (const wake of wakers) wake();
    };
    this.published.on('publish', onPublish);

    const pollPartition = async (topic: string, partition: number): Promise<void> => {
      while (running && !this.closed) {
        const row = this.sql.committed.get(options.group, topic, partition);
        const from = row ? BigInt(row.offset) : 0n;
        const rows = this.sql.fetch.all(topic, partition, from, max);
        if (rows.length > 0) {
          const batch: Batch = { topic, partition, messages: rows.map((r) => this.toMessage(topic, partition, r)) };
          await options.eachBatch(batch);
          // Kafka's rule: the committed offset is the next one to read, one past the last handled.
          if (!this.closed) this.sql.commit.run(options.group, topic, partition, batch.messages[batch.messages.length - 1].offset + 1n);
          continue;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            wakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, POLL_MS);
          wakers.add(wake);
        });
      }
    };

    await this.ensureTopics(options.topics.map((name) => ({ name, partitions: DEFAULT_PARTITIONS })));
    const loops = options.topics.flatMap((topic) => this.sql.partitions.all(topic).map((p) => pollPartition(topic, Number(p.partition))));
    const done = Promise.all(loops).then(
      () => undefined,
      (error) => {
        running = false;
        throw error;
      },
    );
    const consumer: Consumer = {
      done,
      stop: async () => {
        running = false;
        for (const wake of wakers) wake();
        await done.catch(() => undefined);
        this.published.off('publish', onPublish);
        this.consumers.delete(consumer);
      },
    };
    done.catch(() => this.published.off('publish', onPublish));
    this.consumers.add(consumer);
    return consumer;
  }

  async lag(group: string, topics: string[]): Promise<bigint> {
    let lag = 0n;
    for (const topic of topics) {
      for (const p of this.sql.partitions.all(topic)) {
        const committed = this.sql.committed.get(group, topic, Number(p.partition));
        lag += BigInt(p.next_offset) - (committed ? BigInt(committed.offset) : 0n);
      }
    }
    return lag;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.closed = true;
    await this.walSync.close();
    this.db.close();
  }

  private toMessage(topic: string, partition: number, r: MessageRow): BusMessage {
    return {
      topic,
      partition,
      offset: BigInt(r.offset),
      key: r.key,
      value: new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength),
      headers: JSON.parse(r.headers) as Record<string, string>,
      timestamp: new Date(Number(r.timestamp)),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the bus is closed');
  }
}
