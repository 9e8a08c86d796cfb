// How the object store reaches the cloud: Swift's /info goes through the cloud's own session (its clouds.yaml TLS
// settings, limits and metrics), here with the object store behind TLS signed by a private CA. A real TLS
// terminator on loopback stands in front of the simulated Swift, and clouds.yaml points object_store there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'nice-grpc';
import { ObjectStoreServiceDefinition, ObjectUrlMethod } from '../../../src/gen/oaktree/v1/object_store.ts';
import { createPki, type Pki } from '../../../src/node/pki.ts';
import type { UpstreamObserver, UpstreamSample } from '../../../src/observability/metrics.ts';
import { collect, startHarness, type Harness } from './harness.ts';

const where = { cloud: 'tls-objects', region: 'RegionOne' };

/** Decrypts on `port` and passes the bytes to the simulator, as a TLS-terminating proxy in front of Swift does. */
async function tlsTerminator(pki: Pki, target: () => number): Promise<{ server: TlsServer; port: number }> {
  const issued = await pki.issue('swift-proxy', { cn: 'swift-proxy', ips: ['127.0.0.1'], usage: 'server' });
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert: readFileSync(issued.cert), key: readFileSync(issued.key) }, (tls) => {
    const plain = connect(target(), '127.0.0.1');
    for (const s of [tls, plain]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        tls.destroy();
        plain.destroy();
      });
    }
    tls.pipe(plain).pipe(tls);
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('object store behind TLS with a private CA', { timeout: 120_000 }, () => {
  let pki: Pki;
  let proxy: { server: TlsServer; port: number };
  let h: Harness;
  const samples: UpstreamSample[] = [];
  const observer: UpstreamObserver = { request: (s) => samples.push(s), retry() {}, sharedRead() {} };

  before(async () => {
    pki = await createPki();
    // The simulator's port is known once it runs, from the auth_url clouds.yaml gets.
    let simulatorPort = 0;
    proxy = await tlsTerminator(pki, () => simulatorPort);
    h = await startHarness({
      clouds: [{ name: where.cloud, regions: [where.region] }],
      backend: { session: { observer } },
      editCloudsYaml(yaml) {
        const cloud = yaml.clouds[where.cloud];
        simulatorPort = Number(new URL(cloud.auth.auth_url).port);
        cloud.cacert = pki.caCert;
        cloud.object_store_endpoint_override = `https://127.0.0.1:${proxy.port}/object-store/v1/AUTH_%(project_id)s`;
      },
    });
  });
  after(async () => {
    await h?.close();
    proxy?.server.close();
    await pki?.close();
  });

  test('/info is read over TLS with the cacert: capabilities show TempURL and SLO, and a URL is signed', async () => {
    const items = await collect(h.clients.capabilities.listCapabilities({ location: where, strict: true }));
    const caps = items.find((i) => i.item?.$case === 'capabilities')?.item?.value as any;
    assert.ok(caps, 'the location answers with its capabilities');
    const os = caps.objectStore;
    assert.equal(os.available, true);
    assert.equal(os.tempUrl, true, 'TempURL comes from /info');
    assert.equal(os.staticLargeObjects, true, 'SLO comes from /info');
    const info = samples.filter((s) => s.service === 'object-store' && s.method === 'GET' && s.status === 200);
    assert.ok(info.length >= 1, 'the /info GET is counted like every other request to the cloud');

    const objects = createClient(ObjectStoreServiceDefinition, h.channel);
    await objects.createContainer({ location: where, name: 'secure' });
    const signed = await objects.createObjectUrl({
      location: where,
      container: 'secure',
      name: 'o',
      method: ObjectUrlMethod.OBJECT_URL_METHOD_PUT,
    });
    assert.match(signed.url, new RegExp(`^https://127\\.0\\.0\\.1:${proxy.port}/object-store/v1/AUTH_`));
  });
});
