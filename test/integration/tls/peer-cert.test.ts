// The verified client certificate reaches the call as oaktree-internal-peer-cert, and nobody can forge it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createClient, createServer, Metadata, type Server } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import {
  PEER_CERT_HEADER,
  peerCertificateOf,
  peerCertInterceptor,
  type PeerCertificate,
} from '../../../src/api/peer-cert.ts';
import { createPki, type IssuedCert, type Pki } from '../../../src/node/pki.ts';
import { createServerTls, type ServerTls } from '../../../src/node/server-tls.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { tlsChannel } from './tls-support.ts';

let pki: Pki;
let client: IssuedCert;
let server: Server;
let tls: ServerTls;
let address: string;
/** What the handler saw in the header for the last call. */
let seen: PeerCertificate | undefined;

before(async () => {
  pki = await createPki();
  const cert = await pki.issue('server', { cn: 'server', dns: ['localhost'], ips: ['127.0.0.1'] });
  client = await pki.issue('caller', {
    cn: 'caller, the first',
    dns: ['caller.internal'],
    ips: ['10.0.0.7'],
    uris: ['spiffe://oaktree/caller'],
    usage: 'client',
  });
  // Client certificates optional here, so a client without one can try to forge the header.
  tls = await createServerTls({ cert: cert.cert, key: cert.key, clientCa: pki.caCert }, silentLogger());
  server = createServer({ interceptors: [peerCertInterceptor] } as any);
  server.add(HealthDefinition, {
    async check(_request, context) {
      seen = peerCertificateOf(context.metadata);
      return { status: 1 }; // SERVING
    },
    async *watch() {},
  });
  address = `127.0.0.1:${await server.listen('127.0.0.1:0', tls.credentials)}`;
});

after(async () => {
  await server?.shutdown();
  tls?.close();
  await pki?.close();
});

async function check(dial: Parameters<typeof tlsChannel>[1], forged?: string) {
  seen = undefined;
  const channel = tlsChannel(address, dial);
  try {
    await createClient(HealthDefinition, channel).check(
      { service: '' },
      forged ? { metadata: Metadata({ [PEER_CERT_HEADER]: forged }) } : {},
    );
  } finally {
    channel.close();
  }
  return seen as PeerCertificate | undefined; // set by the handler during the call
}

test('a verified client certificate arrives as cn, sans and fingerprint', async () => {
  const cert = await check({ ca: pki.caCert, client });
  assert.deepEqual(cert, {
    cn: 'caller, the first',
    sans: ['DNS:caller.internal', 'IP:10.0.0.7', 'URI:spiffe://oaktree/caller'],
    fingerprint256: new X509Certificate(readFileSync(client.cert)).fingerprint256,
  });
});

test('a header forged by a client without a certificate is dropped', async () => {
  const forged = JSON.stringify({ cn: 'admin', sans: ['URI:spiffe://oaktree/hub'], fingerprint256: 'AB' });
  assert.equal(await check({ ca: pki.caCert }, forged), undefined);
});

test('a header forged by a client with a certificate is replaced by the real one', async () => {
  const forged = JSON.stringify({ cn: 'admin', sans: [], fingerprint256: 'AB' });
  assert.equal((await check({ ca: pki.caCert, client }, forged))?.cn, 'caller, the first');
});
