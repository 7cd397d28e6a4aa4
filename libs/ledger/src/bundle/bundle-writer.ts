import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { BUNDLE_FORMAT } from './bundle-reader';

export interface BundleHeader {
  ledger: string;
  /** The signed checkpoint note every entry is covered by. */
  checkpoint: string;
}

export interface BundleEntryOut {
  leaf: number;
  /** The record exactly as stored: what the auditor verifies is what the store holds. */
  record: Uint8Array;
  proof?: Uint8Array[];
}

/** Writes an `arbiter.bundle/1` document (LEDGER-SPEC §6) as a stream, one entry per line. */
export async function writeBundle(file: string, header: BundleHeader, entries: AsyncIterable<BundleEntryOut>): Promise<number> {
  const out = createWriteStream(file, { mode: 0o644 });
  let failed: Error | null = null;
  out.on('error', (e) => (failed ??= e));
  const write = async (chunk: string | Uint8Array) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  let count = 0;
  try {
    await write(`{"format":${JSON.stringify(BUNDLE_FORMAT)},"ledger":${JSON.stringify(header.ledger)},"checkpoint":${JSON.stringify(header.checkpoint)},"entries":[`);
    for await (const entry of entries) {
      await write(`${count ? ',' : ''}\n{"leaf":${entry.leaf},"record":`);
      await write(entry.record);
      await write(entry.proof ? `,"proof":${JSON.stringify(entry.proof.map((p) => Buffer.from(p).toString('base64')))}}` : '}');
      count++;
    }
    await write('\n]}\n');
  } finally {
    out.end();
    if (!out.closed) await once(out, 'close');
  }
  if (failed) throw failed;
  return count;
}
