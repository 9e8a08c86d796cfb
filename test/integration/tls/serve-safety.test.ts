// `oaktree serve` as a process: refuses to listen exposed without TLS and auth, runs with --insecure and warns,
// serves TLS from flags, and survives SIGHUP (which re-reads the certificates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createPki } from '../../../src/node/pki.ts';
import { cliNode, ROOT } from '../../support/node.ts';
import { tlsChannel, tryListLocations } from './tls-support.ts';

const serve = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });

test('listen 0.0.0.0 without TLS and auth exits 2 saying what to configure', () => {
  const result = serve(['--listen', '0.0.0.0:0', '--simulate']);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /refusing to listen on 0\.0\.0\.0:0: .*TLS.*authentication method.*--insecure/);
});

test('listen 0.0.0.0 with TLS but no auth still exits 2: TLS alone is not authentication', async () => {
  const pki = await createPki();
  try {
    const cert = await pki.issue('node', { cn: 'node', ips: ['127.0.0.1'] });
    const result = serve(['--listen', '0.0.0.0:0', '--simulate', '--tls-cert', cert.cert, '--tls-key', cert.key]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /lacks an authentication method/);
  } finally {
    await pki.close();
  }
});

test('--insecure starts on 0.0.0.0 and warns', async () => {
  const node = await cliNode(['--listen', '0.0.0.0:0', '--simulate', '--insecure', '--node-id', 'exposed']);
  try {
    assert.ok(
      node.stderr.some((line) => /INSECURE: listening on 0\.0\.0\.0:0 without/.test(line)),
      node.stderr.join('\n'),
    );
  } finally {
    node.child.kill('SIGTERM');
    await node.exited;
  }
});

test('--tls-cert/--tls-key/--tls-client-ca/--require-client-cert serve mTLS; SIGHUP reloads and the node lives on', async () => {
  const pki = await createPki();
  const cert = await pki.issue('node', { cn: 'node', ips: ['127.0.0.1'], usage: 'server' });
  const client = await pki.issue('client', { cn: 'client', usage: 'client' });
  const node = await cliNode([
    '--listen',
    '127.0.0.1:0',
    '--simulate',
    '--node-id',
    'tls-flags',
    '--tls-cert',
    cert.cert,
    '--tls-key',
    cert.key,
    '--tls-client-ca',
    pki.caCert,
    '--require-client-cert',
  ]);
  try {
    const served = await tryListLocations(tlsChannel(node.address, { ca: pki.caCert, client }));
    assert.equal(served.error, undefined, served.error?.message);
    assert.ok((served.count ?? 0) > 0);
    const refused = await tryListLocations(tlsChannel(node.address, { ca: pki.caCert }));
    assert.ok(refused.error, 'a client without a certificate is refused');

    const seen = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (node.stderr.some((line) => line.includes('SIGHUP: re-reading TLS files'))) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    node.child.kill('SIGHUP');
    await seen;
    const again = await tryListLocations(tlsChannel(node.address, { ca: pki.caCert, client }));
    assert.equal(again.error, undefined, 'still serving after SIGHUP');
  } finally {
    node.child.kill('SIGTERM');
    await Promise.race([node.exited, once(node.child, 'exit')]);
    await pki.close();
  }
});
