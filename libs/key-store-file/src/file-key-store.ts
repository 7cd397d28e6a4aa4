import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyObject, randomUUID } from 'node:crypto';
import {
  KeyStore, Signer, didKeyFromPublicKey, generateSecretKey, nativeSigningKey, publicKeyOf, signNative, assertStrongPublicKey,
} from '@arbiter/ledger';

const NAME = /^[a-z0-9._-]{1,64}$/;

class FileSigner implements Signer {
  constructor(
    readonly name: string,
    readonly did: string,
    private readonly key: KeyObject,
  ) {}
  async sign(message: Uint8Array): Promise<Uint8Array> {
    return signNative(this.key, message);
  }
  toJSON() {
    return { name: this.name, did: this.did };
  }
}

/**
 * Keys as files in one directory: `<name>.key` holds the 32-byte secret as hex, mode 0600 in a
 * 0700 directory; `<name>.did` holds the public did:key for anyone to read.
 */
export class FileKeyStore implements KeyStore {
  private readonly signers = new Map<string, FileSigner>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async signer(name: string): Promise<Signer> {
    if (!NAME.test(name)) throw new TypeError(`key name "${name}" must match ${NAME}`);
    const cached = this.signers.get(name);
    if (cached) return cached;
    const secretFile = join(this.dir, `${name}.key`);
    if (!existsSync(secretFile)) {
      // Written aside, then linked into place: atomic, and refused if another process sharing
      // the directory got there first (then theirs is used), so no one ever reads half a key.
      const draft = `${secretFile}.${process.pid}.${randomUUID()}`;
      writeFileSync(draft, Buffer.from(generateSecretKey()).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
      try {
        linkSync(draft, secretFile);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        unlinkSync(draft);
      }
    }
    const secret = new Uint8Array(Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'hex'));
    if (secret.length !== 32) throw new Error(`${secretFile} does not hold a 32-byte Ed25519 secret key`);
    chmodSync(secretFile, 0o600);
    const publicKey = publicKeyOf(secret);
    assertStrongPublicKey(publicKey);
    const did = didKeyFromPublicKey(publicKey);
    writeFileSync(join(this.dir, `${name}.did`), did + '\n', { mode: 0o644 });
    const signer = new FileSigner(name, did, nativeSigningKey(secret));
    secret.fill(0);
    this.signers.set(name, signer);
    return signer;
  }

  async didOf(name: string): Promise<string | null> {
    const file = join(this.dir, `${name}.did`);
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
  }
}
