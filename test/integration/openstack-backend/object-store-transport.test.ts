// How the object store reaches the cloud, and what it does when the cloud stumbles: Swift's /info goes through the
// cloud's own session (its clouds.yaml TLS settings, limits and metrics), here with the object store behind TLS
// signed by a private CA; and a read-back that fails after a large object's manifest is written leaves the object
// whole. Real proxies on loopback stand in front of the simulated Swift, and clouds.yaml points object_store there.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { createClient, type ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import {
  ObjectStoreServiceDefinition,
  ObjectUrlMethod,
  type UploadObjectRequest,
} from '../../../src/gen/oaktree/v1/object_store.ts';
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

/** Passes HTTP to the simulator, except the requests `fails` picks, which get Swift's 500. */
async function httpProxy(target: () => number, fails: (method: string, path: string) => boolean) {
  const server: HttpServer = createHttpServer((req, res) => {
    if (fails(req.method ?? '', decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))) {
      res.writeHead(500, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(
        '<html><h1>Internal Error</h1><p>The server has either erred or is incapable of performing the requested operation.</p></html>',
      );
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target(), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('a large object whose read-back fails after its manifest is written', { timeout: 120_000 }, () => {
  const cloud = 'flaky-objects';
  const at = { cloud, region: 'RegionOne' };
  let failHead = true;
  let proxy: { server: HttpServer; port: number };
  let h: Harness;

  before(async () => {
    let simulatorPort = 0;
    proxy = await httpProxy(
      () => simulatorPort,
      (method, path) => failHead && method === 'HEAD' && path.endsWith('/flaky/big.bin'),
    );
    h = await startHarness({
      clouds: [{ name: cloud, regions: ['RegionOne'] }],
      editCloudsYaml(yaml) {
        simulatorPort = Number(new URL(yaml.clouds[cloud].auth.auth_url).port);
        yaml.clouds[cloud].object_store_endpoint_override =
          `http://127.0.0.1:${proxy.port}/object-store/v1/AUTH_%(project_id)s`;
      },
    });
  });
  after(async () => {
    await h?.close();
    proxy?.server.close();
  });

  test('is UNAVAILABLE saying the object may exist, and its segments stay under the manifest', async () => {
    const objects = createClient(ObjectStoreServiceDefinition, h.channel);
    const data = randomBytes(3 * 1024 * 1024 + 5);
    async function* upload(): AsyncGenerator<UploadObjectRequest> {
      const header = { location: at, container: 'flaky', name: 'big.bin', segmentSizeBytes: BigInt(1024 * 1024) };
      yield { part: { $case: 'header', value: header as any } };
      for (let offset = 0; offset < data.length; offset += 256 * 1024)
        yield { part: { $case: 'chunk', value: data.subarray(offset, offset + 256 * 1024) } };
    }
    await assert.rejects(objects.uploadObject(upload()), (error: ServerError) => {
      assert.equal(error.code, Status.UNAVAILABLE, `${Status[error.code]}: ${error.details}`);
      assert.match(error.details, /the object was written but reading it back failed \(.*HTTP 500.*\): it may exist/);
      assert.doesNotMatch(error.details, /segments .* removed/);
      return true;
    });
    const segments = (await collect(objects.listObjects({ location: at, container: 'flaky_segments' }))).filter(
      (i) => i.item?.$case === 'object',
    );
    assert.equal(segments.length, 4, 'every segment is still there');

    failHead = false;
    const { object } = await objects.getObject({ location: at, container: 'flaky', name: 'big.bin' });
    assert.equal(object?.isLargeObject, true);
    assert.equal(object?.sizeBytes, BigInt(data.length));
    const chunks: Buffer[] = [];
    for await (const message of objects.downloadObject({ location: at, container: 'flaky', name: 'big.bin' }))
      if (message.part?.$case === 'chunk') chunks.push(Buffer.from(message.part.value));
    assert.ok(Buffer.concat(chunks).equals(data), 'the object reads back whole');
  });
});
