// Raw HTTP/2 requests a gRPC library would never send, answered promptly: a zero timeout, a message flagged as
// compressed without a grpc-encoding (grpc-js reads it as uncompressed), a compressed message that does not inflate.
// A node must never hold such a call silently until the client gives up.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { GetFlavorRequest } from '../../../src/gen/oaktree/v1/compute.ts';
import { type CliNode, cliNode } from '../../support/node.ts';

interface Answer {
  status?: string;
  message?: string;
  dataBytes: number;
}

/** Sends one request and resolves with its status (headers or trailers), or with the data seen once `enough` bytes came. */
function rawCall(
  address: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  enough = Number.POSITIVE_INFINITY,
): Promise<Answer> {
  const session = http2.connect(`http://${address}`);
  const request = session.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...headers,
  });
  request.end(body);
  return new Promise<Answer>((resolve, reject) => {
    const answer: Answer = { dataBytes: 0 };
    // A call held without a status is the failure under test: give up on it after a bound and say so.
    const held = setTimeout(() => done(), 5_000);
    const done = () => {
      clearTimeout(held);
      session.destroy();
      resolve(answer);
    };
    const status = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] === undefined) return false;
      answer.status = String(h['grpc-status']);
      answer.message = decodeURIComponent(String(h['grpc-message'] ?? ''));
      return true;
    };
    request.on('response', (h) => status(h) && done());
    request.on('trailers', (h) => status(h) && done());
    request.on('data', (chunk: Buffer) => {
      answer.dataBytes += chunk.length;
      if (answer.dataBytes >= enough) done();
    });
    request.on('error', reject);
  });
}

const EMPTY_MESSAGE = Buffer.from([0, 0, 0, 0, 0]);

/** A valid request message in its gRPC frame (uncompressed). */
function frame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}
const REQUESTS: Record<string, Buffer> = {
  '/oaktree.v1.ComputeService/ListServers': EMPTY_MESSAGE,
  '/oaktree.v1.ComputeService/WatchServers': EMPTY_MESSAGE,
  '/oaktree.v1.ComputeService/GetFlavor': frame(
    GetFlavorRequest.encode(GetFlavorRequest.fromPartial({ nameOrId: 'm1.tiny' })).finish(),
  ),
};
const FLAGGED_COMPRESSED = Buffer.from([1, 0, 0, 0, 0]); // compressed flag, empty payload, no grpc-encoding
const NOT_GZIP = Buffer.from([1, 0, 0, 0, 3, 1, 2, 3]);
const DEADLINE_EXCEEDED = '4';
const INTERNAL = '13';

describe('raw HTTP/2 edge cases get an answer', { timeout: 60_000 }, () => {
  let node: CliNode;
  before(async () => {
    node = await cliNode(['--listen', '127.0.0.1:0']);
  });
  after(async () => {
    node.child.kill('SIGTERM');
    await node.exited;
  });

  for (const [path, body] of Object.entries(REQUESTS)) {
    it(`${path}: grpc-timeout 0n is DEADLINE_EXCEEDED at once`, async () => {
      const answer = await rawCall(node.address, path, { 'grpc-timeout': '0n' }, body);
      assert.equal(answer.status, DEADLINE_EXCEEDED, JSON.stringify(answer));
    });
    it(`${path}: a message that does not inflate is INTERNAL`, async () => {
      const answer = await rawCall(node.address, path, { 'grpc-encoding': 'gzip' }, NOT_GZIP);
      assert.equal(answer.status, INTERNAL, JSON.stringify(answer));
    });
  }

  it('grpc-timeout 0 never leaves a stream without a status (the handler is not started)', async () => {
    // Before the fix about half of these got the first items and then no status at all: grpc-js's deadline timer
    // raced the handler's writes.
    for (let i = 0; i < 20; i++) {
      const answer = await rawCall(
        node.address,
        '/oaktree.v1.NetworkService/ListNetworks',
        { 'grpc-timeout': '0n' },
        EMPTY_MESSAGE,
      );
      assert.equal(answer.status, DEADLINE_EXCEEDED, `try ${i}: ${JSON.stringify(answer)}`);
    }
  });

  it('a compressed flag without grpc-encoding is read as uncompressed: lists answer, watches stream', async () => {
    const list = await rawCall(node.address, '/oaktree.v1.ComputeService/ListServers', {}, FLAGGED_COMPRESSED);
    assert.equal(list.status, '0', JSON.stringify(list));
    assert.ok(list.dataBytes > 0, 'the servers came back');
    // A watch is open-ended by design: what matters is that it answers (its snapshot) instead of staying silent.
    const watch = await rawCall(node.address, '/oaktree.v1.ComputeService/WatchServers', {}, FLAGGED_COMPRESSED, 1);
    assert.ok(watch.dataBytes > 0 || watch.status !== undefined, JSON.stringify(watch));
  });
});
