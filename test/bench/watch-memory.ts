// Measures node RSS while one client watches a 100,000-server simulated cloud and after it leaves (issue 22).
// Not a test: `node --import tsx --expose-gc test/bench/watch-memory.ts [servers]` prints RSS samples.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOpenStackBackend } from '../../src/backends/openstack/backend.ts';
import { connect } from '../../src/client/index.ts';
import { loadCloudsConfig } from '../../src/config/clouds/index.ts';
import { startNode } from '../../src/node/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { startSimulator } from '../../src/simulator/index.ts';

const servers = Number(process.argv[2] ?? 100_000);
const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const sample = (label: string) => {
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`${label.padEnd(34)} rss ${rss()} MB  heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`);
};

const sim = await startSimulator({
  clouds: [{ name: 'big', regions: ['RegionOne'], seedServers: servers, seedImages: 1 }],
});
const dir = await mkdtemp(join(tmpdir(), 'oaktree-watch-mem-'));
await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
const node = await startNode({
  nodeId: 'mem',
  listen: '127.0.0.1:0',
  backends: [createOpenStackBackend(clouds[0], { logger: silentLogger() })],
  logger: silentLogger(),
});
const client = connect(node.address);
sample(`before (simulator with ${servers})`);
const stop = new AbortController();
let existing = 0;
const started = Date.now();
try {
  for await (const event of client.watchServers({}, { signal: stop.signal })) {
    if (event.type === 'existing') existing++;
    if (event.type === 'synced' && event.initialStateComplete) break;
  }
} catch {}
stop.abort();
console.log(`snapshot of ${existing} servers in ${Date.now() - started} ms`);
sample('watching (snapshot done)');
for (const s of [10, 40, 80]) {
  await sleep((s - (s === 10 ? 0 : s === 40 ? 10 : 40)) * 1000);
  sample(`${s} s after the last watcher left`);
}
client.close();
await node.close(100);
await sim.close();
await rm(dir, { recursive: true, force: true });
