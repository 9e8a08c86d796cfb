import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeConfigError, parseNodeConfig } from '../../../src/node/config.ts';
import { checkListenSafety, isLoopbackHost } from '../../../src/node/listen-safety.ts';

test('loopback hosts', () => {
  for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]', '::1', 'node.localhost'])
    assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '[::]', '10.0.0.1', '128.0.0.1', 'example.com', 'localhost.example.com']) {
    assert.ok(!isLoopbackHost(host), host);
  }
});

test('exposed without TLS and auth: refused with what to configure, unless --insecure (then a warning)', () => {
  const base = { listen: '0.0.0.0:50051', tls: false, auth: false, insecure: false };
  assert.throws(
    () => checkListenSafety(base),
    (error: Error) => {
      assert.ok(error instanceof NodeConfigError);
      assert.match(error.message, /refusing to listen on 0\.0\.0\.0:50051/);
      assert.match(error.message, /TLS \(tls\.cert and tls\.key.*\) and an authentication method \(an auth: section\)/);
      assert.match(error.message, /--insecure/);
      return true;
    },
  );
  assert.throws(
    () => checkListenSafety({ ...base, tls: true }),
    /lacks an authentication method/,
    'TLS alone is not authentication',
  );
  assert.throws(() => checkListenSafety({ ...base, auth: true }), /lacks TLS/);
  assert.equal(checkListenSafety({ ...base, tls: true, auth: true }), undefined);
  assert.equal(checkListenSafety({ ...base, listen: '127.0.0.1:0' }), undefined);
  assert.match(
    checkListenSafety({ ...base, insecure: true }) ?? '',
    /^INSECURE: listening on 0\.0\.0\.0:50051 without/,
  );
});

test('node config: tls, insecure and peers[].tls', () => {
  const config = parseNodeConfig(
    [
      'listen: 0.0.0.0:50051',
      'insecure: true',
      'tls: { cert: a.pem, key: a.key, client_ca: ca.pem, require_client_cert: true }',
      'peers:',
      '  - address: hub:50051',
      '    tls: { ca: ca.pem, cert: c.pem, key: c.key, server_name: hub.internal }',
      '  - address: 127.0.0.1:50052',
    ].join('\n'),
  );
  assert.equal(config.insecure, true);
  assert.deepEqual(config.tls, { cert: 'a.pem', key: 'a.key', clientCa: 'ca.pem', requireClientCert: true });
  assert.deepEqual(config.peers, [
    { address: 'hub:50051', tls: { ca: 'ca.pem', cert: 'c.pem', key: 'c.key', serverName: 'hub.internal' } },
    { address: '127.0.0.1:50052' },
  ]);
});

test('node config: TLS mistakes name the line and key', () => {
  assert.throws(() => parseNodeConfig('tls:\n  cert: a.pem\n', 'n.yaml'), /n\.yaml:2: tls: needs both cert and key/);
  assert.throws(
    () => parseNodeConfig('tls: { cert: a, key: b, require_client_cert: true }\n', 'n.yaml'),
    /n\.yaml:1: tls\.require_client_cert: needs client_ca/,
  );
  assert.throws(
    () => parseNodeConfig('insecure: yes please\n', 'n.yaml'),
    /n\.yaml:1: insecure: expected true or false/,
  );
  assert.throws(
    () => parseNodeConfig('peers:\n  - address: a:1\n    tls: { cert: c.pem }\n', 'n.yaml'),
    /n\.yaml:3: peers\[0\]\.tls: cert and key go together/,
  );
  assert.throws(() => parseNodeConfig('tls: { cert: a, key: b, ciphers: x }\n', 'n.yaml'), /tls\.ciphers: unknown key/);
});
