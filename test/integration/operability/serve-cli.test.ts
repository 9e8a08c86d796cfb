// `oaktree serve --config` as an operator runs it: the metrics listener from the config file answers /metrics, and
// SIGHUP applies an edited config (a cloud added, new limits in place) or refuses a broken one with file:line:key in
// the log, names the keys that need a restart, and with reload.watch a saved file is applied without a signal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { cliNode, clients, collect, type CliNode } from '../../support/node.ts';
import { eventually, within } from '../../support/wait.ts';
import { scrape, sum } from './exposition.ts';

let sim: Simulator;
let dir: string;
let configFile: string;
let node: CliNode;
let api: ReturnType<typeof clients>;

const nodeYaml = (only: string[], extra = '') =>
  `log_level: info\nclouds: { file: ${join(dir, 'clouds.yaml')}, only: [${only.join(', ')}] }\nmetrics: { listen: "127.0.0.1:0" }\n${extra}`;

const clouds = async () =>
  (await collect(api.location.listLocations({})))
    .map((i) => (i.item?.$case === 'location' ? i.item.value.cloud : 'error'))
    .sort();

before(async () => {
  sim = await startSimulator({
    clouds: [
      { name: 'cli-one', regions: ['RegionOne'], seedServers: 1, seedImages: 1 },
      { name: 'cli-two', regions: ['RegionOne'], seedServers: 1, seedImages: 1 },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-serve-cli-'));
  await sim.writeCloudsYaml(join(dir, 'clouds.yaml'));
  configFile = join(dir, 'node.yaml');
  await writeFile(configFile, nodeYaml(['cli-one']));
  node = await cliNode(['--config', configFile, '--listen', '127.0.0.1:0']);
  api = clients(node.address);
});

after(async () => {
  api?.close();
  node?.child.kill('SIGTERM');
  if (node) await within(node.exited, 20_000, 'the node stops');
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('oaktree serve: metrics listener and SIGHUP reload', { timeout: 90_000 }, () => {
  it('serves /metrics on the address it logs', async () => {
    const line = await eventually(
      () => node.stderr.find((l) => l.includes('metrics listener serving')),
      'the metrics listener is logged',
    );
    const address = JSON.parse(line as string).address as string;
    await collect(api.compute.listFlavors({ location: { cloud: 'cli-one' } }));
    const text = await scrape(address);
    assert.equal(
      sum(text, 'oaktree_rpc_requests_total', { method: '/oaktree.v1.ComputeService/ListFlavors', code: 'OK' }),
      1,
    );
  });

  it('SIGHUP adds the cloud an edited config serves, and refuses a broken config', async () => {
    assert.deepEqual(await clouds(), ['cli-one']);
    await writeFile(configFile, nodeYaml(['cli-one', 'cli-two']));
    node.child.kill('SIGHUP');
    await eventually(async () => (await clouds()).length === 2, 'cli-two appears after SIGHUP');
    assert.deepEqual(await clouds(), ['cli-one', 'cli-two']);

    await writeFile(configFile, nodeYaml(['cli-one'], 'limits:\n  cli-one: { rate: -1 }\n'));
    node.child.kill('SIGHUP');
    const refused = await eventually(
      () => node.stderr.find((l) => l.includes('reload refused')),
      'the broken config is refused in the log',
    );
    assert.match(
      JSON.parse(refused as string).err,
      /node\.yaml:5: limits\.cli-one\.rate: expected a number of requests per second > 0, got -1/,
    );
    assert.deepEqual(await clouds(), ['cli-one', 'cli-two'], 'the running configuration stays');
    assert.equal(node.child.exitCode, null, 'the node keeps running');
  });

  it('SIGHUP puts new limits in force at once and names the keys that need a restart', async () => {
    const line = await eventually(
      () => node.stderr.find((l) => l.includes('metrics listener serving')),
      'the metrics listener is logged',
    );
    const address = JSON.parse(line as string).address as string;
    await writeFile(configFile, nodeYaml(['cli-one', 'cli-two'], 'max_hops: 4\nlimits:\n  cli-one: { rate: 7 }\n'));
    node.child.kill('SIGHUP');
    const restart = await eventually(
      () => node.stderr.find((l) => l.includes('change only with a restart')),
      'the restart-only key is logged',
    );
    assert.deepEqual(JSON.parse(restart as string).keys, ['max_hops']);
    await eventually(
      () => node.stderr.some((l) => l.includes('new limits in force for the cloud')),
      'the new limits are logged',
    );
    const text = await scrape(address);
    assert.equal(sum(text, 'oaktree_rate_limit_requests_per_second', { cloud: 'cli-one', region: '' }), 7);
    assert.deepEqual(await clouds(), ['cli-one', 'cli-two'], 'both clouds still served');
  });

  it('with reload.watch, a saved config is applied without a signal', async () => {
    const watchedFile = join(dir, 'watched.yaml');
    const watched = (only: string[]) => `${nodeYaml(only)}reload: { watch: true, debounce_ms: 100 }\n`;
    await writeFile(watchedFile, watched(['cli-one']));
    const other = await cliNode(['--config', watchedFile, '--listen', '127.0.0.1:0']);
    const otherApi = clients(other.address);
    try {
      await eventually(
        () => other.stderr.some((l) => l.includes('reloading when these files change')),
        'the node watches its files',
      );
      await writeFile(watchedFile, watched(['cli-one', 'cli-two']));
      await eventually(
        async () => (await collect(otherApi.location.listLocations({}))).length === 2,
        'cli-two appears after the file is saved',
      );
    } finally {
      otherApi.close();
      other.child.kill('SIGTERM');
      await within(other.exited, 20_000, 'the watching node stops');
    }
  });
});
