import type { DecisionDiff } from '../diff/decision-diff';
import type { ReplaySummary } from '../diff/summary';
import type { ReplayResult, RunParameters } from '../run/replay-run';

export const REPLAY_REPORT_FORMAT = 'arbiter.replay-report/1';

/** What `arbiter replay --json` writes: for notebooks, the same findings the HTML report shows. */
export interface ReplayReport {
  format: typeof REPLAY_REPORT_FORMAT;
  generatedAt: string;
  parameters: RunParameters;
  run: { startedAt: string; finishedAt: string; resumed: boolean; decisionsThisRun: number; seconds: number; decisionsPerSec: number; workers: number };
  summary: ReplaySummary;
  /** Every decision that changed or could not be replayed (its trigger mismatched or missing), in ledger order; the summary counts the rest. */
  decisions: DecisionDiff[];
}

export function replayReport(result: ReplayResult, now: Date = new Date()): ReplayReport {
  const { parameters, summary, diffs, startedAt, finishedAt, resumed, decisionsThisRun, seconds, decisionsPerSec, workers } = result;
  return {
    format: REPLAY_REPORT_FORMAT,
    generatedAt: now.toISOString(),
    parameters,
    run: { startedAt, finishedAt, resumed, decisionsThisRun, seconds, decisionsPerSec, workers },
    summary,
    decisions: diffs,
  };
}

/** A few lines for a terminal: totals, then each decision point. */
export function replaySummaryText(report: ReplayReport): string {
  const s = report.summary;
  const notReplayed = s.statuses['trigger-mismatch'] + s.statuses['trigger-missing'] + s.statuses['no-candidate-policy'];
  const lines = [`${s.decisions} recorded decisions (${report.parameters.reasoner}): ${s.statuses.unchanged} unchanged, ${s.statuses.changed} changed${notReplayed ? `, ${notReplayed} not replayed` : ''}`];
  for (const p of s.byPoint) {
    const kinds = (['newly-escalated', 'no-longer-escalated', 'newly-clamped', 'newly-fallback', 'newly-approved', 'newly-rejected'] as const).filter((k) => p.changes[k]).map((k) => `${k} ${p.changes[k]}`);
    lines.push(`  ${p.decisionPoint.padEnd(22)} ${String(p.decisions).padStart(7)} decisions  ${String(p.statuses.changed).padStart(6)} changed${kinds.length ? ` (${kinds.join(', ')})` : ''}`);
    for (const [key, t] of Object.entries(p.amounts)) {
      lines.push(`  ${''.padEnd(22)} ${key}: ${t.recorded} → ${t.candidate} executed, ${t.recordedPending} → ${t.candidatePending} held for review`);
    }
    if (p.statuses['trigger-mismatch']) lines.push(`  ${''.padEnd(22)} ${p.statuses['trigger-mismatch']} archived trigger(s) do not match the digest recorded`);
    if (p.statuses['trigger-missing']) lines.push(`  ${''.padEnd(22)} ${p.statuses['trigger-missing']} trigger(s) not found in the archive or the record`);
    if (p.statuses['no-candidate-policy']) lines.push(`  ${''.padEnd(22)} no candidate policy governs this decision point: not replayed`);
  }
  return lines.join('\n');
}
