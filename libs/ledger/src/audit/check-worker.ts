import { parentPort } from 'node:worker_threads';
import { checkLeaf, LeafCheck } from './leaf-check';

/** A batch of stored records, packed in one transferable buffer. */
export interface CheckRequest {
  id: number;
  bytes: ArrayBuffer;
  /** Record i is bytes[offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
}

export interface CheckResponse {
  id: number;
  checks: LeafCheck[];
  /** 32 bytes per record: the leaf hashes, in order. */
  leafHashes: ArrayBuffer;
}

export function checkBatch(request: CheckRequest): CheckResponse {
  const bytes = new Uint8Array(request.bytes);
  const count = request.offsets.length - 1;
  const leafHashes = new Uint8Array(32 * count);
  const checks = new Array<LeafCheck>(count);
  for (let i = 0; i < count; i++) {
    const { check, leafHash } = checkLeaf(bytes.subarray(request.offsets[i], request.offsets[i + 1]));
    checks[i] = check;
    leafHashes.set(leafHash, 32 * i);
  }
  return { id: request.id, checks, leafHashes: leafHashes.buffer };
}

// Loaded as a worker thread's entry point by CheckPool; imported elsewhere, it only exports.
if (parentPort && process.env.ARBITER_CHECK_WORKER === '1') {
  const port = parentPort;
  port.on('message', (request: CheckRequest) => {
    const response = checkBatch(request);
    port.postMessage(response, [response.leafHashes]);
  });
}
