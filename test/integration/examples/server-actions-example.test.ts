// examples/typescript/server-actions.ts, run as a user runs it, against `oaktree serve --simulate`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, it } from 'node:test';
import { cliNode, type CliNode } from '../../support/node.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
let node: CliNode;

before(async () => {
  node = await cliNode(['--simulate', '--listen', '127.0.0.1:0', '--log-level', 'warn']);
});
after(async () => {
  node.child.kill('SIGTERM');
  await node.exited;
});

it('server-actions stops, starts, resizes, snapshots and renames a server, then cleans up', {
  timeout: 120_000,
}, async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'examples/typescript/server-actions.ts', '--cloud', 'sim-beta', '--name', 'ex-act'],
      { cwd: ROOT, env: { ...process.env, OAKTREE_ENDPOINT: node.address }, timeout: 110_000 },
      (error, out, err) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: out, stderr: err }),
    ),
  );
  assert.equal(code, 0, stderr + stdout);
  assert.match(stdout, /^stop: ex-act is STOPPED/m);
  assert.match(stdout, /^start: ex-act is ACTIVE/m);
  assert.match(stdout, /^resize: ex-act is ACTIVE \(flavor /m);
  assert.match(stdout, /^snapshot ex-act-snapshot is active in sim-beta\/RegionOne$/m);
  assert.match(stdout, /^renamed to ex-act-renamed$/m);
  assert.match(stdout, /^cleaned up$/m);
});
