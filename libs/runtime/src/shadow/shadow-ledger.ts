import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '@arbiter/event-store';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { ChainWriter, Signer } from '@arbiter/ledger';
import { PolicyBook, publishPolicies } from '@arbiter/policy';
import { registerServiceKey } from '../key-ring';
import type { Platform } from '../platform';

/** The shadow ledger's id: the live one's with `.shadow`, so the two can never be mistaken for each other. */
export function shadowLedgerId(ledgerId: string): string {
  return `${ledgerId.slice(0, 63 - '.shadow'.length)}.shadow`;
}

export interface ShadowLedger {
  dir: string;
  ledgerId: string;
  store: EventStore;
  writer: ChainWriter;
  signer: Signer;
  /** The did:key its chain `keys` is signed by: what `arbiter audit verify --data <dir> --trust` takes. */
  rootDid: string;
}

/**
 * The shadow ledger: its own embedded event store under `<data>/shadow`, its own ledger id, its
 * own keys (a `shadow-root` that registers the `shadow` key in the shadow chain `keys`), and the
 * shadow policies published in its chain `policies`. Nothing in it is relayed or executed, and
 * it is verifiable like the live ledger.
 */
export async function openShadowLedger(platform: Platform, policies: PolicyBook): Promise<ShadowLedger> {
  const dir = join(platform.dataDir, 'shadow');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const store = new SqliteEventStore(join(dir, 'events.db'));
  try {
    const ledgerId = shadowLedgerId(platform.config.ledgerId);
    const writer = new ChainWriter(store, ledgerId, platform.clock);
    const root = await platform.keys.signer('shadow-root');
    const signer = await platform.keys.signer('shadow');
    writeFileSync(join(dir, 'root.did'), root.did + '\n');
    await registerServiceKey(writer, root, signer, ['decide', 'policy'], platform.clock.now());
    await publishPolicies(writer, signer, policies.all());
    return { dir, ledgerId, store, writer, signer, rootDid: root.did };
  } catch (e) {
    await store.close();
    throw e;
  }
}
