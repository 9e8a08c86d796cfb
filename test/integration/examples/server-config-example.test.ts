// examples/typescript/server-group-and-tags.ts, run as a user runs it, against `oaktree serve --simulate`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliNode, type CliNode } from '../../support/node.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('the server group and tags example', { timeout: 90_000 }, () => {
  let node: CliNode;
  before(async () => {
    node = await cliNode(['--simulate', '--listen', '127.0.0.1:0', '--log-level', 'warn']);
  });
  after(async () => {
    node.child.kill('SIGTERM');
    await node.exited;
  });

  it('groups, tags, filters and cleans up', async () => {
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', join('examples/typescript', 'server-group-and-tags.ts'), '--cloud', 'sim-beta'],
        { cwd: ROOT, env: { ...process.env, OAKTREE_ENDPOINT: node.address }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^server group example-\d+-web \(.+\) in sim-beta\/RegionOne$/m);
    assert.match(run.stdout, /^tagged web and example-\d+: example-\d+-web-1, example-\d+-web-2$/m);
    assert.match(run.stdout, /^role=primary: example-\d+-web-1$/m);
    assert.match(run.stdout, /^group members: 2$/m);
    assert.match(run.stdout, /^cleaned up$/m);
  });
});
