// Issue 22, defect 3: oversized input gets a prompt, bounded answer everywhere: the SDK without a timeout gets
// INVALID_ARGUMENT, the CLI exits 1 with a one-line message, and a log line never carries the whole input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { connect, type OaktreeError } from '../../../src/client/index.ts';
import { startNode } from '../../../src/node/server.ts';
import { fixedBackend } from '../../support/fixed-backend.ts';
import { within } from '../../support/wait.ts';
import { startFakeClouds } from '../client/fake-clouds.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const HUGE = 'n'.repeat(80_000);

function oaktree(args: string[], endpoint: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: { ...process.env, OAKTREE_ENDPOINT: endpoint }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('an 80 KB name: the SDK without a timeout gets INVALID_ARGUMENT, the CLI exits 1 saying so', {
  timeout: 60_000,
}, async () => {
  const clouds = await startFakeClouds();
  const client = connect(clouds.address);
  try {
    await within(
      assert.rejects(client.getServer(HUGE, { cloud: 'alpha', region: 'RegionOne' }), (error: OaktreeError) => {
        assert.equal(error.codeName, 'INVALID_ARGUMENT', error.message.slice(0, 300));
        assert.ok(error.message.length < 1024);
        return true;
      }),
      20_000,
      'the SDK call without a timeout',
    );
    const run = await oaktree(['server', 'show', HUGE, '--cloud', 'alpha'], clouds.address);
    assert.equal(run.code, 1, run.stderr.slice(0, 300));
    assert.match(run.stderr, /^oaktree: INVALID_ARGUMENT: [^\n]{1,1024}\n$/);
    assert.equal(run.stdout, '');
  } finally {
    client.close();
    await clouds.close();
  }
});

test('a call whose error echoes a huge input writes a bounded log line', { timeout: 30_000 }, async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const far = fixedBackend({
    cloud: 'far',
    handlers: {
      async deleteKeypair() {
        throw new ServerError(Status.FAILED_PRECONDITION, `in use: ${'y'.repeat(1_000_000)}`);
      },
    },
  });
  const node = await startNode({
    nodeId: 'logs',
    listen: '127.0.0.1:0',
    backends: [far],
    logger: pino({ level: 'info' }, sink),
  });
  const client = connect(node.address);
  try {
    const refused = assert.rejects(
      client.deleteKeypair('k', { cloud: 'far', region: 'RegionOne' }),
      (error: OaktreeError) => error.codeName === 'FAILED_PRECONDITION',
    );
    await within(refused, 10_000, 'the status of a call whose error echoes 1 MB');
    const call = lines.find((line) => line.includes('DeleteKeypair'));
    assert.ok(call, lines.join('\n').slice(0, 500));
    assert.ok(call.length < 4096, `a ${call.length}-character log line`);
  } finally {
    client.close();
    await node.close(100);
  }
});
