/** Small inline SVG charts for the HTML report: no script, no fonts or images from anywhere else. */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Segment {
  label: string;
  value: number;
  color: string;
}

const ROW = 26;
const LABEL = 190;
const WIDTH = 720;

/** One horizontal bar per row, split into segments (e.g. unchanged, changed, not replayed); the widest row spans the chart. */
export function stackedBars(rows: { label: string; segments: Segment[] }[], title: string): string {
  const max = Math.max(1, ...rows.map((r) => r.segments.reduce((n, s) => n + s.value, 0)));
  const legend = rows[0]?.segments ?? [];
  const height = rows.length * ROW + 50;
  const bars = rows.map((row, i) => {
    let x = LABEL;
    const y = 30 + i * ROW;
    const parts = row.segments.map((s) => {
      const w = ((WIDTH - LABEL - 60) * s.value) / max;
      const rect = s.value > 0 ? `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 8}" fill="${s.color}"><title>${escapeXml(`${row.label}: ${s.label} ${s.value}`)}</title></rect>` : '';
      x += w;
      return rect;
    });
    const total = row.segments.reduce((n, s) => n + s.value, 0);
    return `<text x="${LABEL - 8}" y="${y + 13}" text-anchor="end">${escapeXml(row.label)}</text>${parts.join('')}<text x="${(x + 6).toFixed(1)}" y="${y + 13}">${total}</text>`;
  });
  const keys = legend.map((s, i) => `<rect x="${LABEL + i * 150}" y="6" width="12" height="12" fill="${s.color}"/><text x="${LABEL + i * 150 + 18}" y="16">${escapeXml(s.label)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">${keys.join('')}${bars.join('')}</svg>`;
}

/** Pairs of bars (recorded, candidate) per category: outcomes of one decision point, or money totals. */
export function pairedBars(categories: { label: string; recorded: number; candidate: number }[], title: string, colors = { recorded: '#8c96a3', candidate: '#2f6fbd' }): string {
  const max = Math.max(1, ...categories.flatMap((c) => [c.recorded, c.candidate]));
  const height = categories.length * (ROW * 2) + 40;
  const bar = (value: number, y: number, color: string, label: string) => {
    const w = ((WIDTH - LABEL - 110) * value) / max;
    return `<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 10}" fill="${color}"><title>${escapeXml(`${label} ${value}`)}</title></rect><text x="${(LABEL + w + 6).toFixed(1)}" y="${y + 12}">${value}</text>`;
  };
  const rows = categories.map((c, i) => {
    const y = 30 + i * ROW * 2;
    return `<text x="${LABEL - 8}" y="${y + 22}" text-anchor="end">${escapeXml(c.label)}</text>${bar(c.recorded, y, colors.recorded, `${c.label}, recorded`)}${bar(c.candidate, y + ROW - 8, colors.candidate, `${c.label}, candidate`)}`;
  });
  const legend = `<rect x="${LABEL}" y="6" width="12" height="12" fill="${colors.recorded}"/><text x="${LABEL + 18}" y="16">recorded</text><rect x="${LABEL + 110}" y="6" width="12" height="12" fill="${colors.candidate}"/><text x="${LABEL + 128}" y="16">candidate</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">${legend}${rows.join('')}</svg>`;
}
