// Topologies on port 0: which peers a node's config can name before and after the others listen, and the SIGHUP
// path that adds the rest to a running node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownPeerAddresses, nodeConfigYaml, parseTopology } from '../../../src/node/topology.ts';
import { addNewPeers } from '../../../src/node/peer-reload.ts';
import { startNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { fixedBackend } from '../../support/fixed-backend.ts';

const CHAIN = `
name: chain
base_port: 50200
nodes:
  - id: edge
    peers: [core]
  - id: core
    clouds:
      - { name: core-cloud }
`;

test('base_port 0: every node on port 0; peers enter the config once their real address is known', () => {
  const fixed = parseTopology(CHAIN, 'chain.yaml');
  assert.deepEqual(
    fixed.nodes.map((n) => n.address),
    ['127.0.0.1:50200', '127.0.0.1:50201'],
  );
  assert.deepEqual(
    knownPeerAddresses(fixed, fixed.nodes[0], new Map()),
    ['127.0.0.1:50201'],
    'fixed ports are known up front',
  );

  const any = parseTopology(CHAIN, 'chain.yaml', { basePort: 0 });
  assert.deepEqual(
    any.nodes.map((n) => n.address),
    ['127.0.0.1:0', '127.0.0.1:0'],
  );
  const [edge] = any.nodes;
  assert.deepEqual(knownPeerAddresses(any, edge, new Map()), []);
  assert.doesNotMatch(nodeConfigYaml(any, edge), /peers:/, 'no peer address is guessed');
  const started = new Map([
    ['edge', '127.0.0.1:41001'],
    ['core', '127.0.0.1:41002'],
  ]);
  const config = nodeConfigYaml(any, edge, started);
  assert.match(config, /^listen: 127\.0\.0\.1:41001$/m);
  assert.match(config, /^peers:\n {2}- address: 127\.0\.0\.1:41002$/m);

  assert.throws(
    () => parseTopology(CHAIN, 'chain.yaml', { basePort: 80 }),
    /base_port: expected 0 \(any free port\) or a port between 1024 and 65000/,
  );
});

test('a running node adds the peers its reread config names, once each; a broken config changes nothing', async (t) => {
  const logger = silentLogger();
  const core = await startNode({
    nodeId: 'core',
    listen: '127.0.0.1:0',
    backends: [fixedBackend({ cloud: 'core-cloud' })],
    logger,
  });
  const edge = await startNode({ nodeId: 'edge', listen: '127.0.0.1:0', backends: [], logger });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-peer-reload-'));
  t.after(async () => {
    await edge.close(100);
    await core.close(100);
    await rm(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'edge.yaml');
  const known = new Set<string>();
  await writeFile(file, `node_id: edge\nlisten: ${edge.address}\npeers:\n  - address: ${core.address}\n`);
  assert.deepEqual(await addNewPeers(edge, file, known, logger), [core.address]);
  assert.ok(edge.router.routeTable().size > 0, "the new peer's routes were learned when it was added");
  assert.deepEqual(await addNewPeers(edge, file, known, logger), [], 'a second reread adds nothing');
  assert.equal(edge.router.allBackends().length, 1);

  await writeFile(file, 'peers: [\n');
  await assert.rejects(addNewPeers(edge, file, known, logger), /not valid YAML/);
  assert.equal(edge.router.allBackends().length, 1);
});
