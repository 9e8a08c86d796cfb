// The TypeScript examples, run as a user runs them (a child process each), against the real embedded default:
// `oaktree serve --simulate` (simulated clouds sim-alpha with two regions and sim-beta, speaking OpenStack REST).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../src/client/index.ts';
import { cliNode, type CliNode } from '../../support/node.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

function example(
  file: string,
  args: string[],
  endpoint: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join('examples/typescript', file), ...args],
      { cwd: ROOT, env: { ...process.env, OAKTREE_ENDPOINT: endpoint }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('TypeScript examples against the embedded simulated clouds', () => {
  let node: CliNode;
  let dir: string;
  before(async () => {
    node = await cliNode(['--simulate', '--listen', '127.0.0.1:0', '--log-level', 'warn']);
    dir = await mkdtemp(join(tmpdir(), 'oaktree-examples-'));
  });
  after(async () => {
    node.child.kill('SIGTERM');
    await node.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('list-servers, boot-and-wait and upload-image run and print what they did', async () => {
    const file = join(dir, 'tiny.qcow2');
    await writeFile(file, Buffer.alloc(300_000, 3));
    const [listed, booted, uploaded] = await Promise.all([
      example('list-servers.ts', [], node.address),
      example('boot-and-wait.ts', ['--cloud', 'sim-beta', '--name', 'example-boot'], node.address),
      example('upload-image.ts', [file, '--name', 'example-upload', '--disk-format', 'qcow2'], node.address),
    ]);

    assert.equal(listed.code, 0, listed.stderr);
    const clouds = new Set(
      listed.stdout
        .split('\n')
        .filter((l) => l.includes('  '))
        .map((l) => l.split('/')[0]),
    );
    assert.ok(clouds.has('sim-alpha') && clouds.has('sim-beta'), listed.stdout);
    assert.match(listed.stdout, /^\d+ servers, 0 locations failed$/m);

    assert.equal(booted.code, 0, booted.stderr);
    assert.match(booted.stdout, /^booting example-boot in sim-beta\/RegionOne /m);
    assert.match(booted.stdout, /^example-boot is ACTIVE at \d+\.\d+\.\d+\.\d+ \(id /m);
    assert.match(booted.stdout, /^deleted example-boot$/m);

    assert.equal(uploaded.code, 0, uploaded.stderr + uploaded.stdout);
    const regions = uploaded.stdout
      .split('\n')
      .filter((l) => l.includes('example-upload'))
      .map((l) => l.split(':')[0])
      .sort();
    assert.deepEqual(regions, ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo', 'sim-beta/RegionOne']);

    // What the examples claim is what the node holds.
    const client = connect(node.address);
    try {
      const images = await client.listImages(undefined, { nameOrId: 'example-upload', strict: true }).toArray();
      assert.equal(images.length, 3);
      assert.ok(images.every((image) => image.sizeBytes === 300_000n));
      const leftovers = await client.listServers(undefined, { nameOrId: 'example-boot', strict: true }).toArray();
      assert.equal(leftovers.length, 0);
    } finally {
      client.close();
    }
  });
});
