// A streamed request body (an image upload) is bounded by inactivity, not by total time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient } from '../../../src/backends/openstack/transport/http.ts';

async function sink() {
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => res.end(JSON.stringify({ bytes })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as any).port}/file`) };
}

function slowBody(chunks: number, gapMs: number, stallAfter?: number) {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < chunks; i++) {
        await sleep(i === stallAfter ? gapMs * 10 : gapMs);
        yield Buffer.alloc(1024, i);
      }
    })(),
  );
}

test('an upload that keeps making progress outlives the request timeout', async (t) => {
  const { server, url } = await sink();
  const client = new HttpClient({ timeoutMs: 200 });
  t.after(() => {
    client.close();
    server.close();
  });
  const response = await client.request({ method: 'PUT', url, body: slowBody(12, 50) });
  assert.equal(response.status, 200);
  assert.equal(JSON.parse(response.body.toString()).bytes, 12 * 1024);
});

test('an upload that stalls longer than the timeout fails and says it made no progress', async (t) => {
  const { server, url } = await sink();
  const client = new HttpClient({ timeoutMs: 200 });
  t.after(() => {
    client.close();
    server.close();
  });
  await assert.rejects(client.request({ method: 'PUT', url, body: slowBody(6, 50, 3) }), /made no progress for 200 ms/);
});

test('a plain request still has one overall budget', async (t) => {
  const server = createServer((_req, res) => setTimeout(() => res.end('late'), 400));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new HttpClient({ timeoutMs: 150 });
  t.after(() => {
    client.close();
    server.close();
  });
  await assert.rejects(
    client.request({ method: 'GET', url: new URL(`http://127.0.0.1:${(server.address() as any).port}/`) }),
    /timed out after 150 ms/,
  );
});
