// The status page in a real headless browser (Debian's chromium through puppeteer-core): on a hub with two spokes,
// each spoke serving a simulated cloud, the hub's page shows every node and cloud, and marks a spoke down within
// seconds of it being stopped; a spoke's own page shows a failed request to its cloud (method, service, status and
// time, nothing more) and its server poller. Screenshots: test/integration/operability/artifacts/status-page*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { parseNodeConfig } from '../../../src/node/config.ts';
import { buildBackends, type BuiltBackends } from '../../../src/node/backends.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { createPeerBackend } from '../../../src/backends/peer/peer-backend.ts';
import { NodeMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { clients, collect } from '../../support/node.ts';
import { eventually } from '../../support/wait.ts';

const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
let sim: Simulator;
let dir: string;
const built: BuiltBackends[] = [];
const spokes = new Map<string, RunningNode>();
let hub: RunningNode;
let browser: Browser;

before(async () => {
  sim = await startSimulator({
    clouds: [
      { name: 'sim-east', regions: ['RegionOne'], seedServers: 1, seedImages: 1 },
      { name: 'sim-west', regions: ['RegionOne'], seedServers: 1, seedImages: 1 },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-status-page-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  for (const [id, cloud] of [
    ['spoke-east', 'sim-east'],
    ['spoke-west', 'sim-west'],
  ]) {
    // spoke-east has its own status page: the per-location health of the cloud it serves.
    const metrics = id === 'spoke-east' ? new NodeMetrics({ nodeId: id }) : undefined;
    const backends = await buildBackends(
      parseNodeConfig(`clouds: { file: ${join(dir, 'clouds.yaml')}, only: [${cloud}] }`),
      id,
      silentLogger(),
      { metrics },
    );
    built.push(backends);
    spokes.set(
      id,
      await startNode({
        nodeId: id,
        listen: '127.0.0.1:0',
        backends: backends.backends,
        logger: silentLogger(),
        metrics,
        metricsListen: metrics ? '127.0.0.1:0' : undefined,
      }),
    );
  }
  hub = await startNode({
    nodeId: 'hub',
    listen: '127.0.0.1:0',
    backends: [],
    logger: silentLogger(),
    metrics: new NodeMetrics({ nodeId: 'hub' }),
    metricsListen: '127.0.0.1:0',
  });
  for (const spoke of spokes.values())
    await hub.addBackend(
      createPeerBackend({ address: spoke.address, nodeId: 'hub', logger: silentLogger(), refreshMs: 200 }),
    );
  const api = clients(hub.address);
  try {
    await eventually(
      async () => (await collect(api.location.listLocations({}))).length === 2,
      'the hub reaches both clouds',
    );
  } finally {
    api.close();
  }
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
});

after(async () => {
  await browser?.close();
  await hub?.close(100);
  for (const spoke of spokes.values()) await spoke.close(100);
  for (const b of built) await b.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('status page', { timeout: 90_000 }, () => {
  it('shows every node and cloud of the hub topology, and marks a stopped spoke down within seconds', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(`http://${hub.metricsAddress}/`)) external.push(request.url());
    });
    await page.goto(`http://${hub.metricsAddress}/`);
    for (const [kind, name] of [
      ['node', 'hub'],
      ['node', 'spoke-east'],
      ['node', 'spoke-west'],
      ['cloud', 'sim-east'],
      ['cloud', 'sim-west'],
    ])
      await page.waitForSelector(`#map g[data-kind="${kind}"][data-name="${name}"][data-up="true"]`, {
        timeout: 10_000,
      });
    const routes = await page.$$eval('#routes tbody tr', (rows) => rows.map((row) => row.textContent ?? ''));
    assert.equal(routes.length, 2);
    assert.ok(
      routes.some((row) => row.includes('hub → spoke-east')),
      routes.join('\n'),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });

    const westPeer = `peer:${spokes.get('spoke-west')!.address}`;
    assert.equal(await page.$eval(`tr[data-peer="${westPeer}"]`, (row) => row.getAttribute('data-up')), 'true');
    const stopped = performance.now();
    await spokes.get('spoke-west')!.close(100);
    await page.waitForSelector(`tr[data-peer="${westPeer}"][data-up="false"]`, { timeout: 15_000 });
    await page.waitForSelector('#map g[data-kind="node"][data-name="spoke-west"][data-up="false"]', { timeout: 5_000 });
    const seconds = (performance.now() - stopped) / 1000;
    assert.ok(seconds < 10, `marked down after ${seconds.toFixed(1)} s`);
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-peer-down.png'), fullPage: true });
    console.log(`# status page: spoke-west marked down ${seconds.toFixed(1)} s after it stopped`);
    assert.deepEqual(external, [], 'the page loads nothing from elsewhere');
  });

  it("shows a location's failed request and its server poller on the owning node's page, live", async () => {
    const east = spokes.get('spoke-east')!;
    const page = await browser.newPage();
    await page.setViewport({ width: 1300, height: 700 });
    await page.goto(`http://${east.metricsAddress}/`);
    const row = '#health tr[data-location="sim-east/RegionOne"]';
    const api = clients(east.address);
    const watching = new AbortController();
    try {
      // A watch runs the region's poller; then one request fails at the cloud (a 503, retried by the node).
      const watch = api.compute.watchServers({ location: { cloud: 'sim-east' } }, { signal: watching.signal });
      let serverId = '';
      for await (const message of watch) {
        if (message.item?.$case === 'event') serverId = message.item.value.server!.id;
        if (message.item?.$case === 'checkpoint') break;
      }
      sim.faults.add({ kind: 'status', status: 503, cloud: 'sim-east', service: 'compute', count: 1 });
      await api.compute.getServer({ location: { cloud: 'sim-east' }, nameOrId: serverId }); // single GETs are never shared
      // The page updates itself: wait for what it shows (a string: it runs in the browser, not here).
      const shows = (cell: string, test: string) =>
        page.waitForFunction(`document.querySelector('${row} td.${cell}')?.textContent${test}`, { timeout: 10_000 });
      await shows('last-error', `.includes('HTTP 503')`);
      await shows('servers-tracked', ` === '1'`);
      const cells = await page.$eval(row, (tr) =>
        Object.fromEntries([...tr.querySelectorAll('td[class]')].map((td) => [td.className, td.textContent ?? ''])),
      );
      assert.match(cells['down last-error'], /^GET compute: HTTP 503 at /);
      assert.match(cells['poller-interval'], /^\d+\.\d s$/);
      assert.match(cells['poller-lag'], /^\d+\.\d s$/);
      // What the page shows of an error: no URL, no token, no body.
      const json = await (await fetch(`http://${east.metricsAddress}/status.json`)).text();
      assert.doesNotMatch(json, /https?:\/\/|x-auth-token|gAAAA/i);
      await page.screenshot({ path: join(ARTIFACTS, 'status-page-error.png'), fullPage: true });
    } finally {
      watching.abort();
      api.close();
      await page.close();
    }
  });
});
