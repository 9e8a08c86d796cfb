import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeConfig, NodeConfigError } from '../../../src/node/config.ts';

test('connections: and watch_tokens: parse into milliseconds and a file', () => {
  const config = parseNodeConfig(
    [
      'connections:',
      '  max_total: 10000',
      '  max_per_source: 1000',
      '  idle_timeout_s: 300',
      '  handshake_timeout_s: 10',
      'watch_tokens:',
      '  secret_file: /etc/oaktree/watch-token.key',
    ].join('\n'),
    'node.yaml',
  );
  assert.deepEqual(config.connections, {
    maxTotal: 10_000,
    maxPerSource: 1_000,
    idleTimeoutMs: 300_000,
    handshakeTimeoutMs: 10_000,
  });
  assert.deepEqual(config.watchTokens, { secretFile: '/etc/oaktree/watch-token.key' });
});

test('a bad connection limit names the file, the line and the key', () => {
  assert.throws(
    () => parseNodeConfig('connections:\n  max_total: 0\n', 'node.yaml'),
    (error: Error) =>
      error instanceof NodeConfigError &&
      error.message === 'node.yaml:2: connections.max_total: expected an integer >= 1, got 0',
  );
  assert.throws(
    () => parseNodeConfig('connections:\n  max_idle: 3\n', 'node.yaml'),
    (error: Error) => error instanceof NodeConfigError && /connections\.max_idle: unknown key/.test(error.message),
  );
});
