import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyObject } from 'node:crypto';
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
    let secret: Uint8Array;
    if (existsSync(secretFile)) {
      secret = new Uint8Array(Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'hex'));
      if (secret.length !== 32) throw new Error(`${secretFile} does not hold a 32-byte Ed25519 secret key`);
    } else {
      secret = generateSecretKey();
      writeFileSync(secretFile, Buffer.from(secret).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    }
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
