import type { KeyRegistry } from '../key-registry';
import { LedgerAuditor } from './auditor';
import { checkLeaf } from './leaf-check';

/**
 * What chain `keys` grants, counting only entries the root validly signed: the registry a
 * service checks its own keys against before it signs anything.
 */
export async function keyRegistryOf(keyRecords: AsyncIterable<Uint8Array>, trustRoot: string, ledger?: string): Promise<KeyRegistry> {
  const auditor = new LedgerAuditor({ trustRoot, ledger, source: 'log' });
  for await (const record of keyRecords) auditor.learnKey(checkLeaf(record).check);
  return auditor.keyRegistry;
}
