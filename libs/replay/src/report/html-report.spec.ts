import { emptySummary, addToSummary } from '../diff/summary';
import type { DecisionDiff, DecisionSide } from '../diff/decision-diff';
import { renderHtmlReport } from './html-report';
import { REPLAY_REPORT_FORMAT, ReplayReport } from './replay-report';

const hostile = '<script>alert("x")</script>';
const side = (outcome: DecisionSide['outcome'], refundCents: number): DecisionSide => ({
  policy: { id: 'dispute-resolution', version: 1, digest: 'd' }, reasoner: { kind: 'heuristic', source: 'recorded' }, proposal: null, outcome,
  action: { type: 'dispute.refund', params: { refundCents } }, pending: null, escalatedBy: [], flaggedChecks: [{ check: 'param:refundCents', result: 'clamped', detail: `${hostile} clamped` }],
});
const changed: DecisionDiff = {
  decisionId: 'a7d1c0de-0000-5000-8000-000000000001', decisionPoint: 'dispute.resolution', customer: hostile,
  trigger: { eventId: 'e1', type: 'dispute.opened', time: '2026-06-01T00:00:00.000Z', source: 'archive', recordedDigest: 'x' },
  ledger: { chain: `decisions-${hostile}`, seq: 0, hash: 'h', time: '2026-06-01T00:00:00.000Z' }, status: 'changed', changes: ['outcome', 'newly-clamped', 'action-params'],
  recorded: side('approved', 40_000), candidate: side('clamped', 30_000),
};

function report(): ReplayReport {
  const summary = emptySummary();
  addToSummary(summary, changed);
  return {
    format: REPLAY_REPORT_FORMAT, generatedAt: '2026-06-02T00:00:00.000Z',
    parameters: { source: 'data:/x', reasoner: 'recorded', policies: [{ decisionPoint: 'dispute.resolution', policyId: 'dispute-resolution', version: 1, digest: 'd' }], filter: { customers: [], decisionPoints: [], from: null, to: null } },
    run: { startedAt: '', finishedAt: '', resumed: false, decisionsThisRun: 1, seconds: 0, decisionsPerSec: 0, workers: 0 },
    summary, decisions: [changed],
  };
}

describe('the HTML replay report', () => {
  it('is one self-contained page: inline SVG charts, nothing loaded from anywhere', () => {
    const html = renderHtmlReport(report());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
  });

  it('shows the summary, the money and an example of each changed decision point', () => {
    const html = renderHtmlReport(report());
    expect(html).toContain('Replay: 1 of 1 decisions would have changed');
    expect(html).toContain('dispute.refund/refundCents');
    expect(html).toContain('<td class="n">40000</td><td class="n">30000</td><td class="n">-10000</td>');
    expect(html).toContain(changed.decisionId);
  });

  it('writes text from the ledger as text, never as markup', () => {
    const html = renderHtmlReport(report());
    expect(html).not.toContain(hostile);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
  });
});
