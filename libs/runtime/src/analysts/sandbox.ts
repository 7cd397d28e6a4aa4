import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EventStore } from '@arbiter/event-store';
import { SqliteEventStore } from '@arbiter/event-store-sqlite';
import { canonicalize } from '@arbiter/ledger';
import { memoryMigrations } from '@arbiter/memory';
import type { ReadModelStore } from '@arbiter/read-models';
import { PgliteReadModelStore } from '@arbiter/read-models-pglite';
import { OpenAiReasoner } from '@arbiter/reasoner-openai';
import type { Reasoner } from '@arbiter/reasoning';
import type { RunParameters } from '@arbiter/replay';
import type { Logger } from '@arbiter/telemetry';
import { openLedgerStore } from '../audit-store';
import type { ArbiterConfig } from '../config';
import { redactedEndpoint } from '../platform';

/**
 * Where a replay keeps its own state unless told otherwise: a directory under the OS temp
 * directory named after what the run is (its data, policies, filters and reasoner), so running
 * the same replay again with --resume finds it.
 */
export function defaultReplaySandbox(parameters: RunParameters): string {
  const key = createHash('sha256').update(canonicalize(parameters as never)).digest('hex').slice(0, 16);
  return join(tmpdir(), 'arbiter-replay', key);
}

/** A replay's sandbox: a directory of its own with an embedded event store for the run's journal. */
export interface ReplaySandbox {
  dir: string;
  journal: EventStore;
  close(): Promise<void>;
  /** Removes the directory and everything in it. */
  discard(): Promise<void>;
}

/** Opens (fresh: emptied first, or as left, to resume) a replay sandbox. */
export function openReplaySandbox(dir: string, mode: 'fresh' | 'resume'): ReplaySandbox {
  const path = resolve(dir);
  if (mode === 'fresh') rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const journal = new SqliteEventStore(join(path, 'journal.db'), { synchronous: 'NORMAL' });
  let closed = false;
  const close = async () => {
    if (!closed) await journal.close();
    closed = true;
  };
  return { dir: path, journal, close, discard: async () => (await close(), rmSync(path, { recursive: true, force: true })) };
}

/** A throwaway read-model database (the embedded engine, migrated) in a temporary directory of its own. */
export async function openScratchReadModels(): Promise<{ dir: string; readModels: ReadModelStore; discard(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-memory-as-of-'));
  const readModels = await PgliteReadModelStore.open(join(dir, 'read-models'));
  try {
    await readModels.migrate(memoryMigrations);
  } catch (e) {
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, readModels, discard: async () => (await readModels.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** The model behind OPENAI_BASE_URL, for replays that ask it again; null when none is configured. */
export function replayModelReasoner(config: ArbiterConfig, logger: Logger): Reasoner | null {
  if (!config.openaiBaseUrl) return null;
  return new OpenAiReasoner({ baseURL: config.openaiBaseUrl, apiKey: config.openaiApiKey, logger });
}

/** The store an analyst reads (a data directory's embedded store, or EventStoreDB), and how to name it in reports. */
export function openAnalystStore(options: { data?: string; esdb?: string }, config: ArbiterConfig): { store: EventStore; source: string } {
  if (options.esdb !== undefined) return { store: openLedgerStore({ esdb: options.esdb }), source: `esdb:${redactedEndpoint(options.esdb)}` };
  const data = resolve(options.data ?? config.dataDir);
  return { store: openLedgerStore({ data }), source: `data:${data}` };
}
