import type { Signer } from './record';

/**
 * Where a process keeps its own private keys. Keys are generated inside the store and only a
 * Signer ever comes out: the private key is never returned, logged or sent.
 */
export interface KeyStore {
  /** The signer for a named key, generating the key on first use. */
  signer(name: string): Promise<Signer>;
  /** The did:key of a named key, or null when the store does not hold it. */
  didOf(name: string): Promise<string | null>;
}
