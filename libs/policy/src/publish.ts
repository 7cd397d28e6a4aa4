import { ChainWriter, POLICIES_CHAIN, PolicyBody, Signer, uuidV5 } from '@arbiter/ledger';
import type { Json } from '@arbiter/ledger';
import { LoadedPolicy, PolicyError } from './policy-book';

/** The store event id of a policy version: publishing the same version twice is one entry. */
export function policyEntryId(policyId: string, version: number): string {
  return uuidV5(`policy\n${policyId}\n${version}`);
}

/**
 * Writes a `policy` entry for every version not yet in chain `policies`. A published version is
 * immutable: a different document under the same id and version is refused.
 */
export async function publishPolicies(writer: ChainWriter, signer: Signer, policies: LoadedPolicy[]): Promise<{ published: string[] }> {
  const published: string[] = [];
  for (const p of policies) {
    const { policyId, version } = p.document;
    const body: PolicyBody = { policyId, version, digest: p.digest, document: p.document as unknown as { [key: string]: Json } };
    const result = await writer.append({ chain: POLICIES_CHAIN, type: 'policy', body, eventId: policyEntryId(policyId, version), signer });
    if (result.duplicate && result.record.body.digest !== p.digest) {
      throw new PolicyError(`${p.file}: ${policyId} v${version} was already published with another document; publish it as a new version`);
    }
    if (!result.duplicate) published.push(`${policyId}@${version}`);
  }
  return { published };
}
