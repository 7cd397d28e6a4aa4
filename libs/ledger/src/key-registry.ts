import type { KeyBody, Role } from './bodies';
import type { LedgerRecord } from './record';

interface Registration {
  name: string;
  roles: readonly Role[];
  notBefore: string;
  notAfter: string | null;
}

export type SignerStatus = 'valid' | 'unknown-signer' | 'signer-not-valid';

/** A key registered for a role, as chain `keys` names it. */
export interface RegisteredKey {
  did: string;
  name: string;
}

/**
 * What chain `keys` says about each key: its registrations and revocations. Times are
 * compared as strings, which is exact for the fixed-width UTC form the spec requires.
 */
export class KeyRegistry {
  private readonly registrations = new Map<string, Registration[]>();
  private readonly revokedAt = new Map<string, string>();

  apply(record: LedgerRecord): void {
    this.applyKey(record.body as unknown as KeyBody, record.time);
  }

  /** Applies a `key` entry's body, written at `time` (a revocation takes effect at its entry's time). */
  applyKey(body: KeyBody, time: string): void {
    if (body.action === 'register') {
      const list = this.registrations.get(body.key) ?? [];
      list.push({ name: body.name, roles: body.roles, notBefore: body.notBefore, notAfter: body.notAfter });
      this.registrations.set(body.key, list);
    } else if (body.action === 'revoke') {
      const earlier = this.revokedAt.get(body.key);
      if (earlier === undefined || time < earlier) this.revokedAt.set(body.key, time);
    }
  }

  /** LEDGER-SPEC §2: registered with the role, inside the window, and not revoked at or before `time`. */
  status(did: string, role: Role, time: string): SignerStatus {
    const list = this.registrations.get(did);
    if (!list) return 'unknown-signer';
    const revoked = this.revokedAt.get(did);
    if (revoked !== undefined && revoked <= time) return 'signer-not-valid';
    const ok = list.some((r) => r.roles.includes(role) && r.notBefore <= time && (r.notAfter === null || time < r.notAfter));
    return ok ? 'valid' : 'signer-not-valid';
  }

  /**
   * Whether the key could have signed, with the role, at some moment not before `time`: what a
   * signature without a time of its own (a checkpoint) can be held to, given the newest entry it covers.
   */
  validAtOrAfter(did: string, role: Role, time: string): boolean {
    const revoked = this.revokedAt.get(did);
    return (this.registrations.get(did) ?? []).some((r) => {
      if (!r.roles.includes(role)) return false;
      const from = r.notBefore > time ? r.notBefore : time;
      return (r.notAfter === null || from < r.notAfter) && (revoked === undefined || from < revoked);
    });
  }

  /** Every key ever registered with the role, with the name it was registered under. */
  keysWithRole(role: Role): RegisteredKey[] {
    const keys: RegisteredKey[] = [];
    for (const [did, list] of this.registrations) {
      for (const r of list) if (r.roles.includes(role)) keys.push({ did, name: r.name });
    }
    return keys;
  }

  /** The registration windows and revocation of one key, for tools that rotate and revoke. */
  describe(did: string): { registrations: readonly Registration[]; revokedAt: string | null } {
    return { registrations: this.registrations.get(did) ?? [], revokedAt: this.revokedAt.get(did) ?? null };
  }

  keys(): string[] {
    return [...this.registrations.keys()];
  }
}
