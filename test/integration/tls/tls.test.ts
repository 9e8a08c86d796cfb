// TLS over real sockets: a node serving mTLS, what wrong clients get, a peer hop over mTLS, and certificate
// rotation under an open WatchServers stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Status } from 'nice-grpc-common';
import { createClient } from 'nice-grpc';
import { connect } from '../../../src/client/index.ts';
import {
  ComputeServiceDefinition,
  ServerEventType,
  type WatchServersResponse,
} from '../../../src/gen/oaktree/v1/compute.ts';
import { buildBackends, type BuiltBackends } from '../../../src/node/backends.ts';
import { createPki, type IssuedCert, type Pki } from '../../../src/node/pki.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { fixedBackend } from '../../support/fixed-backend.ts';
import { collect } from '../../support/node.ts';
import { servedFingerprint, tlsChannel, tryListLocations } from './tls-support.ts';

let pki: Pki;
let otherPki: Pki;
let certDir: string;
let server: IssuedCert;
let client: IssuedCert;
let stranger: IssuedCert;
let built: BuiltBackends;
let owner: RunningNode;
let plain: RunningNode;

const SERVER_SANS = { dns: ['localhost'], ips: ['127.0.0.1'], uris: ['spiffe://oaktree/owner'] };

before(async () => {
  [pki, otherPki] = await Promise.all([createPki(), createPki({ name: 'another CA' })]);
  certDir = await mkdtemp(join(tmpdir(), 'oaktree-tls-certs-'));
  const issued = await pki.issue('owner', { cn: 'owner', ...SERVER_SANS, usage: 'server' });
  // The node's files live in a folder of their own, so rotating them is a rename the watcher sees.
  server = { cert: join(certDir, 'node.pem'), key: join(certDir, 'node.key') };
  await Promise.all([copyFile(issued.cert, server.cert), copyFile(issued.key, server.key)]);
  client = await pki.issue('edge', { cn: 'edge', uris: ['spiffe://oaktree/edge'], usage: 'client' });
  stranger = await otherPki.issue('stranger', { cn: 'stranger', usage: 'client' });

  const logger = silentLogger();
  built = await buildBackends(
    {
      listen: '127.0.0.1:0',
      clouds: { only: [] },
      peers: [],
      logLevel: 'silent',
      simulate: [{ name: 'vault', regions: ['RegionOne'], seedServers: 2, seedImages: 1 }],
    },
    'owner',
    logger,
  );
  owner = await startNode({
    nodeId: 'owner',
    listen: '127.0.0.1:0',
    backends: built.backends,
    logger,
    tls: { cert: server.cert, key: server.key, clientCa: pki.caCert, requireClientCert: true },
  });
  plain = await startNode({
    nodeId: 'plain',
    listen: '127.0.0.1:0',
    backends: [fixedBackend({ cloud: 'open' })],
    logger,
  });
});

after(async () => {
  await Promise.all([owner?.close(0), plain?.close(0)]);
  await built?.close();
  await Promise.all([pki?.close(), otherPki?.close(), rm(certDir, { recursive: true, force: true })]);
});

test('an mTLS client with a certificate from the client CA is served', async () => {
  const result = await tryListLocations(tlsChannel(owner.address, { ca: pki.caCert, client }));
  assert.equal(result.error, undefined, result.error?.message);
  assert.equal(result.count, 1);
});

test('a plaintext client on the TLS port gets UNAVAILABLE quickly', async () => {
  const { createChannel } = await import('nice-grpc');
  const result = await tryListLocations(createChannel(owner.address));
  assert.equal(result.error?.code, Status.UNAVAILABLE, result.error?.message);
  assert.ok(result.ms < 5000, `answered after ${result.ms} ms`);
});

test('a TLS client on a plaintext port gets UNAVAILABLE quickly', async () => {
  const result = await tryListLocations(tlsChannel(plain.address, { ca: pki.caCert }));
  assert.equal(result.error?.code, Status.UNAVAILABLE, result.error?.message);
  assert.ok(result.ms < 5000, `answered after ${result.ms} ms`);
});

test('a client without a certificate is refused at the handshake', async () => {
  const result = await tryListLocations(tlsChannel(owner.address, { ca: pki.caCert }));
  assert.equal(result.error?.code, Status.UNAVAILABLE, result.error?.message);
  assert.ok(result.ms < 5000, `answered after ${result.ms} ms`);
});

test('a client certificate from another CA is refused', async () => {
  const result = await tryListLocations(tlsChannel(owner.address, { ca: pki.caCert, client: stranger }));
  assert.equal(result.error?.code, Status.UNAVAILABLE, result.error?.message);
});

test('a server name the certificate does not carry is a clear UNAVAILABLE', async () => {
  const result = await tryListLocations(
    tlsChannel(owner.address, { ca: pki.caCert, client, serverName: 'elsewhere.example' }),
  );
  assert.equal(result.error?.code, Status.UNAVAILABLE, result.error?.message);
  assert.match(result.error!.details, /elsewhere\.example|altnames|Hostname/i);
});

test('the SDK connects with ca/cert/key given as options and as OAKTREE_* variables', async () => {
  const sdk = connect(owner.address, { ca: pki.caCert, cert: client.cert, key: client.key, timeoutMs: 10_000 });
  assert.equal((await sdk.listLocations().toArray()).length, 1);
  sdk.close();
  const saved = { ...process.env };
  Object.assign(process.env, {
    OAKTREE_ENDPOINT: owner.address,
    OAKTREE_CA: pki.caCert,
    OAKTREE_CERT: client.cert,
    OAKTREE_KEY: client.key,
  });
  try {
    const fromEnv = connect(undefined, { timeoutMs: 10_000 });
    assert.equal((await fromEnv.listLocations().toArray()).length, 1);
    fromEnv.close();
  } finally {
    for (const name of ['OAKTREE_ENDPOINT', 'OAKTREE_CA', 'OAKTREE_CERT', 'OAKTREE_KEY']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
});

test('a peer dialed over mTLS answers ListServers through the hop; without a client certificate it is refused', async () => {
  const { createPeerBackend } = await import('../../../src/backends/peer/peer-backend.ts');
  const { peerDial } = await import('../../../src/node/peer-credentials.ts');
  const logger = silentLogger();
  const dial = peerDial({
    address: owner.address,
    tls: { ca: pki.caCert, cert: client.cert, key: client.key, serverName: 'localhost' },
  });
  const edge = await startNode({
    nodeId: 'edge',
    listen: '127.0.0.1:0',
    backends: [createPeerBackend({ address: owner.address, nodeId: 'edge', logger, refreshMs: 200, ...dial })],
    logger,
  });
  const anonymousDial = peerDial({ address: owner.address, tls: { ca: pki.caCert } });
  const anonymousPeer = createPeerBackend({ address: owner.address, nodeId: 'anonymous', logger, ...anonymousDial });
  try {
    const channel = (await import('nice-grpc')).createChannel(edge.address);
    const servers = await collect(createClient(ComputeServiceDefinition, channel).listServers({ strict: true }));
    channel.close();
    assert.equal(servers.length, 2);
    assert.ok(servers.every((s) => s.item?.$case === 'server' && s.item.value.location?.cloud === 'vault'));

    await anonymousPeer.refresh();
    assert.equal(anonymousPeer.routes().length, 0, 'no routes learned without a client certificate');
  } finally {
    await anonymousPeer.close();
    await edge.close(0);
  }
});

test('rotated certificates reach new connections while an open WatchServers stream keeps flowing', async () => {
  const before = await servedFingerprint(owner.port, pki.caCert, client);
  const channel = tlsChannel(owner.address, { ca: pki.caCert, client });
  const compute = createClient(ComputeServiceDefinition, channel);
  const messages: WatchServersResponse[] = [];
  let wake = () => {};
  const abort = new AbortController();
  const watching = (async () => {
    try {
      for await (const message of compute.watchServers({}, { signal: abort.signal })) {
        messages.push(message);
        wake();
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  })();
  const waitFor = async (what: string, check: (m: WatchServersResponse) => boolean) => {
    const until = Date.now() + 20_000;
    while (!messages.some(check)) {
      if (Date.now() > until) throw new Error(`the watch never saw ${what}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 500).unref();
      });
    }
  };
  try {
    await waitFor('the snapshot', (m) => m.item?.$case === 'checkpoint' && m.item.value.initialStateComplete);

    // A new certificate (same CA) lands on the files the node serves; the folder watcher reloads it.
    const rotated = await pki.issue('owner-rotated', { cn: 'owner-rotated', ...SERVER_SANS, usage: 'server' });
    await copyFile(rotated.key, `${server.key}.new`);
    await copyFile(rotated.cert, `${server.cert}.new`);
    const { rename } = await import('node:fs/promises');
    await rename(`${server.key}.new`, server.key);
    await rename(`${server.cert}.new`, server.cert);
    let after = before;
    const until = Date.now() + 10_000;
    while (after === before && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await servedFingerprint(owner.port, pki.caCert, client);
    }
    assert.notEqual(after, before, 'a new connection sees the rotated certificate');
    assert.equal(await owner.reloadTls('test'), true, 'an explicit reload (SIGHUP) of the same files succeeds');

    // The stream opened before the rotation still delivers: a server created now shows up in it.
    const sdk = connect(owner.address, { ca: pki.caCert, cert: client.cert, key: client.key, timeoutMs: 20_000 });
    await sdk.createServer({
      location: { cloud: 'vault', region: 'RegionOne' },
      name: 'after-rotation',
      image: 'cirros-0.6.2-x86_64-disk',
      flavor: 'm1.tiny',
    });
    sdk.close();
    await waitFor(
      'the new server',
      (m) =>
        m.item?.$case === 'event' &&
        m.item.value.type === ServerEventType.SERVER_EVENT_TYPE_ADDED &&
        m.item.value.server?.name === 'after-rotation',
    );
  } finally {
    abort.abort();
    await watching;
    channel.close();
  }
});

test('broken certificate files are not loaded: the node keeps serving the last good ones', async () => {
  const { writeFile } = await import('node:fs/promises');
  const good = await servedFingerprint(owner.port, pki.caCert, client);
  const other = await pki.issue('mismatch', { cn: 'mismatch', ...SERVER_SANS });
  await copyFile(other.key, server.key); // a key that does not match the served certificate
  assert.equal(await owner.reloadTls('test'), false);
  await writeFile(server.cert, 'not a certificate');
  assert.equal(await owner.reloadTls('test'), false);
  assert.equal(await servedFingerprint(owner.port, pki.caCert, client), good);
});
