import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainEvent } from '@arbiter/contracts';
import type { LedgerRecord } from '@arbiter/ledger';
import type { CustomerMemory } from '@arbiter/memory';
import { arbiter, decisionRecords, demoLedger, hashTree, stricterRefundPolicies } from './analysts-helpers';

const outDir = () => mkdtempSync(join(tmpdir(), 'arbiter-history-out-'));

/** The domain events of a data directory, as exported: what the other checks are measured against. */
function exportedDomainEvents(data: string): { position: string; at: string; event: DomainEvent }[] {
  const file = join(outDir(), 'all.ndjson');
  const run = arbiter(['events', 'export', '--data', data, '--type', 'domain', '--format', 'ndjson', '--out', file]);
  if (run.status !== 0) throw new Error(run.stderr);
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('analysts reading history from a demo ledger', () => {
  let data: string;
  let records: LedgerRecord[];
  let domain: { position: string; at: string; event: DomainEvent }[];

  beforeAll(async () => {
    data = demoLedger(1_000);
    records = await decisionRecords(data);
    domain = exportedDomainEvents(data);
  }, 300_000);

  it('exports every archived domain event once, in store order, with its CloudEvent intact', () => {
    const placed = domain.filter((d) => d.event.type === 'order.placed');
    expect(domain.length).toBe(1_000);
    expect(new Set(domain.map((d) => d.event.id)).size).toBe(1_000);
    const commits = domain.map((d) => Number(d.position.split('/')[0]));
    expect(commits).toEqual([...commits].sort((a, b) => a - b));
    expect(placed.length).toBeGreaterThan(0);
    expect(placed[0].event).toMatchObject({ specversion: '1.0', type: 'order.placed', subject: expect.any(String), data: { orderId: expect.any(String) } });
  });

  it('exports the decisions of a decision point with their signed records, and the events that trigger them', () => {
    const file = join(outDir(), 'disputes.ndjson');
    const run = arbiter(['events', 'export', '--data', data, '--decision-point', 'dispute.resolution', '--format', 'ndjson', '--out', file, '--json']);
    expect(run.status).toBe(0);
    const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const disputes = records.filter((r) => r.body.decisionPoint === 'dispute.resolution');
    const decisions = rows.filter((r) => r.kind === 'decision');
    expect(decisions.map((r) => r.record.hash)).toEqual(disputes.map((r) => r.hash));
    expect(rows.filter((r) => r.kind === 'domain').map((r) => r.id).sort()).toEqual(domain.filter((d) => d.event.type === 'dispute.opened').map((d) => d.event.id).sort());
    expect(JSON.parse(run.stdout)).toEqual({ out: file, format: 'ndjson', domainEvents: rows.length - decisions.length, decisions: decisions.length });
  });

  it('exports one customer between two times as CSV, one row each with a header', () => {
    const customer = records[0].chain.replace('decisions-', '');
    const times = domain.map((d) => d.at).sort();
    const [from, to] = [times[Math.floor(times.length / 4)], times[Math.floor((3 * times.length) / 4)]];
    const file = join(outDir(), 'customer.csv');
    expect(arbiter(['events', 'export', '--data', data, '--customer', customer, '--from', from, '--to', to, '--format', 'csv', '--out', file]).status).toBe(0);
    const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('kind,position,at,customer,type,id,decision_point,outcome,action_type,action_params,topic,partition,offset,chain,seq,hash,data');
    const inWindow = (at: string) => at >= from && at < to;
    const events = domain.filter((d) => d.event.subject === customer && inWindow(d.at));
    const decided = records.filter((r) => r.chain === `decisions-${customer}` && inWindow((r.body.context as { memory: { asOf: string } }).memory.asOf));
    expect(lines.length - 1).toBe(events.length + decided.length);
    expect(lines.slice(1).every((l) => l.split(',')[3] === customer)).toBe(true);
  });

  it('rebuilds a customer\'s memory as it stood at a time: only what had happened by then', () => {
    const orders = domain.filter((d) => d.event.type === 'order.placed');
    const customer = orders[Math.floor(orders.length / 2)].event.subject;
    const mine = orders.filter((d) => d.event.subject === customer).map((d) => d.at).sort();
    expect(mine.length).toBeGreaterThan(1);
    const asOf = mine[Math.floor(mine.length / 2)];
    const run = arbiter(['memory', 'as-of', '--time', asOf, '--customer', customer, '--data', data, '--json']);
    expect(run.status).toBe(0);
    const { memories, asOf: shown } = JSON.parse(run.stdout) as { memories: CustomerMemory[]; asOf: string };
    expect(shown).toBe(new Date(asOf).toISOString());
    expect(memories[0]).toMatchObject({ customerId: customer, known: true, asOf: shown });
    expect(memories[0].stats.orders).toBe(mine.filter((at) => at <= asOf).length);
    expect(memories[0].stats.orders).toBeLessThan(mine.length);
  });

  it('says a customer first seen later was unknown at that time, with exit status 1', () => {
    const first = domain[0].at;
    const late = domain.filter((d) => d.event.type === 'customer.registered').pop()!.event.subject;
    const before = domain.filter((d) => d.event.subject === late).map((d) => d.at).sort()[0];
    const run = arbiter(['memory', 'as-of', '--time', new Date(Date.parse(before) - 1).toISOString(), '--customer', late, '--data', data]);
    expect(Date.parse(before)).toBeGreaterThan(Date.parse(first));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`not known as of .*${late}`));
  });

  it('writes nothing to the data directory: replay, export and memory as-of leave every file as it was', () => {
    const before = hashTree(data);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['events.db', 'bus.db', 'keys/root.did']));
    const out = outDir();

    expect(arbiter(['replay', '--policy', stricterRefundPolicies(10_000), '--data', data, '--json', join(out, 'r.json'), '--report', join(out, 'r.html')]).status).toBe(0);
    expect(hashTree(data)).toEqual(before);

    expect(arbiter(['events', 'export', '--data', data, '--format', 'csv', '--out', join(out, 'e.csv')]).status).toBe(0);
    expect(hashTree(data)).toEqual(before);

    expect(arbiter(['memory', 'as-of', '--time', domain[domain.length - 1].at, '--customer', records[0].chain.replace('decisions-', ''), '--data', data]).status).toBe(0);
    expect(hashTree(data)).toEqual(before);
  });
});
