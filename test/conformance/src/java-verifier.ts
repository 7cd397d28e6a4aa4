import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const project = join(__dirname, '..');
const sources = join(project, 'java', 'arbiter', 'conformance');

/** The published vectors the self-tests read, each file naming its source. */
export const VECTORS = join(project, 'vectors');

/** Compiles the Java verifier with plain `javac` (JDK only) into a fresh directory under the OS temp dir. */
export function compileVerifier(): string {
  const build = mkdtempSync(join(tmpdir(), 'arbiter-conformance-'));
  const files = readdirSync(sources).filter((f) => f.endsWith('.java')).map((f) => join(sources, f));
  execFileSync('javac', ['--release', '17', '-Xlint:all,-serial', '-Werror', '-d', build, ...files], { stdio: 'pipe' });
  return build;
}

export function removeBuild(build: string): void {
  rmSync(build, { recursive: true, force: true });
}

export interface Failure {
  code: string;
  chain?: string;
  seq?: number;
  leaf?: number;
  message: string;
}

export interface VerificationReport {
  ok: boolean;
  entries: number;
  chains: number;
  checkpoint: { size: number; root: string } | null;
  failures: Failure[];
  witness?: { origin: string; state: string; witnessedSize?: number; witnessedRoot?: string };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runJava(build: string, mainClass: string, args: string[]): Run {
  const run = spawnSync('java', ['-cp', build, mainClass, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `Verify --bundle FILE --trust DID [--witness-dir DIR [--consistency FILE]]`: the exit status and the §7 report it printed. */
export function verifyBundle(
  build: string,
  bundle: string,
  trust: string,
  witnessDir?: string,
  consistency?: string,
): { status: number | null; report: VerificationReport; stderr: string } {
  const args = ['--bundle', bundle, '--trust', trust, ...(witnessDir ? ['--witness-dir', witnessDir] : []), ...(consistency ? ['--consistency', consistency] : [])];
  const run = runJava(build, 'arbiter.conformance.Verify', args);
  if (run.status !== 0 && run.status !== 1) throw new Error(`Verify exited ${run.status}: ${run.stderr}`);
  return { status: run.status, report: JSON.parse(run.stdout) as VerificationReport, stderr: run.stderr };
}
