// `oaktree container ...` and `oaktree object ...` against a node serving a simulated cloud with Swift, and the
// SDK calls under them: upload a file, list, show, download (md5 checked), sign a URL, delete.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import { connect } from '../../../src/client/index.ts';
import { loadCloudsConfig } from '../../../src/config/clouds/index.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../../src/simulator/index.ts';
import { runCli } from './run-cli.ts';

describe('oaktree container/object commands', { timeout: 60_000 }, () => {
  let simulator: Simulator;
  let node: RunningNode;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    simulator = await startSimulator({ clouds: [{ name: 'cli-swift', regions: ['RegionOne'] }] });
    dir = await mkdtemp(join(tmpdir(), 'oaktree-object-cli-'));
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
    const logger = silentLogger();
    node = await startNode({
      nodeId: 'cli',
      listen: '127.0.0.1:0',
      backends: clouds.map((c) => createOpenStackBackend(c, { logger })),
      logger,
    });
    env = { OAKTREE_ENDPOINT: node.address };
  });
  after(async () => {
    await node?.close(100);
    await simulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('create, upload (segmented), list, show, download, url, delete --recursive', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    await writeFile(join(dir, 'build.log'), data);
    const created = await runCli(['container', 'create', 'logs', '--cloud', 'cli-swift', '--public'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /logs/);

    const up = await runCli(
      [
        'object',
        'upload',
        'logs',
        join(dir, 'build.log'),
        '--name',
        'ci/1/build.log',
        '--segment-size',
        '1MiB',
        '--cloud',
        'cli-swift',
        '-f',
        'json',
      ],
      env,
    );
    assert.equal(up.code, 0, up.stderr);
    const uploaded = JSON.parse(up.stdout);
    assert.equal(uploaded.isLargeObject, true);
    assert.equal(uploaded.sizeBytes, String(data.length));

    const list = await runCli(['object', 'list', 'logs', '--prefix', 'ci/', '--delimiter', '/'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /ci\/1\/\s+\(dir\)/);
    const containers = await runCli(['container', 'list', '-f', 'json'], env);
    assert.ok(JSON.parse(containers.stdout).some((c: any) => c.name === 'logs'));
    const shown = await runCli(['container', 'show', 'logs', '-f', 'json'], env);
    assert.equal(JSON.parse(shown.stdout).publicRead, true, 'ACLs come with show');

    const out = join(dir, 'back.log');
    const down = await runCli(['object', 'download', 'logs', 'ci/1/build.log', '-o', out], env);
    assert.equal(down.code, 0, down.stderr);
    assert.ok((await readFile(out)).equals(data));
    assert.match(down.stderr, /md5 [0-9a-f]{32}/);

    const url = await runCli(['object', 'url', 'logs', 'ci/1/build.log', '--expires', '60'], env);
    assert.equal(url.code, 0, url.stderr);
    const fetched = await fetch(url.stdout.trim());
    assert.equal(fetched.status, 200);
    assert.equal(Buffer.from(await fetched.arrayBuffer()).length, data.length);

    const missing = await runCli(['object', 'show', 'nope', 'x'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOT_FOUND/);

    const refused = await runCli(['container', 'delete', 'logs', '--cloud', 'cli-swift'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /FAILED_PRECONDITION.*empty_first/);
    const removed = await runCli(
      ['container', 'delete', 'logs', 'logs_segments', '--recursive', '--cloud', 'cli-swift'],
      env,
    );
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /deleted container logs and 1 objects/);
  });

  it('the SDK: uploadObject from a buffer, getObject, a ranged downloadObject to a stream, deleteObjects', async () => {
    const client = connect(node.address);
    try {
      const where = { cloud: 'cli-swift' };
      const data = Buffer.from('0123456789abcdef');
      const outcome = await client.uploadObject(data, { container: 'sdk', name: 'hex.txt', location: where });
      assert.equal(outcome.objects[0]?.etag, '4032af8d61035123906e58e067140cc5');
      assert.equal((await client.getObject('sdk', 'hex.txt', where)).sizeBytes, 16n);
      const chunks: Buffer[] = [];
      const { Writable } = await import('node:stream');
      const sink = new Writable({ write: (chunk, _enc, done) => (chunks.push(chunk), done()) });
      await client.downloadObject('sdk', 'hex.txt', sink, where, { offset: 10, length: 4 });
      assert.equal(Buffer.concat(chunks).toString(), 'abcd');
      const objects = await client.listObjects('sdk', where).toArray();
      assert.deepEqual(
        objects.map((o) => o.name),
        ['hex.txt'],
      );
      const bulk = await client.deleteObjects('sdk', 'hex', where);
      assert.equal(bulk.objectsDeleted, 1n);
      await client.deleteContainer('sdk', where);
    } finally {
      client.close();
    }
  });
});
