import { readFileSync, statSync } from 'node:fs';
import { LoadedPolicy, PolicyBook, parsePolicy } from '@arbiter/policy';
import { ReplayError } from '../errors';

/** The policies a replay judges with: a directory of policy files (like ARBITER_POLICIES_DIR) or one file. */
export function loadCandidatePolicies(path: string): PolicyBook {
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch (e) {
    // Only a missing path is the user's mistake; anything else (permissions, too many open files) says what it is.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new ReplayError('no-candidate-policies', `no policy file or directory at ${path}`);
  }
  const book = directory ? PolicyBook.load(path) : new PolicyBook([parsePolicy(readFileSync(path, 'utf8'), path)]);
  if (book.all().length === 0) throw new ReplayError('no-candidate-policies', `${path} holds no policy (*.yaml)`);
  return book;
}

/** Who governs what in a candidate set, for reports and for telling one run's sandbox from another's. */
export function describePolicies(book: PolicyBook): { decisionPoint: string; policyId: string; version: number; digest: string; file: string }[] {
  return book
    .all()
    .map((p: LoadedPolicy) => ({ decisionPoint: p.document.decisionPoint, policyId: p.document.policyId, version: p.document.version, digest: p.digest, file: p.file }))
    .sort((a, b) => a.decisionPoint.localeCompare(b.decisionPoint));
}
