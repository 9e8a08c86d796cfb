// examples/typescript/ship-logs.ts run as a user runs it, against `oaktree serve --simulate`: every simulated
// cloud and region gets the log, and each printed URL fetches it without a token.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliNode, type CliNode } from '../../support/node.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('the ship-logs example', { timeout: 90_000 }, () => {
  let node: CliNode;
  let dir: string;
  before(async () => {
    node = await cliNode(['--simulate', '--listen', '127.0.0.1:0', '--log-level', 'warn']);
    dir = await mkdtemp(join(tmpdir(), 'oaktree-ship-logs-'));
  });
  after(async () => {
    node.child.kill('SIGTERM');
    await node.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads to every location with Swift and prints a working signed URL for each', async () => {
    const log = Buffer.from('step 1 ok\nstep 2 ok\n'.repeat(5000));
    await writeFile(join(dir, 'build.log'), log);
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', 'examples/typescript/ship-logs.ts', join(dir, 'build.log'), '--name', 'job-7/build.log'],
        { cwd: ROOT, env: { ...process.env, OAKTREE_ENDPOINT: node.address }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const places = [...run.stdout.matchAll(/^(\S+\/\S+): (\d+) bytes/gm)].map((m) => m[1]).sort();
    assert.deepEqual(places, ['sim-alpha/RegionOne', 'sim-alpha/RegionTwo', 'sim-beta/RegionOne']);
    const urls = [...run.stdout.matchAll(/^ {2}(http\S+)$/gm)].map((m) => m[1]);
    assert.equal(urls.length, 3);
    for (const url of urls) {
      const fetched = await fetch(url);
      assert.equal(fetched.status, 200, url);
      assert.ok(Buffer.from(await fetched.arrayBuffer()).equals(log));
    }
  });
});
