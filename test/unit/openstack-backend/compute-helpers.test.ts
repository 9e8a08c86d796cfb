import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactNameFilter, exactlyOne, looksLikeId, mvAtLeast } from '../../../src/backends/openstack/compute/nova.ts';
import { streamFrom } from '../../../src/backends/openstack/compute/stream.ts';
import { serverFingerprint } from '../../../src/backends/openstack/compute/wait.ts';
import { generateSshKeypair } from '../../../src/backends/openstack/compute/keypairs.ts';
import { isNonGlobalV6, isNonRoutableV4, isRfc1918 } from '../../../src/backends/openstack/normalize/ip.ts';

test('microversion comparison', () => {
  assert.ok(mvAtLeast('2.79', 2, 47));
  assert.ok(mvAtLeast('2.47', 2, 47));
  assert.ok(!mvAtLeast('2.9', 2, 47), '2.9 is older than 2.47');
  assert.ok(mvAtLeast('3.0', 2, 99));
});

test('ids and exact-name regexes', () => {
  assert.ok(looksLikeId('0e44cc9c-e052-415d-afbf-469b0d384170'));
  assert.ok(looksLikeId('0e44cc9ce052415dafbf469b0d384170'));
  assert.ok(!looksLikeId('web-1'));
  const re = new RegExp(exactNameFilter('web.1 (a)'));
  assert.ok(re.test('web.1 (a)'));
  assert.ok(!re.test('webx1 (a)'));
  assert.ok(!re.test('web.1 (a)-2'));
});

test('exactlyOne names every candidate', () => {
  assert.throws(() => exactlyOne('server', 'x', 'c/r', []), /no server named "x"/);
  assert.throws(
    () =>
      exactlyOne('server', 'x', 'c/r', [
        { id: '1', name: 'x' },
        { id: '2', name: 'x' },
      ]),
    /2 servers match "x" in c\/r: x \(id 1\); x \(id 2\)/,
  );
  assert.deepEqual(exactlyOne('server', 'x', 'c/r', [{ id: '1' }]), { id: '1' });
});

test('address classes', () => {
  assert.ok(isRfc1918('10.1.2.3') && isRfc1918('172.31.0.1') && isRfc1918('192.168.1.1'));
  assert.ok(!isRfc1918('172.32.0.1') && !isRfc1918('8.8.8.8'));
  assert.ok(
    isNonRoutableV4('100.64.0.1') &&
      isNonRoutableV4('127.0.0.1') &&
      isNonRoutableV4('169.254.1.1') &&
      isNonRoutableV4('198.51.100.7'),
  );
  assert.ok(!isNonRoutableV4('162.242.219.151'));
  // The edges of each range, and the top of the space.
  assert.ok(!isRfc1918('172.15.255.255') && isRfc1918('172.16.0.0') && !isRfc1918('11.0.0.0'));
  assert.ok(isNonRoutableV4('255.255.255.255') && isNonRoutableV4('240.0.0.1') && !isNonRoutableV4('239.1.2.3'));
  assert.ok(isNonRoutableV4('203.0.113.9') && !isNonRoutableV4('203.0.114.9') && isNonRoutableV4('0.1.2.3'));
  // What is not a dotted quad is never RFC 1918 and never counts as routable.
  for (const bad of [
    '',
    '...',
    '10.0.0',
    '10.0.0.0.1',
    '10.0.0.256',
    '10.0.0.1000',
    '10.0..1',
    '10.0.0.1 ',
    'a.b.c.d',
    '1e1.0.0.1',
  ])
    assert.ok(!isRfc1918(bad) && isNonRoutableV4(bad), `"${bad}" is not an IPv4 address`);
  assert.ok(isNonGlobalV6('fe80::1') && isNonGlobalV6('fd00::1') && !isNonGlobalV6('2a02:6b8::1'));
});

test('fingerprints change with status, task state and addresses only', () => {
  const base = {
    status: 'BUILD',
    'OS-EXT-STS:task_state': 'spawning',
    progress: 0,
    addresses: {},
    updated: 't1',
    name: 'a',
  };
  assert.equal(serverFingerprint(base), serverFingerprint({ ...base, name: 'b' }));
  assert.notEqual(serverFingerprint(base), serverFingerprint({ ...base, status: 'ACTIVE' }));
  assert.notEqual(serverFingerprint(base), serverFingerprint({ ...base, addresses: { private: [] } }));
});

test('streamFrom yields what the worker emits, rethrows its error, and stops it when the reader stops', async () => {
  const out: number[] = [];
  for await (const n of streamFrom<number>(new AbortController().signal, async (emit) => {
    emit(1);
    await new Promise((r) => setTimeout(r, 5)); // the worker yields to the event loop between items
    emit(2);
  }))
    out.push(n);
  assert.deepEqual(out, [1, 2]);

  await assert.rejects(async () => {
    for await (const _ of streamFrom<number>(new AbortController().signal, async (emit) => {
      emit(1);
      throw new Error('boom');
    }));
  }, /boom/);

  let stopped = false;
  for await (const _ of streamFrom<number>(new AbortController().signal, async (emit, signal) => {
    emit(1);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    stopped = true;
  }))
    break;
  await new Promise((r) => setImmediate(r));
  assert.ok(stopped, 'the worker saw the abort');
});

test('generated SSH keys are OpenSSH public keys with a PEM private key', () => {
  const { publicKey, privateKey } = generateSshKeypair('oaktree-test');
  assert.match(publicKey, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+ oaktree-test$/);
  assert.match(privateKey, /^-----BEGIN RSA PRIVATE KEY-----/);
});
