// Building a node's auth from its config: a broken policy or a peers list without a client CA is a configuration
// error (exit 2) naming the file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNodeAuth } from '../../../src/node/auth.ts';
import { NodeConfigError, parseNodeConfig } from '../../../src/node/config.ts';

test('auth files that are wrong stop the node with file and line', { timeout: 10_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-node-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'tokens.yaml'), 'tokens: {}\n');
  await writeFile(join(dir, 'policy.yaml'), 'grants:\n  - who: {}\n    locations: []\n    actions: [read, delete]\n');
  const config = (extra = '') =>
    parseNodeConfig(
      `auth:\n  static_tokens: {file: ${join(dir, 'tokens.yaml')}}\n  policy: ${join(dir, 'policy.yaml')}\n${extra}`,
      'node.yaml',
    ) as never;
  await assert.rejects(
    buildNodeAuth(config()),
    (err: Error) =>
      err instanceof NodeConfigError &&
      /policy\.yaml:4: grants\[0\]\.actions\[1\]: unknown action "delete"/.test(err.message),
  );
  await assert.rejects(
    buildNodeAuth(config('  peers: [spiffe://oaktree/hub]\n')),
    (err: Error) => err instanceof NodeConfigError && /auth\.peers: .* set tls\.client_ca/.test(err.message),
  );
  await writeFile(join(dir, 'policy.yaml'), 'grants: []\n');
  const auth = await buildNodeAuth(config());
  assert.equal(auth.peers.size, 0);
  auth.authenticator.close();
});
