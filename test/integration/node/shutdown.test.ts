// Graceful shutdown of a real `oaktree serve` process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ClientError, createChannel, createClient } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { HealthDefinition } from 'nice-grpc-server-health';
import type { WatchServersResponse } from '../../../src/gen/oaktree/v1/compute.ts';
import { cliNode, ROOT } from '../../support/node.ts';
import { StreamRecorder } from '../../support/stream-recorder.ts';

test('SIGTERM turns health NOT_SERVING, ends open streams, logs the stop and exits 0', async () => {
  const node = await cliNode(['--listen', '127.0.0.1:0', '--node-id', 'shutdown-test']);
  const channel = createChannel(node.address);
  const health = createClient(HealthDefinition, channel);
  const watch = new StreamRecorder((signal) => health.watch({ service: '' }, { signal }));
  await watch.until((messages) => messages.length > 0, 'the health watch reports SERVING');
  node.child.kill('SIGTERM');
  const code = await node.exited;
  await watch.done;
  const statuses = watch.messages.map((response) => response.status);
  const error = watch.error as ClientError | undefined;
  channel.close();
  assert.equal(code, 0);
  assert.deepEqual(statuses, [1, 2], 'the watch saw SERVING, then NOT_SERVING when the node began to stop');
  if (error)
    assert.equal(error.code, Status.UNAVAILABLE, `the stream ended with ${Status[error.code]}: ${error.details}`);
  const lines = node.stderr.map((line) => JSON.parse(line));
  assert.ok(lines.some((l) => l.msg === 'stopping: draining calls' && l.signal === 'SIGTERM'));
  assert.ok(lines.some((l) => l.msg === 'oaktree node stopped'));
});

test('a bad node config exits 2 with the file, line and key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-config-'));
  const file = join(dir, 'node.yaml');
  await writeFile(file, 'listen: 127.0.0.1:0\npeers:\n  - address: hub\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', file], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(result.status, 2);
  assert.match(result.stderr, new RegExp(`${file}:3: peers\\[0\\]\\.address: expected host:port, got "hub"`));
});

test('--version prints the package version', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--version'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0);
  assert.match(result.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('SIGTERM ends an open WatchServers stream with UNAVAILABLE telling the client to resume', async () => {
  const { ComputeServiceDefinition } = await import('../../../src/gen/oaktree/v1/compute.ts');
  const node = await cliNode(['--listen', '127.0.0.1:0', '--node-id', 'watch-shutdown', '--simulate']);
  const channel = createChannel(node.address);
  const compute = createClient(ComputeServiceDefinition, channel);
  const watch = new StreamRecorder((signal) => compute.watchServers({}, { signal }));
  const synced = (messages: readonly WatchServersResponse[]) =>
    messages.filter((m) => m.item?.$case === 'checkpoint' && m.item.value.initialStateComplete).length === 3;
  await watch.until(synced, 'every simulated location sends its snapshot');
  node.child.kill('SIGTERM');
  const [, code] = await Promise.all([watch.done, node.exited]);
  const error = watch.error;
  const token = watch.messages
    .map((m) => m.resumeToken)
    .filter(Boolean)
    .at(-1);
  channel.close();
  assert.equal(code, 0);
  assert.ok(error instanceof ClientError, 'the watch ended with a status, never as complete');
  assert.equal(error!.code, Status.UNAVAILABLE);
  assert.match(error!.details, /shutting down.*resume/);
  assert.ok(token, 'the client holds a resume token to continue elsewhere');
});
