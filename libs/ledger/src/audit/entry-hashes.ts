/**
 * The `hash` of every well-formed entry by chain and seq, for the reviews that name a decision by
 * them (§4). A ledger of a million entries keeps 32 MB here: each chain holds its hashes as raw
 * bytes in seq order, as chains are written; only an entry out of that order (a gap, a repeated
 * seq: a ledger that already fails) is kept apart. The last entry seen at a place wins.
 */
export class EntryHashes {
  private readonly chains = new Map<string, { bytes: Buffer; count: number }>();
  private readonly apart = new Map<string, string>();

  put(chain: string, seq: number, hash: string): void {
    let c = this.chains.get(chain);
    if (!c) this.chains.set(chain, (c = { bytes: Buffer.allocUnsafe(32 * 4), count: 0 }));
    if (seq !== c.count) {
      this.apart.set(place(chain, seq), hash);
      return;
    }
    if (c.bytes.length < 32 * (seq + 1)) {
      const grown = Buffer.allocUnsafe(2 * c.bytes.length);
      c.bytes.copy(grown, 0, 0, 32 * c.count);
      c.bytes = grown;
    }
    c.bytes.write(hash, 32 * seq, 32, 'hex');
    c.count++;
    if (this.apart.size) this.apart.delete(place(chain, seq));
  }

  get(chain: string, seq: number): string | undefined {
    const apart = this.apart.size ? this.apart.get(place(chain, seq)) : undefined;
    if (apart !== undefined) return apart;
    const c = this.chains.get(chain);
    return c && Number.isSafeInteger(seq) && seq >= 0 && seq < c.count ? c.bytes.toString('hex', 32 * seq, 32 * seq + 32) : undefined;
  }
}

const place = (chain: string, seq: number) => `${seq}\u0000${chain}`;
