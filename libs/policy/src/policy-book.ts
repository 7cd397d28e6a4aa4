import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { canonicalize, sha256Hex } from '@arbiter/ledger';
import { CelSyntaxError } from './cel';
import { CompiledPolicy, compilePolicy } from './compiled-policy';
import { PolicyDocument, policyDocument } from './policy-document';
import { lintPolicy } from './verdict';

export class PolicyError extends Error {
  readonly code = 'policy-invalid';
}

export interface LoadedPolicy {
  document: PolicyDocument;
  /** Hex SHA-256 of the JCS form of the document: what every decision names. */
  digest: string;
  file: string;
  compiled: CompiledPolicy;
}

export function policyDigest(document: PolicyDocument): string {
  return sha256Hex(canonicalize(document));
}

export function parsePolicy(text: string, file: string): LoadedPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text, { intAsBigInt: false, uniqueKeys: true });
  } catch (e) {
    throw new PolicyError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const parsed = policyDocument.safeParse(raw);
  if (!parsed.success) {
    throw new PolicyError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const problems = lintPolicy(parsed.data);
  if (problems.length) throw new PolicyError(`${file}: ${problems.join('; ')}`);
  let compiled: CompiledPolicy;
  try {
    compiled = compilePolicy(parsed.data);
  } catch (e) {
    if (e instanceof CelSyntaxError) throw new PolicyError(`${file}: an expression does not parse: ${e.message}`);
    throw e;
  }
  try {
    return { document: parsed.data, digest: policyDigest(parsed.data), file, compiled };
  } catch (e) {
    throw new PolicyError(`${file}: ${(e as Error).message}`);
  }
}

/** The policies in force: one per decision point, read from a directory of YAML files. */
export class PolicyBook {
  private readonly byPoint = new Map<string, LoadedPolicy>();

  constructor(policies: LoadedPolicy[]) {
    for (const p of policies) {
      const clash = this.byPoint.get(p.document.decisionPoint);
      if (clash) throw new PolicyError(`${p.file} and ${clash.file} both govern ${p.document.decisionPoint}`);
      this.byPoint.set(p.document.decisionPoint, p);
    }
  }

  static load(dir: string): PolicyBook {
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    return new PolicyBook(files.map((f) => parsePolicy(readFileSync(join(dir, f), 'utf8'), join(dir, f))));
  }

  forPoint(decisionPoint: string): LoadedPolicy | undefined {
    return this.byPoint.get(decisionPoint);
  }

  all(): LoadedPolicy[] {
    return [...this.byPoint.values()];
  }
}
