import { statSync } from 'node:fs';
import { KEYS_CHAIN } from '../bodies';
import { BUNDLE_FORMAT, BundlePart, bundleString, parseBundleEntry, readBundleParts } from '../bundle/bundle-reader';
import type { LedgerSource, SourceLeaf, SourceProblem } from './source';

interface Header {
  format?: string;
  ledger?: string;
  checkpoint?: string;
  keyRecords: Uint8Array[];
}

// A cheap filter for the first pass; the record itself is checked strictly like any other.
const KEYS_CHAIN_MEMBER = Buffer.from(`"${KEYS_CHAIN}"`);

/**
 * A proof bundle (LEDGER-SPEC §6) as a verifier source. The file is read twice, as a stream:
 * once for the header and chain `keys` (which must be known before anything else is judged),
 * once for the entries.
 */
export function bundleSource(file: string): LedgerSource {
  const size = statSync(file).size;
  const problems = new Map<string, SourceProblem>();
  const problem = (p: SourceProblem) => problems.set(`${p.leaf}:${p.message}`, p);
  let read = 0;
  let header: Promise<Header> | null = null;

  const readHeader = async (): Promise<Header> => {
    const h: Header = { keyRecords: [] };
    for await (const part of readBundleParts(file)) {
      if (part.kind === 'problem') problem({ message: `bundle: ${part.message}` });
      else if (part.kind === 'member') readMember(h, part, problem);
      else for (const bytes of part.items) if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes(KEYS_CHAIN_MEMBER)) keyRecord(h, bytes);
    }
    if (h.format !== BUNDLE_FORMAT) problem({ message: `bundle: format must be "${BUNDLE_FORMAT}"` });
    if (h.ledger === undefined) problem({ message: 'bundle: ledger is missing' });
    if (h.checkpoint === undefined) problem({ message: 'bundle: checkpoint is missing' });
    return h;
  };
  const once = () => (header ??= readHeader());

  return {
    kind: 'bundle',
    problems: () => [...problems.values()],
    progress: () => (size === 0 ? 1 : Math.min(1, read / size)),
    ledger: async () => (await once()).ledger,
    checkpoints: async () => {
      const h = await once();
      return h.checkpoint === undefined ? [] : [h.checkpoint];
    },
    async *keyRecords() {
      yield* (await once()).keyRecords;
    },
    async *leaves(): AsyncIterable<SourceLeaf> {
      for await (const batch of this.leafBatches(256)) yield* batch;
    },
    async *leafBatches(size: number): AsyncIterable<SourceLeaf[]> {
      await once();
      for await (const part of readBundleParts(file, (n) => (read = n))) {
        if (part.kind === 'problem') problem({ message: `bundle: ${part.message}` });
        if (part.kind === 'entries') yield* rebatch(part.items.map((data, i) => ({ leaf: -1, data, entry: { index: part.first + i } })), size);
      }
    },
  };
}

function* rebatch<T>(items: T[], size: number): Iterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function keyRecord(h: Header, bytes: Uint8Array): void {
  try {
    h.keyRecords.push(parseBundleEntry(bytes).record);
  } catch {
    // Reported with the entries, in the second pass.
  }
}

function readMember(h: Header, part: Extract<BundlePart, { kind: 'member' }>, problem: (p: SourceProblem) => void): void {
  if (!['format', 'ledger', 'checkpoint'].includes(part.name)) return problem({ message: `bundle: unknown member "${part.name}"` });
  try {
    h[part.name as 'format' | 'ledger' | 'checkpoint'] = bundleString(part.value, part.name);
  } catch (e) {
    problem({ message: `bundle: ${(e as Error).message}` });
  }
}
