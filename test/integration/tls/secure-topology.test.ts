// `oaktree topology up topology/secure-hub.yaml`: nodes in their own processes talk mTLS with a throwaway CA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel } from 'nice-grpc';
import { connect } from '../../../src/client/index.ts';
import { ROOT } from '../../support/node.ts';
import { tryListLocations } from './tls-support.ts';

test('secure-hub: every hop is mTLS; the operator certificate lists every server through the hub; plaintext is refused', {
  timeout: 120_000,
}, async () => {
  const file = join(ROOT, 'topology/secure-hub.yaml');
  const basePort = 0; // every node on a port the system picks; `up` prints the real addresses
  const stateDir = await mkdtemp(join(tmpdir(), 'oaktree-secure-hub-'));
  const cli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'topology',
        ...args,
        file,
        '--base-port',
        String(basePort),
        '--state-dir',
        stateDir,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
  const up = cli('up');
  assert.equal(up.status, 0, up.stderr);
  try {
    const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8'));
    const hub = state.nodes.find((node: { id: string }) => node.id === 'hub')!;
    assert.match(up.stdout, /mTLS: connect with --ca \S+ --cert \S+ --key \S+/);
    const hubConfig = await readFile(join(stateDir, 'hub.yaml'), 'utf8');
    assert.match(hubConfig, /require_client_cert: true/);
    assert.match(hubConfig, /tls: \{ ca: .*, cert: .*hub-client\.pem.*, key: /);

    const client = connect(hub.address, {
      ca: state.tls.ca,
      cert: state.tls.cert,
      key: state.tls.key,
      timeoutMs: 20_000,
    });
    const servers = await client.listServers(undefined, { strict: true }).toArray();
    client.close();
    assert.deepEqual(servers.map((s) => s.location!.cloud).sort(), [
      'secure-east',
      'secure-east',
      'secure-west',
      'secure-west',
    ]);

    const plaintext = await tryListLocations(createChannel(hub.address));
    assert.ok(plaintext.error, 'a plaintext client is refused');
  } finally {
    const down = cli('down');
    assert.equal(down.status, 0, down.stderr);
  }
});
