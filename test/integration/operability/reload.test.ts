// Live reload: the node config file and clouds.yaml are re-read and the difference applied. An added cloud appears,
// a removed one goes and its open watch ends UNAVAILABLE with a message, an unchanged one keeps its open watch,
// and a broken config is refused with file:line:key while the running configuration stays. New limits of an
// unchanged cloud apply at once without touching its streams, a new metrics.listen moves the listener, and keys
// that need a restart are reported as such.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Status } from 'nice-grpc-common';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { loadNodeConfig } from '../../../src/node/config.ts';
import { buildBackends, type BuiltBackends } from '../../../src/node/backends.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { NodeReloader } from '../../../src/node/reload.ts';
import { watchConfigFiles } from '../../../src/node/config-watch.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { NodeMetrics } from '../../../src/observability/metrics.ts';
import { scrape, sum } from './exposition.ts';
import type { WatchServersResponse } from '../../../src/gen/oaktree/v1/compute.ts';
import { clients, collect } from '../../support/node.ts';
import { within } from '../../support/wait.ts';

let sim: Simulator;
let dir: string;
let configFile: string;
let built: BuiltBackends;
let node: RunningNode;
let reloader: NodeReloader;
let api: ReturnType<typeof clients>;

const nodeYaml = (only: string[], extra = '', metricsListen = '127.0.0.1:0') =>
  `clouds:\n  file: ${join(dir, 'clouds.yaml')}\n  only: [${only.join(', ')}]\n${extra}metrics: { listen: "${metricsListen}" }\n`;

async function locations(): Promise<string[]> {
  const items = await collect(api.location.listLocations({}));
  return items.map((i) => (i.item?.$case === 'location' ? i.item.value.cloud : `error`)).sort();
}

const pick = ({ ok, added, removed }: { ok: boolean; added: string[]; removed: string[] }) => ({ ok, added, removed });

/** Opens a watch on one cloud; resolves `synced` once its initial state is in, `ended` with how it ended. */
function watch(cloud: string) {
  const abort = new AbortController();
  const seen: WatchServersResponse[] = [];
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => {
    markSynced = resolve;
  });
  const ended = (async () => {
    try {
      for await (const message of api.compute.watchServers({ location: { cloud } }, { signal: abort.signal })) {
        seen.push(message);
        if (message.item?.$case === 'checkpoint' && message.item.value.initialStateComplete) markSynced();
      }
      return 'ended';
    } catch (error) {
      return `failed: ${(error as Error).message}`;
    }
  })();
  return { abort, seen, synced, ended };
}

before(async () => {
  sim = await startSimulator({
    clouds: [
      { name: 'r-one', regions: ['RegionOne'], seedServers: 1, seedImages: 1 },
      { name: 'r-two', regions: ['RegionOne'], seedServers: 1, seedImages: 1 },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-reload-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  configFile = join(dir, 'node.yaml');
  await writeFile(configFile, nodeYaml(['r-one']));
  const config = await loadNodeConfig(configFile);
  const metrics = new NodeMetrics({ nodeId: 'reload-node' });
  built = await buildBackends(config, 'reload-node', silentLogger(), { metrics });
  node = await startNode({
    nodeId: 'reload-node',
    listen: '127.0.0.1:0',
    backends: built.backends,
    logger: silentLogger(),
    metrics,
    metricsListen: config.metrics?.listen,
  });
  reloader = new NodeReloader({
    node,
    configFile,
    config,
    backends: built.backends,
    services: built.services,
    limiters: built.limiters,
    logger: silentLogger(),
    metrics,
  });
  await reloader.start();
  api = clients(node.address);
});

after(async () => {
  api?.close();
  await node?.close(100);
  await built?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('live reload', { timeout: 60_000 }, () => {
  it('adds a cloud, keeps the unchanged one’s watch open, removes a cloud and ends its watch UNAVAILABLE', async () => {
    assert.deepEqual(await locations(), ['r-one']);
    const one = watch('r-one');
    await within(one.synced, 20_000, 'the r-one watch has its initial state');

    await writeFile(configFile, nodeYaml(['r-one', 'r-two']));
    assert.deepEqual(pick(await reloader.reload()), { ok: true, added: ['cloud:r-two'], removed: [] });
    assert.deepEqual(await locations(), ['r-one', 'r-two']);
    const two = watch('r-two');
    await within(two.synced, 20_000, 'the r-two watch has its initial state');
    const before = one.seen.length;

    await writeFile(configFile, nodeYaml(['r-two']));
    assert.deepEqual(pick(await reloader.reload()), { ok: true, added: [], removed: ['cloud:r-one'] });
    assert.deepEqual(await locations(), ['r-two']);
    const outcome = await within(one.ended, 10_000, 'the removed cloud’s watch ends');
    const last = one.seen.slice(before).find((m) => m.item?.$case === 'error');
    const error = last?.item?.$case === 'error' ? last.item.value : undefined;
    assert.ok(
      (error?.code === Status.UNAVAILABLE &&
        /cloud r-one was removed from this node by a reload/.test(error.message)) ||
        /UNAVAILABLE.*cloud r-one was removed from this node by a reload/.test(outcome),
      `ended with ${outcome}, error item ${JSON.stringify(error)}`,
    );
    // The unchanged cloud's watch was not touched by either reload.
    assert.equal(await Promise.race([two.ended, new Promise((r) => setTimeout(() => r('open'), 300))]), 'open');
    two.abort.abort();
    await two.ended;
  });

  it('refuses a broken config with file:line:key and keeps running as before', async () => {
    const running = await locations();
    await writeFile(configFile, nodeYaml(['r-one', 'r-two'], 'limits:\n  r-two:\n    rate: 0\n'));
    const result = await reloader.reload();
    assert.equal(result.ok, false);
    assert.match(
      result.error ?? '',
      /node\.yaml:6: limits\.r-two\.rate: expected a number of requests per second > 0, got 0/,
    );
    assert.deepEqual(await locations(), running);
    await writeFile(configFile, nodeYaml(['r-one', 'r-nowhere']));
    const missing = await reloader.reload();
    assert.equal(missing.ok, false);
    assert.match(missing.error ?? '', /clouds\.only names r-nowhere/);
    assert.deepEqual(await locations(), running);
  });

  it('applies new limits of an unchanged cloud at once, keeping its open watch and its backend', async () => {
    await writeFile(configFile, nodeYaml(['r-two']));
    await reloader.reload();
    const watching = watch('r-two');
    await within(watching.synced, 20_000, 'the r-two watch has its initial state');
    const backend = node.router.allBackends().find((b) => b.id === 'cloud:r-two');
    const ids = watching.seen.flatMap((m) => (m.item?.$case === 'event' ? [m.item.value.server!.id] : []));

    await writeFile(configFile, nodeYaml(['r-two'], 'limits:\n  r-two:\n    rate: 4\n'));
    const result = await reloader.reload();
    assert.deepEqual(
      { ...pick(result), limited: result.limited },
      { ok: true, added: [], removed: [], limited: ['r-two'] },
    );
    assert.equal(
      node.router.allBackends().find((b) => b.id === 'cloud:r-two'),
      backend,
      'the same backend',
    );
    const text = await scrape(node.metricsAddress!);
    assert.equal(sum(text, 'oaktree_rate_limit_requests_per_second', { cloud: 'r-two', region: '' }), 4);
    // The cloud now sees single-server GETs paced at 4 per second (one every 1.1/4 s).
    const arrivals: number[] = [];
    const stop = sim.onRequest((r) => {
      if (r.cloud === 'r-two' && r.route.startsWith('GET /servers/') && r.route !== 'GET /servers/detail')
        arrivals.push(r.at);
    });
    try {
      await Promise.all(
        Array.from({ length: 4 }, () => api.compute.getServer({ location: { cloud: 'r-two' }, nameOrId: ids[0] })),
      );
    } finally {
      stop();
    }
    assert.equal(arrivals.length, 4);
    // Four requests span three turns of 1.1/4 s (825 ms), less what the way to the cloud adds to the first one.
    const span = arrivals[3] - arrivals[0];
    assert.ok(span >= 700, `four GETs within ${span} ms`);
    assert.equal(await Promise.race([watching.ended, new Promise((r) => setTimeout(() => r('open'), 300))]), 'open');
    watching.abort.abort();
    await watching.ended;
  });

  it('moves the metrics listener, and reports keys that need a restart', async () => {
    const old = node.metricsAddress!;
    await writeFile(configFile, nodeYaml(['r-two'], 'max_hops: 3\n', '127.0.0.2:0'));
    const result = await reloader.reload();
    assert.equal(result.ok, true);
    assert.deepEqual(result.needRestart, ['max_hops']);
    const moved = node.metricsAddress!;
    assert.match(moved, /^127\.0\.0\.2:\d+$/);
    assert.match(await scrape(moved), /oaktree_rpc_requests_total/);
    await assert.rejects(scrape(old), 'the old listener is closed');
  });

  it('with reload.watch, a saved config file is reloaded without a signal', async () => {
    await writeFile(configFile, nodeYaml(['r-two'], 'reload: { watch: true, debounce_ms: 50 }\n'));
    await reloader.reload();
    const running = await locations();
    let reloaded!: (result: Awaited<ReturnType<NodeReloader['reload']>>) => void;
    const next = new Promise<Awaited<ReturnType<NodeReloader['reload']>>>((resolve) => {
      reloaded = resolve;
    });
    const watching = watchConfigFiles({
      files: [configFile],
      debounceMs: 50,
      onChange: () => void reloader.reload().then(reloaded),
    });
    try {
      // Saved the way editors do: a new file renamed over the old one.
      const saved = `${configFile}.tmp`;
      await writeFile(saved, nodeYaml(['r-one', 'r-two'], 'reload: { watch: true, debounce_ms: 50 }\n'));
      await rename(saved, configFile);
      const result = await within(next, 10_000, 'a reload after the file changed');
      assert.deepEqual(pick(result), { ok: true, added: ['cloud:r-one'], removed: [] });
      assert.deepEqual(await locations(), [...running, 'r-one'].sort());
    } finally {
      watching.close();
    }
  });
});
