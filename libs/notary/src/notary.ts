import { Bus, DEDUPE_HEADER } from '@arbiter/bus';
import { EventStore, Position, StoredEvent, Subscription, WrongExpectedVersionError } from '@arbiter/event-store';
import {
  CHECKPOINTS_TOPIC, Checkpoint, LEDGER_EVENT_TYPE_PREFIX, MerkleFrontier, Signer, checkpointOrigin, hashesEqual, ledgerLeaf, parseCheckpoint,
  rootBase64, signCheckpoint,
} from '@arbiter/ledger';
import type { Lease, ReadModelStore } from '@arbiter/read-models';
import { Logger, silentLogger } from '@arbiter/telemetry';
import { appendCheckpoint, latestCheckpoint } from './checkpoint-log';
import { LeafInfo, MerkleLogStore, NewNode } from './merkle-log-store';

export const NOTARY_LEASE = 'notary';

export interface NotaryOptions {
  store: EventStore;
  readModels: ReadModelStore;
  bus: Bus;
  ledger: string;
  /** A key registered with role `checkpoint`; its name is the note's key name. */
  signer: Signer;
  logger?: Logger;
  /** How often a checkpoint is signed while entries arrive. */
  intervalMs?: number;
}

/** The notary refused to go on: the log and its own earlier checkpoints disagree, or the store was replaced. */
export class NotaryError extends Error {
  constructor(
    readonly code: 'log-diverged' | 'store-replaced' | 'lease-lost',
    message: string,
  ) {
    super(message);
    this.name = 'NotaryError';
  }
}

const isFatal = (error: Error | null) => error instanceof NotaryError && error.code !== 'lease-lost';

const FLUSH_EVERY = 500;
const FLUSH_AFTER_MS = 20;
const LEASE_RETRY_MS = 2_000;

/**
 * Folds every ledger record, in the store's global commit order, into one RFC 9162 Merkle tree
 * kept in the read-model store, and signs a checkpoint of it at least every `intervalMs` while
 * records arrive, and on shutdown: appended to `arbiter-checkpoints`, then published on
 * `arbiter.checkpoints`. One process notarises at a time (a read-model lease); the others stand by.
 */
export class Notary {
  private readonly log: MerkleLogStore;
  private readonly logger: Logger;
  private readonly origin: string;
  private committed: { frontier: MerkleFrontier; position: Position | 'start' } = { frontier: new MerkleFrontier(), position: 'start' };
  private signed: { size: number; root: Uint8Array | null; revision: bigint | null } = { size: 0, root: null, revision: null };
  private lease: Lease | null = null;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private standby: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private buffer: StoredEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private signing: Promise<Checkpoint | null> = Promise.resolve(null);
  private failure: Error | null = null;
  private stopped = false;
  private recovering: Promise<void> | null = null;

  constructor(private readonly options: NotaryOptions) {
    this.log = new MerkleLogStore(options.readModels);
    this.logger = options.logger ?? silentLogger;
    this.origin = checkpointOrigin(options.ledger);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.lease = await this.options.readModels.tryLease(NOTARY_LEASE);
    if (!this.lease) {
      this.logger.info('the notary runs in another process; standing by');
      this.standby = this.awaitLease();
      return;
    }
    await this.follow();
  }

  /** True while this process holds the lease and notarises. */
  get active(): boolean {
    return this.lease !== null && this.failure === null;
  }

  /** The error that stopped it, while it is stopped (it may be resuming). */
  get failed(): Error | null {
    return this.failure;
  }

  /** The error that stopped it for good (a rewritten history, a replaced store), or null. */
  get stoppedForGood(): NotaryError | null {
    return isFatal(this.failure) ? (this.failure as NotaryError) : null;
  }

  /** Leaves folded into the persisted tree so far. */
  get size(): number {
    return this.committed.frontier.size;
  }

  /** Signs, stores and publishes a checkpoint if leaves arrived since the last one; returns it, or null. */
  checkpointNow(): Promise<Checkpoint | null> {
    this.signing = this.signing.then(
      () => this.signIfNew(),
      () => this.signIfNew(),
    );
    return this.signing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.subscription?.close();
    await this.standby;
    await this.recovering;
    await this.loop;
    await this.flush();
    if (this.lease && !this.failure) await this.checkpointNow().catch((e: Error) => this.logger.error('the closing checkpoint could not be written', { error: e.message }));
    this.subscription = null;
    await this.lease?.release();
    this.lease = null;
  }

  private async awaitLease(): Promise<void> {
    while (!this.stopped) {
      await new Promise((r) => setTimeout(r, LEASE_RETRY_MS));
      if (this.stopped) return;
      this.lease = await this.options.readModels.tryLease(NOTARY_LEASE).catch(() => null);
      if (this.lease) {
        this.logger.info('the notary is taken over by this process');
        await this.follow();
        return;
      }
    }
  }

  private async follow(): Promise<void> {
    const state = await this.log.load();
    const head = await this.options.store.headPosition();
    if (state.position !== 'start' && (!head || head.commit < state.position.commit)) {
      throw new NotaryError('store-replaced', `the Merkle log has folded the store up to position ${state.position.commit}, beyond the store's head: reset it to rebuild from this store`);
    }
    this.committed = { frontier: state.frontier, position: state.position };
    const last = await latestCheckpoint(this.options.store);
    this.signed = last ? { size: Number(last.checkpoint.size), root: last.checkpoint.root, revision: last.revision } : { size: 0, root: null, revision: null };
    const subscription = this.options.store.subscribeAll({ after: state.position, filter: { eventTypePrefixes: [LEDGER_EVENT_TYPE_PREFIX] } });
    this.subscription = subscription;
    void this.lease?.lost.then(() => {
      if (this.stopped) return;
      this.fail(new NotaryError('lease-lost', 'lost the notary lease'));
      void subscription.close();
    });
    this.loop = (async () => {
      for await (const event of subscription) {
        this.buffer.push(event);
        if (this.buffer.length >= FLUSH_EVERY) await this.flush();
        else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
      }
    })().catch((e: Error) => {
      this.fail(e);
    });
    this.timer = setInterval(() => void this.checkpointNow().catch((e: Error) => this.logger.error('a checkpoint could not be written', { error: e.message })), this.options.intervalMs ?? 1_000);
  }

  /** Folds the buffered records into the tree, in one transaction with the notary's position. */
  private flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const events = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (events.length === 0 || this.failure) return;
      try {
        const frontier = this.committed.frontier.clone();
        const nodes: NewNode[] = [];
        const leaves: LeafInfo[] = [];
        for (const event of events) {
          const leaf = ledgerLeaf(event.data);
          leaves.push({ index: frontier.size, chain: leaf.chain ?? event.stream, seq: leaf.seq ?? Number(event.revision), recordHash: leaf.hash ?? '' });
          frontier.append(leaf.leafHash, (level, index, hash) => nodes.push({ level, index, hash }));
          this.checkAgainstSigned(frontier);
        }
        const position = events[events.length - 1].position;
        await this.options.readModels.transaction((tx) => this.log.append(tx, leaves, nodes, { frontier, position }));
        this.committed = { frontier, position };
      } catch (e) {
        this.fail(e as Error);
      }
    });
    return this.flushing;
  }

  /** Rebuilding past a checkpoint this log already signed must reproduce its root; anything else is a rewritten history. */
  private checkAgainstSigned(frontier: MerkleFrontier): void {
    if (frontier.size !== this.signed.size || !this.signed.root || hashesEqual(frontier.root(), this.signed.root)) return;
    throw new NotaryError('log-diverged', `the store's first ${frontier.size} ledger records no longer hash to the root this notary signed at that size`);
  }

  private async signIfNew(): Promise<Checkpoint | null> {
    const { frontier } = this.committed;
    if (!this.lease || this.failure || frontier.size <= this.signed.size) return null;
    const root = frontier.root();
    const checkpoint = parseCheckpoint(await signCheckpoint({ origin: this.origin, size: BigInt(frontier.size), root }, this.options.signer));
    let revision: bigint;
    try {
      revision = await appendCheckpoint(this.options.store, checkpoint, this.signed.revision);
    } catch (e) {
      if (!(e instanceof WrongExpectedVersionError)) throw e;
      const last = await latestCheckpoint(this.options.store);
      revision = await appendCheckpoint(this.options.store, checkpoint, last?.revision ?? null);
    }
    this.signed = { size: frontier.size, root, revision };
    await this.publish(checkpoint);
    return checkpoint;
  }

  /** Store first, bus after: a checkpoint the bus missed is still in the store, and the next one supersedes it. */
  private async publish(checkpoint: Checkpoint): Promise<void> {
    try {
      await this.options.bus.publish(CHECKPOINTS_TOPIC, [
        {
          key: this.options.ledger,
          value: checkpoint.note,
          headers: { [DEDUPE_HEADER]: `${checkpoint.origin}/${checkpoint.size}/${rootBase64(checkpoint.root)}`, 'content-type': 'text/plain; charset=utf-8' },
        },
      ]);
    } catch (e) {
      this.logger.warn('a checkpoint is stored but could not be published', { size: Number(checkpoint.size), error: (e as Error).message });
    }
  }

  private fail(error: Error): Error {
    if (this.failure) return error;
    this.failure = error;
    void this.subscription?.close();
    const fatal = isFatal(error);
    this.logger.error(fatal ? 'the notary stopped' : 'the notary stopped; it resumes from its persisted tree', { error: error.message });
    if (!fatal && !this.stopped) this.recovering = this.recover();
    return error;
  }

  /**
   * After an outage (the store or the read models failing, the lease lost), starts over from the
   * persisted tree with backoff: nothing folded is lost, since each batch commits with its position.
   */
  private async recover(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** attempt)));
      if (this.stopped) return;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      await this.loop;
      await this.flushing;
      this.buffer = [];
      try {
        if (this.failure instanceof NotaryError && this.failure.code === 'lease-lost') {
          this.lease = await this.options.readModels.tryLease(NOTARY_LEASE);
          if (!this.lease) {
            this.failure = null;
            this.logger.info('the notary runs in another process now; standing by');
            this.standby = this.awaitLease();
            return;
          }
        }
        this.failure = null;
        await this.follow();
        this.logger.info('the notary resumed', { size: this.committed.frontier.size });
        return;
      } catch (e) {
        this.failure = e as Error;
        this.logger.warn('the notary could not resume yet', { error: (e as Error).message, attempt });
      }
    }
  }
}
