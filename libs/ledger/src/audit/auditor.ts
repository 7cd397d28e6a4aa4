import { KEYS_CHAIN, KeyBody, ROLE_FOR_TYPE } from '../bodies';
import { Checkpoint, checkpointOrigin, parseCheckpoint, rootBase64 } from '../checkpoint/checkpoint';
import { noteSignedBy } from '../checkpoint/signed-note';
import { publicKeyFromDidKey } from '../crypto/did-key';
import { isStrongPublicKey } from '../crypto/ed25519';
import { LedgerError } from '../errors';
import { MerkleFrontier } from '../merkle/frontier';
import { verifyConsistency, verifyInclusion } from '../merkle/proofs';
import { hashesEqual } from '../merkle/tree-hash';
import { KeyRegistry } from '../key-registry';
import { isLedgerTime } from '../record';
import { EntryHashes } from './entry-hashes';
import { didKeyProblem } from './entry-shape';
import type { LeafCheck, ReviewedDecision } from './leaf-check';
import type { Failure, FailureCode, VerificationReport } from './report';

export interface AuditorOptions {
  /** The operator's root `did:key`, supplied by the auditor: the only trust anchor. */
  trustRoot: string;
  /** The ledger id every entry must carry; by default the presented checkpoint's, else that of the first key entry. */
  ledger?: string;
  /**
   * `log`: every leaf of the log in order from leaf 0 (an event store). `bundle`: entries that
   * name their leaf and may carry inclusion proofs (LEDGER-SPEC §6).
   */
  source: 'log' | 'bundle';
}

/** Two signed notes that cannot both be honest: what an auditor keeps for the record. */
export interface Evidence {
  kind: 'rollback' | 'fork';
  origin: string;
  trusted: string;
  presented: string;
}

/** An RFC 9162 consistency proof between two tree sizes, as the gateway serves it. */
export interface ConsistencyEvidence {
  from: number;
  to: number;
  proof: Uint8Array[];
}

export interface WitnessOutcome {
  /** `first`: nothing was witnessed before; `advanced`: the newer checkpoint is proven consistent; `unchanged`: same checkpoint; `not-advanced`: not proven (reason says why). */
  state: 'first' | 'advanced' | 'unchanged' | 'not-advanced';
  reason?: string;
  /** The note to keep as the new witnessed state, when there is one. */
  save: string | null;
  evidence: Evidence[];
}

interface ChainHead {
  seq: number;
  hash: string | null;
}

interface PresentedCheckpoint {
  checkpoint: Checkpoint;
  /** The registered checkpoint key whose signature verifies, or null. */
  signer: string | null;
}

type At = { chain?: string; seq?: number; leaf: number };

type RootCheck = { kind: 'checkpoint'; presented: PresentedCheckpoint } | { kind: 'witness'; trusted: Checkpoint };

/**
 * The ordered part of verification: chains, key validity, decision uniqueness, the Merkle root
 * and checkpoints, and witness state. It is fed per-record checks (done on any thread) in leaf
 * order and reports every failure it finds rather than the first.
 *
 * Chain `keys` is learnt first, from its own stream, so that a registration's validity window —
 * not its position in the log — decides what a key may sign.
 */
export class LedgerAuditor {
  private readonly failures: Failure[] = [];
  private readonly registry = new KeyRegistry();
  private readonly chains = new Map<string, ChainHead>();
  private readonly decisions = new Map<string, number>();
  private readonly hashes = new EntryHashes();
  private readonly reviews: { reviewOf: ReviewedDecision; at: At }[] = [];
  private readonly frontier = new MerkleFrontier();
  private readonly rootChecks = new Map<number, RootCheck[]>();
  private readonly rootStrong: boolean;
  private readonly presented: PresentedCheckpoint[] = [];
  private ledgerId: string | undefined;
  private trusted: Checkpoint | null = null;
  private entries = 0;
  private lastLeaf = -1;
  private contiguous = true;
  private withProof = 0;
  private readonly withoutProof: { leaf: number; chain: string | null; seq: number | null }[] = [];
  private readonly evidence: Evidence[] = [];
  private forkFound = false;
  private consistencyProven = false;

  constructor(private readonly options: AuditorOptions) {
    this.ledgerId = options.ledger;
    this.rootStrong = didIsStrong(options.trustRoot);
    if (!this.rootStrong) this.fail('weak-key', {}, 'the trusted root key is not a strong Ed25519 key');
  }

  get ledger(): string | undefined {
    return this.ledgerId;
  }

  /** The keys learnt from chain `keys` (after `learnKey`): who may sign what, when. */
  get keyRegistry(): KeyRegistry {
    return this.registry;
  }

  /** The presented checkpoint notes (all of them, oldest first); their signatures are checked once keys are known. */
  presentCheckpoints(notes: string[]): void {
    for (const note of notes) {
      let checkpoint: Checkpoint;
      try {
        checkpoint = parseCheckpoint(note);
      } catch (e) {
        this.fail('checkpoint-signature', {}, `a checkpoint that is not a signed note of this format: ${(e as Error).message}`);
        continue;
      }
      this.ledgerId ??= checkpoint.ledger;
      this.presented.push({ checkpoint, signer: null });
    }
  }

  /** Pre-pass over chain `keys`: applies every key entry that verifies. Failures are reported by `accept`. */
  learnKey(check: LeafCheck): void {
    if (check.malformed || check.chain !== KEYS_CHAIN || check.type !== 'key' || check.signer !== this.options.trustRoot) return;
    this.ledgerId ??= check.ledger ?? undefined;
    if (!this.rootStrong || check.ledger !== this.ledgerId || !check.hashOk || check.signature !== 'valid') return;
    const body = check.keyBody as unknown as KeyBody;
    if (body.action === 'register' && !didIsStrong(body.key)) return;
    this.registry.applyKey(body, check.time!);
  }

  /** Checks the signatures of the presented checkpoints against the registered checkpoint keys. */
  verifyCheckpointSignatures(): void {
    const keys = this.registry.keysWithRole('checkpoint');
    for (const p of this.presented) {
      const cp = p.checkpoint;
      if (this.ledgerId !== undefined && cp.ledger !== this.ledgerId) {
        this.fail('checkpoint-signature', {}, `checkpoint of ${cp.origin}, not of ledger "${this.ledgerId}"`);
        continue;
      }
      p.signer = keys.find((k) => noteSignedBy(cp.signed, k.name, publicKeyFromDidKey(k.did)))?.did ?? null;
      if (!p.signer) this.fail('checkpoint-signature', {}, `checkpoint at size ${cp.size} carries no valid signature of a key registered with role checkpoint`);
      // Unsigned or not, the root it states is checked: an altered root is reported as what it is.
      this.expectRoot(Number(cp.size), { kind: 'checkpoint', presented: p });
    }
  }

  /**
   * The checkpoint an auditor's witness state trusts for this origin: the presented one must be
   * consistent with it. A source that holds every leaf shows that by itself; a partial bundle
   * needs `consistency`, the RFC 9162 proof from the witnessed size to the presented one (as
   * GET /v1/ledger/proofs/consistency serves it).
   */
  witness(trustedNote: string, consistency?: ConsistencyEvidence): void {
    this.trusted = parseCheckpoint(trustedNote);
    const latest = this.latestValid();
    if (!latest) {
      this.expectRoot(Number(this.trusted.size), { kind: 'witness', trusted: this.trusted });
      return;
    }
    const cp = latest.checkpoint;
    if (cp.size < this.trusted.size) {
      this.keepEvidence('rollback', `checkpoint of size ${cp.size} is older than the witnessed size ${this.trusted.size}`);
    } else if (cp.size === this.trusted.size && !hashesEqual(cp.root, this.trusted.root)) {
      this.keepEvidence('fork', `checkpoint of size ${cp.size} has another root than the witnessed one of the same size`);
    } else if (cp.size > this.trusted.size) {
      this.expectRoot(Number(this.trusted.size), { kind: 'witness', trusted: this.trusted });
      if (consistency && BigInt(consistency.from) === this.trusted.size && BigInt(consistency.to) === cp.size) {
        if (verifyConsistency(this.trusted.size, cp.size, consistency.proof, this.trusted.root, cp.root)) this.consistencyProven = true;
        else this.keepEvidence('fork', `the consistency proof does not show the checkpoint of size ${cp.size} extends the witnessed one of size ${this.trusted.size}`);
      }
    }
  }

  /**
   * One record, in leaf order. `proof` is a bundle entry's inclusion proof; `stream` and
   * `revision` say where an event store holds the record, which must be its chain and seq.
   */
  accept(check: LeafCheck, leafHash: Uint8Array, leaf: number, proof?: Uint8Array[] | null, stream?: string, revision?: bigint): void {
    this.entries++;
    const at = { chain: check.chain ?? undefined, seq: check.seq ?? undefined, leaf };
    if (stream !== undefined && !check.malformed && (stream !== check.chain || revision !== BigInt(check.seq!))) {
      this.fail('malformed', at, `stored in stream "${stream}" at revision ${revision}, but the entry says chain "${check.chain}", seq ${check.seq}`);
    }
    if (this.options.source === 'bundle' && leaf <= this.lastLeaf) this.fail('malformed', at, `bundle entries must be in leaf order; leaf ${leaf} follows ${this.lastLeaf}`);
    this.lastLeaf = Math.max(this.lastLeaf, leaf);
    if (check.malformed) {
      this.fail('malformed', at, check.malformed);
      this.checkMalformedSigner(check, at);
      if (check.chain !== null && check.seq !== null) this.chains.set(check.chain, { seq: check.seq, hash: check.hash });
    } else {
      this.checkRecord(check, at);
      this.checkChain(check, at);
      this.checkDecision(check, at);
      this.hashes.put(check.chain!, check.seq!, check.hash!);
      if (check.reviewOf) this.reviews.push({ reviewOf: check.reviewOf, at });
    }
    this.addLeaf(leafHash, leaf, check, proof);
  }

  /** A problem with the source's own structure (a broken bundle). */
  reportMalformed(message: string, leaf?: number): void {
    this.fail('malformed', { leaf }, message);
  }

  finish(): VerificationReport {
    this.checkReviews();
    this.checkCoverage();
    const latest = this.latestValid() ?? this.presented[this.presented.length - 1] ?? null;
    return {
      ok: this.failures.length === 0,
      entries: this.entries,
      chains: this.chains.size,
      checkpoint: latest ? { size: Number(latest.checkpoint.size), root: rootBase64(latest.checkpoint.root) } : null,
      failures: this.failures,
    };
  }

  /** What witness state to keep after this run, and the evidence of any rollback or fork. */
  witnessOutcome(): WitnessOutcome {
    const latest = this.latestValid();
    const evidence = this.evidence;
    const checkpointFailure = this.failures.some((f) => ['checkpoint-signature', 'root-mismatch', 'truncated', 'rollback', 'fork', 'inclusion-proof'].includes(f.code));
    if (!latest) return { state: 'not-advanced', reason: 'no validly signed checkpoint was presented', save: null, evidence };
    if (checkpointFailure) return { state: 'not-advanced', reason: 'the presented checkpoint did not verify', save: null, evidence };
    const cp = latest.checkpoint;
    if (!this.trusted) return { state: 'first', save: cp.note, evidence };
    if (cp.size === this.trusted.size) return { state: 'unchanged', save: null, evidence };
    const proven = this.options.source === 'log' || this.consistencyProven || (this.contiguous && this.frontier.size >= Number(this.trusted.size));
    if (!proven) {
      const reason = `a partial bundle alone cannot show the checkpoint of size ${cp.size} extends the witnessed size ${this.trusted.size}: pass the consistency proof from ${this.trusted.size} to ${cp.size}`;
      return { state: 'not-advanced', reason, save: null, evidence };
    }
    return { state: 'advanced', save: cp.note, evidence };
  }

  private checkRecord(check: LeafCheck, at: At): void {
    this.ledgerId ??= check.ledger ?? undefined;
    if (this.ledgerId !== undefined && check.ledger !== this.ledgerId) {
      this.fail('malformed', at, `entry belongs to ledger "${check.ledger}", not "${this.ledgerId}"`);
    }
    if (!check.hashOk) this.fail('hash-mismatch', at, 'hash is not the SHA-256 of the signing input');
    if (!check.policyDigestOk) this.fail('hash-mismatch', at, 'body.digest is not the SHA-256 of the JCS form of body.document');
    if (check.type === 'key') return this.checkKeyEntry(check, at);
    if (check.signature === 'weak-key') this.fail('weak-key', at, `signer ${check.signer} is not a strong Ed25519 key`);
    this.checkSignerStanding(check.type!, check.signer!, check.time!, at);
    if (check.signature === 'invalid') this.fail('bad-signature', at, 'signature does not verify');
  }

  /**
   * §2: may `signer` sign an entry of `type` at `time`? Asked of every entry whose type, signer and
   * time can be read, well-formed or not: a malformed entry's signer is no more trusted for it.
   */
  private checkSignerStanding(type: string, signer: string, time: string, at: At): void {
    if (type === 'key') {
      if (signer === this.options.trustRoot) return;
      // A key the root registered is known, but not for this: signer-not-valid, as for any other role it lacks.
      const known = this.registry.describe(signer).registrations.length > 0;
      return this.fail(known ? 'signer-not-valid' : 'unknown-signer', at, `key entries must be signed by the trusted root, not by ${signer}`);
    }
    const status = this.registry.status(signer, ROLE_FOR_TYPE[type as keyof typeof ROLE_FOR_TYPE], time);
    if (status !== 'valid') this.fail(status, at, `${signer} may not sign ${type} entries at ${time}`);
  }

  private checkMalformedSigner(check: LeafCheck, at: At): void {
    const { type, signer, time } = check;
    if (type === null || !(type === 'key' || Object.hasOwn(ROLE_FOR_TYPE, type)) || signer === null || didKeyProblem(signer) || !isLedgerTime(time)) return;
    this.checkSignerStanding(type, signer, time, at);
  }

  private checkKeyEntry(check: LeafCheck, at: At): void {
    if (check.signer !== this.options.trustRoot) return this.checkSignerStanding('key', check.signer!, check.time!, at);
    if (!this.rootStrong) return;
    if (check.signature === 'invalid') this.fail('bad-signature', at, 'signature does not verify');
    const body = check.keyBody as unknown as KeyBody;
    if (body.action === 'register' && !didIsStrong(body.key)) this.fail('weak-key', at, `registered key ${body.key} is weak`);
  }

  private checkChain(check: LeafCheck, at: At): void {
    const chain = check.chain!;
    const head = this.chains.get(chain);
    const expected = head ? head.seq + 1 : 0;
    if (check.seq !== expected) this.fail('seq-gap', at, `expected seq ${expected}, found ${check.seq}`);
    else if ((head?.hash ?? null) !== check.prev) this.fail('broken-link', at, 'prev is not the hash of the previous entry');
    if (head) {
      head.seq = check.seq!;
      head.hash = check.hash;
    } else this.chains.set(chain, { seq: check.seq!, hash: check.hash });
  }

  private checkDecision(check: LeafCheck, at: At): void {
    if (check.type !== 'decision' || check.decisionKey === null) return;
    const earlier = this.decisions.get(check.decisionKey);
    if (earlier !== undefined) this.fail('duplicate-decision', at, `a decision for ${check.decisionKey} already exists at leaf ${earlier}`);
    else this.decisions.set(check.decisionKey, at.leaf);
  }

  /** §4: a review names its decision by chain, seq and hash; where the source holds that entry, the hash must be its. */
  private checkReviews(): void {
    for (const { reviewOf: d, at } of this.reviews) {
      const hash = this.hashes.get(d.chain, d.seq);
      if (hash !== undefined && hash !== d.hash) {
        this.fail('broken-link', at, `the review names ${d.chain} seq ${d.seq} with hash ${d.hash}, but that entry's hash is ${hash}`);
      }
    }
  }

  private addLeaf(leafHash: Uint8Array, leaf: number, check: LeafCheck, proof: Uint8Array[] | null | undefined): void {
    if (this.options.source === 'bundle') this.checkBundleLeaf(leafHash, leaf, check, proof);
    if (!this.contiguous || leaf !== this.frontier.size) {
      this.contiguous = false;
      return;
    }
    this.frontier.append(leafHash);
    const due = this.rootChecks.get(this.frontier.size);
    if (due) this.checkRoots(due, check);
  }

  private checkBundleLeaf(leafHash: Uint8Array, leaf: number, check: LeafCheck, proof: Uint8Array[] | null | undefined): void {
    const at = { chain: check.chain ?? undefined, seq: check.seq ?? undefined, leaf };
    const cp = this.latestValid()?.checkpoint ?? this.presented[this.presented.length - 1]?.checkpoint;
    if (!cp) return;
    if (BigInt(leaf) >= cp.size) return this.fail('inclusion-proof', at, `leaf ${leaf} is not covered by the checkpoint of size ${cp.size}`);
    if (!proof) {
      this.withoutProof.push({ leaf, chain: check.chain, seq: check.seq });
      return;
    }
    this.withProof++;
    if (!verifyInclusion(BigInt(leaf), cp.size, leafHash, proof, cp.root)) this.fail('inclusion-proof', at, `the inclusion proof of leaf ${leaf} does not lead to the checkpoint's root`);
  }

  private checkRoots(due: RootCheck[], last: LeafCheck): void {
    const root = this.frontier.root();
    for (const c of due) {
      if (c.kind === 'witness') {
        if (!hashesEqual(root, c.trusted.root)) this.keepEvidence('fork', `the log's first ${c.trusted.size} leaves have another root than the witnessed checkpoint`);
        continue;
      }
      const cp = c.presented.checkpoint;
      if (!hashesEqual(root, cp.root)) {
        this.fail('root-mismatch', {}, `the first ${cp.size} leaves hash to ${rootBase64(root)}, not to the checkpoint's ${rootBase64(cp.root)}`);
      }
      if (c.presented.signer && last.time && !this.registry.validAtOrAfter(c.presented.signer!, 'checkpoint', last.time)) {
        this.fail('checkpoint-signature', {}, `checkpoint at size ${cp.size} is signed by ${c.presented.signer}, which could not sign after ${last.time}, the time of the newest entry it covers`);
      }
    }
  }

  /**
   * After the last leaf: does the source hold what the trusted checkpoints cover? A log must hold
   * every leaf below them. A bundle either holds every leaf below its checkpoint (and then needs
   * no proofs: the root was recomputed) or proves each entry it holds.
   */
  private checkCoverage(): void {
    const covered = Math.max(Number(this.latestValid()?.checkpoint.size ?? 0n), Number(this.trusted?.size ?? 0n));
    const complete = this.contiguous && this.frontier.size >= covered;
    if (this.options.source === 'bundle' && this.withProof > 0) {
      if (complete) return;
      for (const w of this.withoutProof) {
        this.fail('inclusion-proof', { chain: w.chain ?? undefined, seq: w.seq ?? undefined, leaf: w.leaf }, `leaf ${w.leaf} has no inclusion proof, and the bundle does not hold every leaf`);
      }
      return;
    }
    if (!complete) this.fail('truncated', {}, `${this.entries} leaves${this.contiguous ? '' : ' with gaps'}, but a trusted checkpoint covers ${covered}`);
  }

  private latestValid(): PresentedCheckpoint | undefined {
    let best: PresentedCheckpoint | undefined;
    for (const p of this.presented) if (p.signer && (!best || p.checkpoint.size >= best.checkpoint.size)) best = p;
    return best;
  }

  private expectRoot(size: number, check: RootCheck): void {
    if (size === 0) return;
    const list = this.rootChecks.get(size) ?? [];
    list.push(check);
    this.rootChecks.set(size, list);
  }

  private keepEvidence(kind: 'rollback' | 'fork', message: string): void {
    if (kind === 'fork' && this.forkFound) return;
    this.forkFound ||= kind === 'fork';
    const trusted = this.trusted!;
    const presented = this.latestValid()?.checkpoint.note ?? '';
    this.evidence.push({ kind, origin: trusted.origin, trusted: trusted.note, presented });
    this.fail(kind, {}, message);
  }

  private fail(code: FailureCode, at: { chain?: string; seq?: number; leaf?: number }, message: string): void {
    const failure = { code } as Failure;
    if (at.chain !== undefined) failure.chain = at.chain;
    if (at.seq !== undefined) failure.seq = at.seq;
    if (at.leaf !== undefined) failure.leaf = at.leaf;
    failure.message = message;
    this.failures.push(failure);
  }

  /** The origin witness state is kept under: the presented checkpoint's, or this ledger's. */
  origin(): string | null {
    const cp = this.latestValid()?.checkpoint ?? this.presented[0]?.checkpoint;
    return cp?.origin ?? (this.ledgerId ? checkpointOrigin(this.ledgerId) : null);
  }
}

function didIsStrong(did: string): boolean {
  try {
    return isStrongPublicKey(publicKeyFromDidKey(did));
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    return false;
  }
}
