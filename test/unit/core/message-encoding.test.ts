import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage } from '../../../src/core/message-encoding.ts';
import { ListServersResponse, Server } from '../../../src/gen/oaktree/v1/compute.ts';
import { UploadImageRequest } from '../../../src/gen/oaktree/v1/image.ts';

const server = (i: number, extra = '') =>
  Server.fromPartial({
    id: `id-${i}`,
    name: `server-${i}${extra}`,
    metadata: { role: 'web', note: extra },
    addresses: [{ network: 'private', address: `10.0.0.${i % 250}`, version: 4 }],
    location: { cloud: 'c', region: 'r', zone: 'z' },
  });

test('encodeMessage gives the bytes a fresh encode gives, message after message of any size', {
  timeout: 10_000,
}, () => {
  // Small, large, small again: the reused writer must not leak one message's bytes into the next.
  for (const extra of ['', 'x'.repeat(5_000), '', 'y'.repeat(300), '']) {
    for (let i = 0; i < 3; i++) {
      const message = { item: { $case: 'server' as const, value: server(i, extra) } };
      const expected = ListServersResponse.encode(message).finish();
      const got = encodeMessage(ListServersResponse, message);
      assert.deepEqual(Buffer.from(got), Buffer.from(expected));
      assert.deepEqual(ListServersResponse.decode(got), ListServersResponse.fromPartial(message));
    }
  }
});

test('bytes already returned stay intact while later messages are encoded', { timeout: 10_000 }, () => {
  const first = encodeMessage(ListServersResponse, { item: { $case: 'server', value: server(1) } });
  const copy = Buffer.from(first);
  for (let i = 0; i < 100; i++)
    encodeMessage(ListServersResponse, { item: { $case: 'server', value: server(i, 'z') } });
  assert.deepEqual(Buffer.from(first), copy);
});

test('a message larger than the kept writer (an image chunk) encodes whole, and small ones after it too', {
  timeout: 10_000,
}, () => {
  const chunk = Buffer.alloc(5 * 1024 * 1024, 7);
  const bytes = encodeMessage(
    UploadImageRequest,
    UploadImageRequest.fromPartial({ part: { $case: 'chunk', value: chunk } }),
  );
  const decoded = UploadImageRequest.decode(bytes);
  assert.equal(decoded.part?.$case === 'chunk' && decoded.part.value.length, chunk.length);
  const small = { item: { $case: 'server' as const, value: server(2) } };
  assert.deepEqual(
    Buffer.from(encodeMessage(ListServersResponse, small)),
    Buffer.from(ListServersResponse.encode(small).finish()),
  );
});

test('an encode that throws leaves the next message correct', { timeout: 10_000 }, () => {
  const bad = { item: { $case: 'server' as const, value: { ...server(3), flavor: { id: 'f', vcpus: 2 ** 40 } } } };
  assert.throws(() => encodeMessage(ListServersResponse, bad as never));
  const good = { item: { $case: 'server' as const, value: server(4) } };
  assert.deepEqual(
    Buffer.from(encodeMessage(ListServersResponse, good)),
    Buffer.from(ListServersResponse.encode(good).finish()),
  );
});
