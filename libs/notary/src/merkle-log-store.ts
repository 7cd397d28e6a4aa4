import { Position, positionFromString, positionToString } from '@arbiter/event-store';
import { MerkleFrontier, NodeId, NodeSource } from '@arbiter/ledger';
import type { ReadModelStore, SqlExecutor } from '@arbiter/read-models';

const LOG = 'ledger';
const HASH = 32;

/** A leaf as the notary records it: which entry it is. */
export interface LeafInfo {
  index: number;
  chain: string;
  seq: number;
  recordHash: string;
}

export interface MerkleLogState {
  size: number;
  /** Store position of the last event folded in, or 'start'. */
  position: Position | 'start';
  frontier: MerkleFrontier;
}

export interface NewNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

const bytes = (value: unknown) => (value instanceof Uint8Array ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(0));

/** The persisted Merkle log: complete subtrees, leaves, and the notary's position in the store. */
export class MerkleLogStore implements NodeSource {
  constructor(private readonly db: ReadModelStore) {}

  async load(db: SqlExecutor = this.db): Promise<MerkleLogState> {
    const [row] = await db.query<{ size: number; position: string; edge: Uint8Array }>('SELECT size, position, edge FROM notary_state WHERE log = $1', [LOG]);
    if (!row) return { size: 0, position: 'start', frontier: new MerkleFrontier() };
    const edge = bytes(row.edge);
    const stack = Array.from({ length: edge.length / HASH }, (_, i) => edge.slice(i * HASH, (i + 1) * HASH));
    return { size: Number(row.size), position: row.position === 'start' ? 'start' : positionFromString(row.position), frontier: new MerkleFrontier(Number(row.size), stack) };
  }

  /** The number of leaves folded in (committed). */
  async size(): Promise<number> {
    const [row] = await this.db.query<{ size: number }>('SELECT size FROM notary_state WHERE log = $1', [LOG]);
    return row ? Number(row.size) : 0;
  }

  /** Appends a batch in the caller's transaction: its leaves, every subtree they complete, and the new state. */
  async append(tx: SqlExecutor, leaves: LeafInfo[], nodes: NewNode[], state: { frontier: MerkleFrontier; position: Position }): Promise<void> {
    for (let i = 0; i < nodes.length; i += 1000) {
      const chunk = nodes.slice(i, i + 1000);
      await tx.query(
        `INSERT INTO merkle_nodes (level, idx, hash) VALUES ${chunk.map((_, j) => `($${3 * j + 1}, $${3 * j + 2}, $${3 * j + 3})`).join(', ')}`,
        chunk.flatMap((n) => [n.level, n.index, n.hash]),
      );
    }
    for (let i = 0; i < leaves.length; i += 1000) {
      const chunk = leaves.slice(i, i + 1000);
      await tx.query(
        `INSERT INTO merkle_leaves (idx, chain, seq, record_hash) VALUES ${chunk.map((_, j) => `($${4 * j + 1}, $${4 * j + 2}, $${4 * j + 3}, $${4 * j + 4})`).join(', ')}`,
        chunk.flatMap((l) => [l.index, l.chain, l.seq, l.recordHash]),
      );
    }
    await tx.query(
      `INSERT INTO notary_state (log, size, position, edge) VALUES ($1, $2, $3, $4)
       ON CONFLICT (log) DO UPDATE SET size = excluded.size, position = excluded.position, edge = excluded.edge`,
      [LOG, state.frontier.size, positionToString(state.position), Buffer.concat(state.frontier.edge)],
    );
  }

  async nodes(ids: NodeId[]): Promise<Uint8Array[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<{ level: number; idx: number; hash: Uint8Array }>(
      `SELECT level, idx, hash FROM merkle_nodes WHERE (level, idx) IN (${ids.map((_, i) => `($${2 * i + 1}::smallint, $${2 * i + 2}::bigint)`).join(', ')})`,
      ids.flatMap((id) => [id.level, id.index.toString()]),
    );
    const found = new Map(rows.map((r) => [`${r.level}/${r.idx}`, bytes(r.hash)]));
    return ids.map((id) => {
      const hash = found.get(`${id.level}/${id.index}`);
      if (!hash) throw new RangeError(`the Merkle log has no subtree at level ${id.level}, index ${id.index}`);
      return hash;
    });
  }

  async leaf(index: number): Promise<LeafInfo | null> {
    const [row] = await this.db.query<{ idx: number; chain: string; seq: number; record_hash: string }>('SELECT idx, chain, seq, record_hash FROM merkle_leaves WHERE idx = $1', [index]);
    return row ? { index: Number(row.idx), chain: row.chain, seq: Number(row.seq), recordHash: row.record_hash } : null;
  }

  async leafOf(chain: string, seq: number): Promise<LeafInfo | null> {
    const [row] = await this.db.query<{ idx: number; chain: string; seq: number; record_hash: string }>('SELECT idx, chain, seq, record_hash FROM merkle_leaves WHERE chain = $1 AND seq = $2', [chain, seq]);
    return row ? { index: Number(row.idx), chain: row.chain, seq: Number(row.seq), recordHash: row.record_hash } : null;
  }

  /** Forgets the whole log, so the notary rebuilds it from the store's first record. */
  async reset(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM merkle_nodes');
      await tx.query('DELETE FROM merkle_leaves');
      await tx.query('DELETE FROM notary_state');
    });
  }
}
