import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyFromDidKey, verifyReference } from '@arbiter/ledger';
import { FileKeyStore } from './file-key-store';

describe('the file key store', () => {
  let dir: string;
  beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'arbiter-keys-')), 'keys')));
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('generates a key on first use, readable by its owner only, and signs with it', async () => {
    const signer = await new FileKeyStore(dir).signer('reasoner');
    expect(statSync(join(dir, 'reasoner.key')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const message = Buffer.from('decide');
    expect(verifyReference(publicKeyFromDidKey(signer.did), message, await signer.sign(message))).toBe(true);
  });

  it('gives the same key back after a restart', async () => {
    const first = await new FileKeyStore(dir).signer('reasoner');
    const again = await new FileKeyStore(dir).signer('reasoner');
    expect(again.did).toBe(first.did);
    expect(await new FileKeyStore(dir).didOf('reasoner')).toBe(first.did);
  });

  it('never lets the secret out through the signer: serialising it shows only name and did', async () => {
    const signer = await new FileKeyStore(dir).signer('reasoner');
    const secretHex = readFileSync(join(dir, 'reasoner.key'), 'utf8').trim();
    const shown = JSON.stringify(signer) + String(signer) + JSON.stringify(Object.entries(signer));
    expect(shown).not.toContain(secretHex);
    expect(JSON.parse(JSON.stringify(signer))).toEqual({ name: 'reasoner', did: signer.did });
  });

  it('refuses key names that could escape the directory', async () => {
    await expect(new FileKeyStore(dir).signer('../root')).rejects.toThrow(TypeError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
