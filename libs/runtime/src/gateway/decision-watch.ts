import type { EventStore, Position, Subscription } from '@arbiter/event-store';
import { LedgerRecord, entryIdentity, ledgerEventType, parseRecord } from '@arbiter/ledger';
import { Logger, silentLogger } from '@arbiter/telemetry';

/** Decisions kept after they pass, for a request retried soon after its decision was made. */
const RECENT = 2_000;
const RESUBSCRIBE_MS = 1_000;
/** How often a request still waiting asks the audit views again for a decision made before it was watching. */
const LOOKUP_EVERY_MS = 1_000;

export interface Expected {
  /** The records, in the order asked, once every one has been appended. */
  readonly records: Promise<LedgerRecord[]>;
  /** Stops waiting (the request timed out); `records` never settles after this. */
  cancel(): void;
}

/**
 * Decisions as the reasoner processes append them, for a gateway that does not decide itself
 * (the distributed mode): one live subscription to the store, filtered to decision entries,
 * hands each to the requests waiting for it. A request says what it expects before its event is
 * published, so the decision cannot pass unseen; the reasoner group is then the only one to ask
 * the model.
 */
export class DecisionWatch {
  private readonly waiting = new Map<string, Set<(record: LedgerRecord) => void>>();
  private readonly recent = new Map<string, Uint8Array>();
  private subscription: Subscription | null = null;
  private following: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly logger: Logger = silentLogger,
    /** A decision made before this watch saw it (a request retried later): from the audit views. */
    private readonly lookup: (decisionId: string) => Promise<LedgerRecord | null> = async () => null,
    private readonly lookupEveryMs = LOOKUP_EVERY_MS,
  ) {}

  /** Follows the store from its head; resolves once following. */
  async start(): Promise<void> {
    const head = await this.store.headPosition();
    this.following = this.follow(head ?? 'start');
  }

  expect(decisionIds: string[]): Expected {
    const found = new Map<string, LedgerRecord>();
    const listeners: [string, (record: LedgerRecord) => void][] = [];
    let asking: NodeJS.Timeout | null = null;
    const cancel = () => {
      if (asking) clearInterval(asking);
      for (const [id, listener] of listeners) {
        const set = this.waiting.get(id);
        set?.delete(listener);
        if (set?.size === 0) this.waiting.delete(id);
      }
    };
    const wanted = new Set(decisionIds);
    const records = new Promise<LedgerRecord[]>((resolve) => {
      const settleIfDone = () => {
        if (found.size < wanted.size) return;
        cancel();
        resolve(decisionIds.map((id) => found.get(id)!));
      };
      const ask = (id: string, listener: (record: LedgerRecord) => void) =>
        this.lookup(id).then(
          (record) => record && !found.has(id) && listener(record),
          (e: Error) => this.logger.warn('decision watch could not read the audit views', { error: e.message }),
        );
      for (const id of wanted) {
        const seen = this.recent.get(id);
        if (seen) {
          found.set(id, parseRecord(Buffer.from(seen).toString('utf8')));
          continue;
        }
        const listener = (record: LedgerRecord) => {
          found.set(id, record);
          settleIfDone();
        };
        listeners.push([id, listener]);
        this.waiting.set(id, (this.waiting.get(id) ?? new Set()).add(listener));
        // Asked after listening, so a decision appended meanwhile is seen one way or the other.
        void ask(id, listener);
      }
      settleIfDone();
      // A decision made before this watch started, and older than what it keeps, reaches the
      // audit views only when their projection gets to it: ask again until then.
      if (found.size < wanted.size) {
        asking = setInterval(() => {
          for (const [id, listener] of listeners) if (!found.has(id)) void ask(id, listener);
        }, this.lookupEveryMs);
        asking.unref();
      }
    });
    return { records, cancel };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.following;
  }

  /** Resubscribes after the position last seen whenever the subscription drops (the store restarted). */
  private async follow(from: Position | 'start'): Promise<void> {
    let after = from;
    while (!this.stopped) {
      const subscription = this.store.subscribeAll({ after, filter: { eventTypePrefixes: [ledgerEventType('decision')] } });
      this.subscription = subscription;
      try {
        for await (const event of subscription) {
          after = event.position;
          this.pass(entryIdentity(event), event.data);
        }
      } catch (e) {
        if (!this.stopped) this.logger.warn('decision watch lost the store; following again', { error: (e as Error).message });
      } finally {
        await subscription.close().catch(() => undefined);
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, RESUBSCRIBE_MS).unref());
    }
  }

  private pass(decisionId: string, data: Uint8Array): void {
    this.recent.set(decisionId, data);
    if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value as string);
    const listeners = this.waiting.get(decisionId);
    if (!listeners) return;
    const record = parseRecord(Buffer.from(data).toString('utf8'));
    for (const listener of [...listeners]) listener(record);
  }
}
