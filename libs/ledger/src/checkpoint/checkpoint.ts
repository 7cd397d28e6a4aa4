import { MalformedError } from '../errors';
import { EMPTY_ROOT, HASH_BYTES, hashesEqual } from '../merkle/tree-hash';
import { LEDGER_ID, Signer } from '../record';
import { SignedNote, parseSignedNote, signNote } from './signed-note';

export const CHECKPOINT_ORIGIN_PREFIX = 'arbiter.ledger/';
/** Where checkpoints are stored: a stream that is never a source of leaves. */
export const CHECKPOINTS_STREAM = 'arbiter-checkpoints';
export const CHECKPOINT_EVENT_TYPE = 'arbiter.checkpoint.v1';
/** The bus topic checkpoints are published on (Kafka in the distributed mode). */
export const CHECKPOINTS_TOPIC = 'arbiter.checkpoints';

export function checkpointOrigin(ledger: string): string {
  return `${CHECKPOINT_ORIGIN_PREFIX}${ledger}`;
}

/** What a checkpoint states: the log of `origin` had `size` leaves, and this root. */
export interface CheckpointBody {
  origin: string;
  size: bigint;
  root: Uint8Array;
}

export interface Checkpoint extends CheckpointBody {
  ledger: string;
  /** The whole signed note, as it is stored, published and served. */
  note: string;
  signed: SignedNote;
}

/** LEDGER-SPEC §5: origin, size in decimal, root in standard base64 with padding; each line ends in "\n". */
export function checkpointText(body: CheckpointBody): string {
  return `${body.origin}\n${body.size}\n${Buffer.from(body.root).toString('base64')}\n`;
}

export async function signCheckpoint(body: CheckpointBody, signer: Signer): Promise<string> {
  return signNote(checkpointText(body), signer);
}

/** Parses a signed checkpoint note; throws MalformedError for anything LEDGER-SPEC §5 does not allow. */
export function parseCheckpoint(note: string): Checkpoint {
  const signed = parseSignedNote(note);
  const lines = signed.text.slice(0, -1).split('\n');
  if (lines.length !== 3) throw new MalformedError('a checkpoint is three lines: origin, tree size, root hash');
  const [origin, sizeText, rootText] = lines;
  if (!origin.startsWith(CHECKPOINT_ORIGIN_PREFIX) || !LEDGER_ID.test(origin.slice(CHECKPOINT_ORIGIN_PREFIX.length))) {
    throw new MalformedError(`"${origin}" is not an arbiter.ledger/<ledger id> origin`);
  }
  if (!/^(0|[1-9][0-9]{0,18})$/.test(sizeText)) throw new MalformedError(`"${sizeText}" is not a tree size`);
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== HASH_BYTES || root.toString('base64') !== rootText) throw new MalformedError(`"${rootText}" is not a base64 SHA-256 root`);
  const size = BigInt(sizeText);
  if (size === 0n && !hashesEqual(root, EMPTY_ROOT)) throw new MalformedError('the root of an empty tree is the SHA-256 of nothing');
  return { origin, ledger: origin.slice(CHECKPOINT_ORIGIN_PREFIX.length), size, root: new Uint8Array(root), note, signed };
}

export function rootBase64(root: Uint8Array): string {
  return Buffer.from(root).toString('base64');
}
