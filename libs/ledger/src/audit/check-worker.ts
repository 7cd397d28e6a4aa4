import { parentPort } from 'node:worker_threads';
import { parseBundleEntry } from '../bundle/bundle-reader';
import { LedgerError } from '../errors';
import { checkLeaf, LeafCheck } from './leaf-check';
import { PackedChecks, packChecks } from './packed-checks';

/**
 * A batch packed in one transferable buffer: stored records, or (`entries`) whole elements of
 * a bundle's `entries`, which the worker parses too so the reading thread only finds their ends.
 */
export interface CheckRequest {
  id: number;
  entries: boolean;
  bytes: ArrayBuffer;
  /** Item i is bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
}

/** What a bundle entry says besides its record: its leaf and proof, or why it cannot be read. */
export interface EntryParts {
  /** NaN where the entry could not be read. */
  leaf: Float64Array;
  proofs: [number, string[]][];
  problems: [number, string][];
}

export interface CheckResponse {
  id: number;
  checks: PackedChecks;
  /** 32 bytes per item: the leaf hashes, in order. */
  leafHashes: ArrayBuffer;
  entries: EntryParts | null;
}

export interface CheckedItems {
  checks: LeafCheck[];
  leafHashes: Uint8Array;
  entries: EntryParts | null;
}

export function checkBatch(request: CheckRequest): CheckedItems {
  // A Buffer, so that each record is one too and the scan reads text from it without a view of its own.
  const bytes = Buffer.from(request.bytes);
  const count = request.offsets.length - 1;
  const leafHashes = new Uint8Array(32 * count);
  const checks = new Array<LeafCheck>(count);
  const entries: EntryParts | null = request.entries ? { leaf: new Float64Array(count).fill(NaN), proofs: [], problems: [] } : null;
  for (let i = 0; i < count; i++) {
    let record: Uint8Array = bytes.subarray(request.offsets[i], request.offsets[i + 1]);
    if (entries) {
      try {
        const entry = parseBundleEntry(record);
        entries.leaf[i] = entry.leaf;
        if (entry.proof) entries.proofs.push([i, entry.proof.map((h) => Buffer.from(h).toString('base64'))]);
        record = entry.record;
      } catch (e) {
        if (!(e instanceof LedgerError)) throw e;
        entries.problems.push([i, e.message]);
      }
    }
    const { check, leafHash } = checkLeaf(record);
    checks[i] = check;
    leafHashes.set(leafHash, 32 * i);
  }
  return { checks, leafHashes, entries };
}

// Loaded as a worker thread's entry point by CheckPool; imported elsewhere, it only exports.
if (parentPort && process.env.ARBITER_CHECK_WORKER === '1') {
  const port = parentPort;
  port.on('message', (request: CheckRequest) => {
    const { checks, leafHashes, entries } = checkBatch(request);
    const response: CheckResponse = { id: request.id, checks: packChecks(checks), leafHashes: leafHashes.buffer as ArrayBuffer, entries };
    const c = response.checks;
    port.postMessage(response, [response.leafHashes, ...[c.seq, c.flags, c.ledger.index, c.type.index, c.signer.index].map((a) => a.buffer as ArrayBuffer)]);
  });
}
