import { DomainEventRow, csvHeader, csvLine } from './event-export';

describe('CSV export', () => {
  it('quotes fields with commas, quotes and line breaks, and doubles the quotes (RFC 4180)', () => {
    const row: DomainEventRow = {
      kind: 'domain', position: '7/7', at: '2026-06-01T00:00:00.000Z', customer: 'cus_1', type: 'dispute.opened', id: 'e,1',
      where: { topic: 'marketplace.disputes', partition: 0, offset: '3', timestamp: '2026-06-01T00:00:00.000Z' },
      event: { data: { text: 'he said "no",\nthen left' } },
    };
    const line = csvLine(row);
    expect(line.endsWith('\r\n')).toBe(true);
    const cells = line.slice(0, -2);
    expect(cells).toBe('domain,7/7,2026-06-01T00:00:00.000Z,cus_1,dispute.opened,"e,1",,,,,marketplace.disputes,0,3,,,,"{""text"":""he said \\""no\\"",\\nthen left""}"');
    expect(csvHeader()).toBe('kind,position,at,customer,type,id,decision_point,outcome,action_type,action_params,topic,partition,offset,chain,seq,hash,data\r\n');
  });
});
