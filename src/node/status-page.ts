// The status page, the way Thanos Query shows its stores: served by the node on its metrics listener, one HTML
// file with its own CSS and script (no external assets: operators' networks may have no internet). It reads
// /status.json every second and draws the peers, the route table, a map of the mesh (nodes and clouds, drawn
// from the routes' node paths) and per cloud-region health (requests, errors, the last failed request, the server
// poller's interval and lag, servers tracked, shared-read hit rate, rate limit). Text goes in with textContent, never as HTML.
import type { Router } from '../mesh/router.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { Route } from './metrics-server.ts';
import { nodeStatus } from './status.ts';

export function statusRoutes(nodeId: string, router: Router, metrics?: NodeMetrics): Record<string, Route> {
  return {
    '/': (_request, response) => {
      response
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy':
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        })
        .end(STATUS_PAGE);
    },
    '/status.json': async (_request, response) => {
      const status = await nodeStatus(nodeId, router, metrics);
      response
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(status));
    },
  };
}

const STATUS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>oaktree status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .2em} h2{font-size:1.05em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff} th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}
th{background:#f0f0f0} .up{color:#0a7d2c;font-weight:600} .down{color:#c0262d;font-weight:600}
#live{font-size:.85em;color:#666} #live.stale{color:#c0262d}
svg{background:#fff;border:1px solid #ddd} .n-node{fill:#e6f0ff;stroke:#3563c9} .n-self{fill:#cfe0ff;stroke:#1d3f8f;stroke-width:2}
.n-cloud{fill:#eaf7ea;stroke:#2f8a3a} .n-down{fill:#fde8e8;stroke:#c0262d;stroke-dasharray:4 3}
.edge{stroke:#999;stroke-width:1.5;fill:none} .edge.down{stroke:#c0262d;stroke-dasharray:4 3} svg text{font-size:12px}
</style></head>
<body>
<h1>oaktree node <span id="node"></span></h1>
<div id="live">connecting…</div>
<h2>Mesh</h2><svg id="map" width="900" height="120" role="img" aria-label="map of the mesh"></svg>
<h2>Peers</h2><table id="peers"><thead><tr><th>peer</th><th>state</th><th>locations</th></tr></thead><tbody></tbody></table>
<h2>Routes</h2><table id="routes"><thead><tr><th>location</th><th>hops</th><th>node path</th><th>via</th><th>state</th></tr></thead><tbody></tbody></table>
<h2>Cloud health (this node's own requests)</h2><table id="health"><thead><tr><th>cloud/region</th><th>requests</th><th>errors</th><th>429s</th><th>shared-read hit rate</th><th>rate limit</th><th>last error</th><th>poller interval</th><th>poller lag</th><th>servers tracked</th></tr></thead><tbody></tbody></table>
<script>
'use strict';
const SVG = 'http://www.w3.org/2000/svg';
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = String(text); if (cls) td.className = cls; return td; }
function fill(id, rows, render) {
  const body = document.querySelector('#' + id + ' tbody'); body.replaceChildren();
  for (const item of rows) render(body.insertRow(), item);
}
function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}
function drawMap(status) {
  // Nodes by their depth on the routes' paths; a cloud one column right of its deepest owner.
  const depth = new Map([[status.nodeId, 0]]), clouds = new Map(), edges = new Map(), alive = new Map([[status.nodeId, true]]);
  for (const r of status.routes) {
    r.path.forEach((id, i) => {
      depth.set(id, Math.max(depth.get(id) ?? 0, i));
      alive.set(id, (alive.get(id) ?? false) || r.reachable || i === 0);
      if (i > 0) { const k = r.path[i - 1] + '>' + id; edges.set(k, (edges.get(k) ?? false) || r.reachable); }
    });
    const owner = r.path[r.path.length - 1];
    clouds.set(r.cloud, Math.max(clouds.get(r.cloud) ?? 0, r.path.length));
    const k = owner + '>cloud:' + r.cloud; edges.set(k, (edges.get(k) ?? false) || r.reachable);
  }
  const columns = [];
  for (const [id, d] of depth) (columns[d] ??= []).push({ key: id, label: id, kind: 'node' });
  for (const [name, d] of clouds) (columns[d] ??= []).push({ key: 'cloud:' + name, label: name, kind: 'cloud' });
  const at = new Map(), W = 150, H = 46, GX = 60, GY = 18;
  const tallest = Math.max(1, ...columns.map((c) => (c ? c.length : 0)));
  const svg = document.getElementById('map'); svg.replaceChildren();
  svg.setAttribute('width', String(Math.max(300, columns.length * (W + GX) + 20)));
  svg.setAttribute('height', String(tallest * (H + GY) + 20));
  columns.forEach((column, c) => (column ?? []).sort((a, b) => a.label.localeCompare(b.label)).forEach((n, i) => at.set(n.key, { x: 10 + c * (W + GX), y: 10 + i * (H + GY), n })));
  for (const [k, up] of edges) {
    const [from, to] = k.split('>'); const a = at.get(from), b = at.get(to); if (!a || !b) continue;
    svg.append(svgEl('path', { class: 'edge' + (up ? '' : ' down'), d: 'M' + (a.x + W) + ',' + (a.y + H / 2) + ' L' + b.x + ',' + (b.y + H / 2) }));
  }
  for (const { x, y, n } of at.values()) {
    const down = n.kind === 'node' && !alive.get(n.key);
    const cls = n.kind === 'cloud' ? 'n-cloud' : down ? 'n-down' : n.key === status.nodeId ? 'n-self' : 'n-node';
    const g = svgEl('g', { 'data-kind': n.kind, 'data-name': n.label, 'data-up': String(!down) });
    g.append(svgEl('rect', { x, y, width: W, height: H, rx: n.kind === 'cloud' ? 18 : 4, class: cls }));
    g.append(svgEl('text', { x: x + 8, y: y + 19 }, n.label));
    g.append(svgEl('text', { x: x + 8, y: y + 36 }, n.kind === 'cloud' ? 'cloud' : down ? 'node · down' : 'node'));
    svg.append(g);
  }
}
function render(status) {
  document.getElementById('node').textContent = status.nodeId;
  fill('peers', status.peers, (row, p) => { row.dataset.peer = p.id; row.dataset.up = String(p.up); cell(row, p.id); cell(row, p.up ? 'up' : 'down', p.up ? 'up' : 'down'); cell(row, p.locations); });
  fill('routes', status.routes, (row, r) => { cell(row, r.location); cell(row, r.hops); cell(row, r.path.join(' → ')); cell(row, r.backend); cell(row, r.reachable ? 'reachable' : 'unreachable', r.reachable ? 'up' : 'down'); });
  fill('health', status.health, (row, h) => {
    const where = h.cloud + (h.region ? '/' + h.region : ''); row.dataset.location = where; cell(row, where);
    cell(row, h.requests); cell(row, h.errors, h.errors ? 'down' : ''); cell(row, h.throttled);
    cell(row, h.sharedReadHitRate === null ? '–' : Math.round(h.sharedReadHitRate * 100) + ' %');
    cell(row, h.rateLimit === null ? '–' : h.rateLimit + ' req/s');
    const e = h.lastError;
    cell(row, e ? e.method + ' ' + e.service + ': ' + (e.status ? 'HTTP ' + e.status : 'no answer') + ' at ' + new Date(e.at).toLocaleTimeString() : '–', e ? 'down last-error' : 'last-error');
    const p = h.poller, secs = (s) => (s === null || s === undefined ? '–' : s.toFixed(1) + ' s');
    cell(row, p ? secs(p.intervalSeconds) : '–', 'poller-interval'); cell(row, p ? secs(p.lagSeconds) : '–', 'poller-lag');
    cell(row, p ? p.serversTracked : '–', 'servers-tracked');
  });
  drawMap(status);
}
async function tick() {
  const live = document.getElementById('live');
  try {
    const response = await fetch('status.json', { cache: 'no-store' });
    const status = await response.json();
    render(status);
    live.textContent = 'live · updated ' + new Date(status.time).toLocaleTimeString(); live.className = '';
  } catch (error) { live.textContent = 'node not answering: ' + error.message; live.className = 'stale'; }
  setTimeout(tick, 1000);
}
tick();
</script></body></html>
`;
