/** The dashboard: plain HTML, inline SVG charts, no third-party code and no network but this API. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Arbiter</title>
<style>
  :root { --ink:#1d2430; --muted:#687385; --line:#e3e7ee; --bg:#f6f8fb; --card:#fff; }
  body { margin:0; font:14px/1.45 system-ui, sans-serif; color:var(--ink); background:var(--bg); }
  header { display:flex; gap:16px; align-items:baseline; padding:16px 24px; background:var(--card); border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0; } header .muted { color:var(--muted); }
  main { display:grid; grid-template-columns:repeat(auto-fit, minmax(340px, 1fr)); gap:16px; padding:16px 24px; }
  section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; }
  section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 10px; }
  .big { font-size:28px; font-weight:600; } .row { display:flex; gap:24px; flex-wrap:wrap; }
  table { width:100%; border-collapse:collapse; font-size:13px; } td, th { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); }
  code { font-size:12px; word-break:break-all; } .muted { color:var(--muted); } .bad { color:#b42318; }
  form { padding:48px 24px; } input { font:inherit; padding:6px 8px; width:360px; } button { font:inherit; padding:6px 12px; }
  .legend span { display:inline-block; margin-right:10px; } .legend i { display:inline-block; width:10px; height:10px; margin-right:4px; border-radius:2px; }
</style></head>
<body>
<header><h1>Arbiter</h1><span class="muted" id="ledger"></span><span class="muted" id="status"></span></header>
<form id="login" hidden><p>This dashboard reads the HTTP API with your API key (it stays in this tab).</p>
  <input id="key" type="password" placeholder="ARBITER_API_KEY" autocomplete="off"> <button>Open</button> <span class="bad" id="loginError"></span></form>
<main id="main" hidden>
  <section><h2>Decisions</h2><div class="row"><div><div class="big" id="total">–</div><div class="muted">in the ledger</div></div>
    <div><div class="big" id="rate">–</div><div class="muted">per second, now</div></div>
    <div><div class="big" id="pending">–</div><div class="muted">waiting for review</div></div></div>
    <svg id="spark" width="100%" height="60" viewBox="0 0 300 60" preserveAspectRatio="none"></svg></section>
  <section><h2>Outcomes by decision point</h2><svg id="outcomes" width="100%" height="160"></svg><div class="legend" id="legend"></div></section>
  <section><h2>Ledger checkpoint</h2><div id="checkpoint">–</div></section>
  <section><h2>Shadow policies</h2><div id="shadow">–</div></section>
  <section style="grid-column:1/-1"><h2>Recent decisions</h2><table id="recent"></table></section>
</main>
<script>
const COLORS = { approved:'#2e7d32', clamped:'#f9a825', fallback:'#6d4c41', escalated:'#c62828', rejected:'#455a64' };
let key = sessionStorage.getItem('arbiter-key');
const history = [];
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&':'&amp;', '<':'&lt;', '>':'&gt;', '"':'&quot;', "'":'&#39;' })[c]);
async function api(path) {
  const res = await fetch(path, { headers: { authorization: 'Bearer ' + key } });
  if (res.status === 401) { sessionStorage.removeItem('arbiter-key'); key = null; showLogin('That key was refused.'); throw new Error('unauthorized'); }
  if (!res.ok) throw new Error(path + ': ' + res.status);
  return res.json();
}
function showLogin(message) { document.getElementById('main').hidden = true; document.getElementById('login').hidden = false; document.getElementById('loginError').textContent = message || ''; }
document.getElementById('login').addEventListener('submit', (e) => { e.preventDefault(); key = document.getElementById('key').value.trim(); sessionStorage.setItem('arbiter-key', key); start(); });
function drawOutcomes(rows) {
  const points = [...new Set(rows.map((r) => r.decisionPoint))].sort();
  const outcomes = Object.keys(COLORS);
  const max = Math.max(1, ...points.map((p) => rows.filter((r) => r.decisionPoint === p).reduce((n, r) => n + r.count, 0)));
  const svg = document.getElementById('outcomes'); const w = svg.clientWidth || 400; const barH = 22; svg.setAttribute('height', points.length * (barH + 14) + 4);
  let out = '';
  points.forEach((p, i) => {
    let x = 140; const y = i * (barH + 14) + 2;
    out += '<text x="0" y="' + (y + 15) + '" font-size="12" fill="#1d2430">' + esc(p) + '</text>';
    for (const o of outcomes) {
      const n = rows.filter((r) => r.decisionPoint === p && r.outcome === o).reduce((a, r) => a + r.count, 0); if (!n) continue;
      const bw = ((w - 150) * n) / max;
      out += '<rect x="' + x + '" y="' + y + '" width="' + bw + '" height="' + barH + '" fill="' + COLORS[o] + '"><title>' + esc(p + ' ' + o + ': ' + n) + '</title></rect>';
      x += bw;
    }
  });
  svg.innerHTML = out;
  document.getElementById('legend').innerHTML = outcomes.map((o) => '<span><i style="background:' + COLORS[o] + '"></i>' + o + '</span>').join('');
}
function drawSpark() {
  const svg = document.getElementById('spark'); const rates = history.map((h) => h.rate); const max = Math.max(1, ...rates);
  const pts = rates.map((r, i) => (i * 300) / Math.max(1, rates.length - 1) + ',' + (58 - (r / max) * 54)).join(' ');
  svg.innerHTML = '<polyline fill="none" stroke="#1e5bb8" stroke-width="2" points="' + pts + '"/>';
}
async function refresh() {
  const [health, summary, decisions, reviews] = await Promise.all([fetch('/health').then((r) => r.json()), api('/v1/audit/summary'), api('/v1/decisions?limit=12'), api('/v1/reviews?status=pending')]);
  document.getElementById('ledger').textContent = 'ledger ' + health.ledger + ' · ' + Object.values(health.adapters).join(' · ');
  document.getElementById('status').textContent = health.status + ', up ' + health.uptimeSeconds + ' s';
  const now = Date.now(); const last = history[history.length - 1];
  const rate = last ? Math.max(0, (summary.decisions - last.total) / ((now - last.at) / 1000)) : 0;
  history.push({ at: now, total: summary.decisions, rate }); if (history.length > 120) history.shift();
  document.getElementById('total').textContent = summary.decisions.toLocaleString();
  document.getElementById('rate').textContent = rate.toFixed(1);
  document.getElementById('pending').textContent = reviews.reviews.length;
  drawSpark(); drawOutcomes(summary.outcomes);
  document.getElementById('recent').innerHTML = '<tr><th>when</th><th>customer</th><th>decision point</th><th>outcome</th><th>action</th><th>reasoner</th></tr>' + decisions.decisions.map((d) =>
    '<tr><td>' + esc(d.decidedAt) + '</td><td>' + esc(d.customerId) + '</td><td>' + esc(d.decisionPoint) + '</td><td style="color:' + (COLORS[d.outcome] || '') + '">' + esc(d.outcome) + '</td><td><code>' + esc(d.action ? d.action.type + ' ' + JSON.stringify(d.action.params) : '—') + '</code></td><td>' + esc(d.reasoner) + '</td></tr>').join('');
  api('/v1/ledger/checkpoint').then((c) => { document.getElementById('checkpoint').innerHTML = '<div class="big">' + c.size.toLocaleString() + '</div><div class="muted">entries covered · root <code>' + esc(c.root) + '</code></div>'; }).catch(() => { document.getElementById('checkpoint').textContent = 'no checkpoint yet'; });
  api('/v1/shadow').then((s) => {
    const el = document.getElementById('shadow');
    if (!s.enabled) { el.textContent = 'off (ARBITER_SHADOW_POLICIES runs candidate policies beside the live ones)'; return; }
    el.innerHTML = '<div class="big">' + (s.disagreementRate * 100).toFixed(1) + '%</div><div class="muted">disagree with the live policies, of ' + s.compared + ' compared</div>'
      + '<table>' + s.points.map((p) => '<tr><td>' + esc(p.decisionPoint) + '</td><td>' + p.disagreed + ' / ' + p.compared + '</td></tr>').join('') + '</table>';
  }).catch(() => {});
}
async function start() {
  if (!key) return showLogin();
  document.getElementById('login').hidden = true; document.getElementById('main').hidden = false;
  try { await refresh(); } catch (e) { if (String(e.message) !== 'unauthorized') document.getElementById('status').textContent = String(e.message); return; }
  setInterval(() => refresh().catch((e) => { document.getElementById('status').textContent = String(e.message); }), 5000);
}
start();
</script></body></html>`;
