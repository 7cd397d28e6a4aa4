import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Evidence } from './auditor';

/** Where an auditor keeps the last checkpoint it verified per origin, and the evidence of rollbacks and forks. */
export interface WitnessStore {
  load(origin: string): Promise<string | null>;
  save(origin: string, note: string): Promise<void>;
  /** Keeps both signed notes; returns where. */
  keepEvidence(evidence: Evidence, detectedAt: Date): Promise<string>;
}

const fileName = (origin: string) => encodeURIComponent(origin);

/**
 * Witness state as files: `<dir>/<origin>.checkpoint` holds the signed note last verified;
 * `<dir>/evidence/` keeps, per incident, both notes that contradict each other.
 */
export class FileWitness implements WitnessStore {
  constructor(readonly dir: string) {}

  async load(origin: string): Promise<string | null> {
    try {
      return await readFile(join(this.dir, `${fileName(origin)}.checkpoint`), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async save(origin: string, note: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${fileName(origin)}.checkpoint`);
    await writeFile(`${file}.${process.pid}.tmp`, note);
    await rename(`${file}.${process.pid}.tmp`, file);
  }

  async keepEvidence(evidence: Evidence, detectedAt: Date): Promise<string> {
    const dir = join(this.dir, 'evidence');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${fileName(evidence.origin)}-${evidence.kind}-${detectedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(file, JSON.stringify({ ...evidence, detectedAt: detectedAt.toISOString() }, null, 2) + '\n');
    return file;
  }
}
