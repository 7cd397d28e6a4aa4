import type { DecisionOutcome } from '@arbiter/contracts';
import type { DecisionDiff, DecisionSide } from '../diff/decision-diff';
import type { PointSummary } from '../diff/summary';
import type { ReplayReport } from './replay-report';
import { escapeXml as esc, pairedBars, stackedBars } from './svg';

const OUTCOMES: DecisionOutcome[] = ['approved', 'clamped', 'fallback', 'escalated', 'rejected'];
const COLORS = { unchanged: '#9fc5a8', changed: '#d9822b', notReplayed: '#b8b8b8' };

const STYLE = `
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2430;line-height:1.4}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.8rem;word-break:break-all}
.changed{color:#a85a12;font-weight:600}.muted{color:#667}`;

const notReplayed = (p: { statuses: PointSummary['statuses'] }) => p.statuses['trigger-mismatch'] + p.statuses['trigger-missing'] + p.statuses['no-candidate-policy'];

function actionText(side: DecisionSide | null): string {
  if (!side) return '—';
  const shown = side.action ?? side.pending?.action ?? null;
  const held = !side.action && side.pending ? ' (held for review)' : '';
  return shown ? `${shown.type} ${JSON.stringify(shown.params)}${held}` : 'none';
}

function checksText(side: DecisionSide | null): string {
  if (!side || side.flaggedChecks.length === 0) return '<span class="muted">all passed</span>';
  return side.flaggedChecks.map((c) => `<code>${esc(c.check)}</code> ${esc(c.result)}: ${esc(c.detail)}`).join('<br>');
}

function summaryTable(report: ReplayReport): string {
  const head = '<tr><th>decision point</th><th>decisions</th><th>unchanged</th><th>changed</th><th>not replayed</th><th>newly escalated</th><th>no longer escalated</th><th>newly clamped</th><th>newly fallback</th><th>policy: recorded → candidate</th></tr>';
  const rows = report.summary.byPoint.map(
    (p) =>
      `<tr><td>${esc(p.decisionPoint)}</td><td class="n">${p.decisions}</td><td class="n">${p.statuses.unchanged}</td><td class="n ${p.statuses.changed ? 'changed' : ''}">${p.statuses.changed}</td><td class="n">${notReplayed(p)}</td>` +
      `<td class="n">${p.changes['newly-escalated']}</td><td class="n">${p.changes['no-longer-escalated']}</td><td class="n">${p.changes['newly-clamped']}</td><td class="n">${p.changes['newly-fallback']}</td>` +
      `<td>${esc(p.recordedPolicies.join(', '))} → ${esc(p.candidatePolicy ?? 'none')}</td></tr>`,
  );
  const s = report.summary;
  const total = `<tr><th>all</th><th class="n">${s.decisions}</th><th class="n">${s.statuses.unchanged}</th><th class="n">${s.statuses.changed}</th><th class="n">${notReplayed(s)}</th><th class="n">${s.changes['newly-escalated']}</th><th class="n">${s.changes['no-longer-escalated']}</th><th class="n">${s.changes['newly-clamped']}</th><th class="n">${s.changes['newly-fallback']}</th><th></th></tr>`;
  return `<table>${head}${rows.join('')}${total}</table>`;
}

function amountsTable(points: PointSummary[]): string {
  const rows = points.flatMap((p) =>
    Object.entries(p.amounts).map(
      ([key, t]) =>
        `<tr><td>${esc(p.decisionPoint)}</td><td><code>${esc(key)}</code></td><td class="n">${t.recorded}</td><td class="n">${t.candidate}</td><td class="n">${t.candidate - t.recorded}</td><td class="n">${t.recordedPending}</td><td class="n">${t.candidatePending}</td></tr>`,
    ),
  );
  if (rows.length === 0) return '<p class="muted">No action of these decisions moves money (no <code>…Cents</code> parameter).</p>';
  const amountChart = pairedBars(
    points.flatMap((p) => Object.entries(p.amounts).map(([key, t]) => ({ label: key, recorded: t.recorded, candidate: t.candidate }))),
    'amounts executed, recorded and candidate',
  );
  return `<table><tr><th>decision point</th><th>amount</th><th>executed, recorded</th><th>executed, candidate</th><th>difference</th><th>held for review, recorded</th><th>held for review, candidate</th></tr>${rows.join('')}</table>${amountChart}`;
}

function outcomeCharts(points: PointSummary[]): string {
  return points
    .filter((p) => p.statuses.changed + p.statuses.unchanged > 0)
    .map((p) => {
      const categories = OUTCOMES.filter((o) => p.outcomes.recorded[o] || p.outcomes.candidate[o]).map((o) => ({ label: o, recorded: p.outcomes.recorded[o] ?? 0, candidate: p.outcomes.candidate[o] ?? 0 }));
      const transitions = Object.entries(p.transitions)
        .filter(([k]) => k.split('→')[0] !== k.split('→')[1])
        .map(([k, n]) => `${esc(k)} ${n}`)
        .join(', ');
      return `<h3>${esc(p.decisionPoint)}</h3>${pairedBars(categories, `${p.decisionPoint} outcomes`)}<p class="muted">outcome changes: ${transitions || 'none'}</p>`;
    })
    .join('');
}

function examples(diffs: DecisionDiff[], perPoint: number): string {
  const byPoint = new Map<string, DecisionDiff[]>();
  for (const d of diffs) {
    const list = byPoint.get(d.decisionPoint) ?? [];
    if (list.length < perPoint) byPoint.set(d.decisionPoint, [...list, d]);
  }
  if (byPoint.size === 0) return '<p>No decision came out differently.</p>';
  return [...byPoint]
    .map(
      ([point, list]) =>
        `<h3>${esc(point)}</h3><table><tr><th>decision</th><th>status</th><th>recorded</th><th>candidate</th><th>checks, recorded</th><th>checks, candidate</th></tr>` +
        list
          .map(
            (d) =>
              `<tr><td><code>${esc(d.decisionId)}</code><br>customer ${esc(d.customer)}<br>trigger ${esc(d.trigger.eventId)} at ${esc(d.trigger.time)}<br><span class="muted">${esc(d.ledger.chain)}#${d.ledger.seq}</span></td>` +
              `<td>${esc(d.status)}<br><span class="muted">${esc(d.changes.join(', '))}</span></td>` +
              `<td><b>${esc(d.recorded.outcome)}</b><br>${esc(actionText(d.recorded))}</td><td><b>${esc(d.candidate?.outcome ?? '—')}</b><br>${esc(actionText(d.candidate))}</td>` +
              `<td>${checksText(d.recorded)}</td><td>${checksText(d.candidate)}</td></tr>`,
          )
          .join('') +
        '</table>',
    )
    .join('');
}

/**
 * The replay as one self-contained HTML file: inline CSS and SVG only, nothing fetched from
 * anywhere, so it can be mailed, archived and opened offline.
 */
export function renderHtmlReport(report: ReplayReport, options: { examplesPerPoint?: number } = {}): string {
  const { parameters: p, summary: s } = report;
  const statusChart = stackedBars(
    s.byPoint.map((point) => ({
      label: point.decisionPoint,
      segments: [
        { label: 'unchanged', value: point.statuses.unchanged, color: COLORS.unchanged },
        { label: 'changed', value: point.statuses.changed, color: COLORS.changed },
        { label: 'not replayed', value: notReplayed(point), color: COLORS.notReplayed },
      ],
    })),
    'decisions by decision point and status',
  );
  const policies = p.policies.map((x) => `<tr><td>${esc(x.decisionPoint)}</td><td>${esc(x.policyId)}@${x.version}</td><td><code>${esc(x.digest)}</code></td></tr>`).join('');
  const filters = [
    p.filter.customers.length ? `customers ${p.filter.customers.join(', ')}` : null,
    p.filter.decisionPoints.length ? `decision points ${p.filter.decisionPoints.join(', ')}` : null,
    p.filter.from ? `triggers from ${p.filter.from}` : null,
    p.filter.to ? `triggers before ${p.filter.to}` : null,
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Arbiter replay: ${s.statuses.changed} of ${s.decisions} decisions changed</title><style>${STYLE}</style></head>
<body>
<h1>Replay: ${s.statuses.changed} of ${s.decisions} decisions would have changed</h1>
<p>Recorded decisions of <code>${esc(p.source)}</code>, replayed in ledger order with the memory each decision saw, under the candidate policies below; proposals: <b>${esc(p.reasoner)}</b>.
${filters.length ? `Only ${esc(filters.join('; '))}.` : 'Every recorded decision.'} Generated ${esc(report.generatedAt)}${report.run.resumed ? ' (a resumed run)' : ''}.</p>
<table><tr><th>decision point</th><th>candidate policy</th><th>digest</th></tr>${policies}</table>
<h2>Summary</h2>
${summaryTable(report)}
${statusChart}
<h2>Outcomes by decision point</h2>
${outcomeCharts(s.byPoint)}
<h2>Money</h2>
${amountsTable(s.byPoint)}
<h2>Example diffs</h2>
${examples(report.decisions, options.examplesPerPoint ?? 10)}
<p class="muted">${report.decisions.length} decisions differ or were not replayed; the JSON report (<code>--json</code>) lists every one.</p>
</body></html>
`;
}
