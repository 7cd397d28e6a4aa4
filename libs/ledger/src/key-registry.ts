import type { KeyBody, Role } from './bodies';
import type { LedgerRecord } from './record';

interface Registration {
  roles: readonly Role[];
  notBefore: string;
  notAfter: string | null;
}

export type SignerStatus = 'valid' | 'unknown-signer' | 'signer-not-valid';

/**
 * What chain `keys` says about each key: its registrations and revocations. Times are
 * compared as strings, which is exact for the fixed-width UTC form the spec requires.
 */
export class KeyRegistry {
  private readonly registrations = new Map<string, Registration[]>();
  private readonly revokedAt = new Map<string, string>();

  apply(record: LedgerRecord): void {
    const body = record.body as unknown as KeyBody;
    if (body.action === 'register') {
      const list = this.registrations.get(body.key) ?? [];
      list.push({ roles: body.roles, notBefore: body.notBefore, notAfter: body.notAfter });
      this.registrations.set(body.key, list);
    } else if (body.action === 'revoke') {
      const earlier = this.revokedAt.get(body.key);
      if (earlier === undefined || record.time < earlier) this.revokedAt.set(body.key, record.time);
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

  keys(): string[] {
    return [...this.registrations.keys()];
  }
}
