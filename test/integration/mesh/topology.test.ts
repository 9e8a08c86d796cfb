// `oaktree topology up/down` on the hub file: every node (its own process) answers for every cloud, each object once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadTopology, reachableLocations } from '../../../src/node/topology.ts';
import { clients, collect, ROOT } from '../../support/node.ts';

test('the hub topology: any node answers for all 6 clouds, the same servers, each once; down stops exactly those processes', {
  timeout: 120_000,
}, async () => {
  const file = join(ROOT, 'topology/hub.yaml');
  const basePort = 0; // every node on a port the system picks; `up` prints the real addresses
  const stateDir = await mkdtemp(join(tmpdir(), 'oaktree-hub-'));
  const cli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'topology',
        ...args,
        file,
        '--base-port',
        String(basePort),
        '--state-dir',
        stateDir,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
  const up = cli('up');
  assert.equal(up.status, 0, up.stderr);
  const topology = await loadTopology(file, { basePort });
  try {
    assert.equal(topology.nodes.flatMap((n) => n.clouds).length, 6);
    const everything = reachableLocations(topology, 'hub');
    let reference: string[] | undefined;
    for (const node of topology.nodes) {
      const address = new RegExp(`^${node.id}\\s+(127\\.0\\.0\\.1:[1-9]\\d*)\\s`, 'm').exec(up.stdout)?.[1];
      assert.ok(address, `up prints ${node.id}'s real address:\n${up.stdout}`);
      const api = clients(address);
      try {
        const locations = (await collect(api.location.listLocations({}))).map(
          (r: any) => `${r.item.value.cloud}/${r.item.value.region}`,
        );
        assert.deepEqual(new Set(locations), everything, `${node.id} reaches every cloud`);
        const items = await collect(api.compute.listServers({ strict: true }));
        const servers = items.map((i: any) => `${i.item.value.location.cloud}/${i.item.value.id}`).sort();
        assert.equal(new Set(servers).size, servers.length, `${node.id} returned a server twice`);
        assert.ok(servers.length > 0);
        reference ??= servers;
        assert.deepEqual(servers, reference, `${node.id} sees the same servers as ${topology.nodes[0].id}`);
      } finally {
        api.close();
      }
    }
  } finally {
    const down = cli('down');
    assert.equal(down.status, 0, down.stderr);
    for (const node of topology.nodes) assert.match(down.stdout, new RegExp(`${node.id} \\(pid \\d+\\)`));
    assert.equal(existsSync(join(stateDir, 'state.json')), false);
  }
});
