/** Each ledger is its own consumer of the domain topics: its reasoners share one group. */
export function reasonerGroup(ledger: string): string {
  return `${ledger}.reasoner`;
}
