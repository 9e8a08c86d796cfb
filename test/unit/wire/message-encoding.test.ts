import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chunkTagOf,
  chunkView,
  encodeChunk,
  encodedChunks,
  encodeMessage,
  encodingDefinition,
  handOver,
  messageDecoder,
  messageEncoder,
  WholeListResponse,
} from '../../../src/wire/message-encoding.ts';
import { ComputeServiceDefinition, ListServersResponse, Server } from '../../../src/gen/oaktree/v1/compute.ts';
import {
  DownloadImageResponse,
  ImageServiceDefinition,
  UploadImageHeader,
  UploadImageRequest,
} from '../../../src/gen/oaktree/v1/image.ts';
import {
  DownloadObjectResponse,
  ObjectStoreServiceDefinition,
  UploadObjectRequest,
} from '../../../src/gen/oaktree/v1/object_store.ts';

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

// Every byte stream of the contract: the chunk fast path must give what the generated encoder gives.
const chunkTypes: Record<string, Parameters<typeof messageEncoder>[0]> = {
  UploadImageRequest,
  DownloadImageResponse,
  UploadObjectRequest,
  DownloadObjectResponse,
};

test('a chunk encoded in its own buffer is the bytes the generated encoder writes, at every length boundary', {
  timeout: 10_000,
}, () => {
  for (const [name, type] of Object.entries(chunkTypes)) {
    const encode = messageEncoder(type);
    // Around the varint length boundaries (1, 2, 3, 4 bytes of length) and the own-buffer threshold.
    for (const size of [0, 1, 127, 128, 16_383, 16_384, 65_535, 65_536, 1 << 20, (1 << 21) + 3]) {
      const chunk = Buffer.alloc(size);
      for (let i = 0; i < size; i += 997) chunk[i] = i & 0xff;
      const message = { part: { $case: 'chunk' as const, value: chunk } };
      const expected = type.encode(message).finish();
      assert.deepEqual(Buffer.from(encode(message)), Buffer.from(expected), `${name}, ${size} bytes`);
    }
  }
});

test('the chunk tag comes from each type, and a type without a chunk has none', { timeout: 10_000 }, () => {
  assert.deepEqual([...chunkTagOf(UploadImageRequest)!], [(2 << 3) | 2]);
  assert.deepEqual([...chunkTagOf(DownloadObjectResponse)!], [(2 << 3) | 2]);
  assert.equal(chunkTagOf(ListServersResponse), undefined);
  // A type with fields beside its chunk would lose them: no fast path for it.
  const withExtra = {
    ...UploadImageRequest,
    fromPartial: (m: unknown) => ({ ...UploadImageRequest.fromPartial(m as never), note: '' }),
  };
  assert.equal(chunkTagOf(withExtra), undefined);
  // Not a chunk: the header of an upload goes through the writer and decodes as sent.
  const header = { part: { $case: 'header' as const, value: { name: 'disk', diskFormat: 'raw' } } };
  const bytes = messageEncoder(UploadImageRequest)(header);
  const decoded = UploadImageRequest.decode(bytes);
  assert.equal(decoded.part?.$case === 'header' && decoded.part.value.name, 'disk');
});

test('bytes that fill their own buffer are handed over without a copy; shared ones are left to be copied', {
  timeout: 10_000,
}, () => {
  const own = encodeChunk(chunkTagOf(UploadImageRequest)!, Buffer.alloc(100_000, 1));
  const handed = handOver(own);
  assert.ok(handed instanceof ArrayBuffer);
  // What nice-grpc does with a serializer's result: Buffer.from wraps an ArrayBuffer (same memory) ...
  const wrapped = Buffer.from(handed);
  assert.equal(wrapped.buffer, own.buffer);
  assert.equal(wrapped.length, own.length);
  // ... and bytes that are a window on a larger buffer (a relay's wire bytes) are given as they are.
  const framed = Buffer.alloc(105);
  const view = framed.subarray(5);
  assert.equal(handOver(view), view);
});

test('service definitions say which responses are byte chunks (a node buffers few of those)', {
  timeout: 10_000,
}, () => {
  const chunked = (definition: Parameters<typeof encodingDefinition>[0]) =>
    Object.entries(encodingDefinition(definition) as unknown as Record<string, { responseChunks: boolean }>)
      .filter(([, method]) => method.responseChunks)
      .map(([name]) => name)
      .sort();
  assert.deepEqual(chunked(ImageServiceDefinition), ['downloadImage']);
  assert.deepEqual(chunked(ObjectStoreServiceDefinition), ['downloadObject']);
  assert.deepEqual(chunked(ComputeServiceDefinition), []);
});

test('a list response built whole is encoded as it is; any other goes through fromPartial first', {
  timeout: 10_000,
}, () => {
  let copies = 0;
  const counting = {
    ...ListServersResponse,
    fromPartial: (message: unknown) => {
      copies++;
      return ListServersResponse.fromPartial(message as never);
    },
  };
  const encode = messageEncoder(counting);
  const expected = encodeMessage(ListServersResponse, { item: { $case: 'server', value: server(1) } });
  copies = 0;
  assert.deepEqual(encode(new WholeListResponse({ $case: 'server', value: server(1) })), expected);
  assert.equal(copies, 0);
  // A partial message (no name, no metadata...) gets its defaults instead of failing in the encoder.
  const partial = { item: { $case: 'server', value: { id: 'id-1' } } };
  assert.deepEqual(
    encode(partial),
    encodeMessage(ListServersResponse, ListServersResponse.fromPartial(partial as never)),
  );
  assert.equal(copies, 1);
});

async function* pieces(...parts: Uint8Array[]) {
  yield* parts;
}

test('a byte stream gathers into chunk messages of the limit, each encoded as the generated encoder would', {
  timeout: 10_000,
}, async () => {
  const tag = chunkTagOf(DownloadImageResponse)!;
  // 200 needs a two-byte length, the last chunk's 42 one byte: its header is shorter and must still be right.
  const parts = [Buffer.alloc(150, 1), new Uint8Array(300).fill(2), Buffer.alloc(0), Buffer.alloc(192, 3)];
  const chunks = [];
  for await (const chunk of encodedChunks(pieces(...parts), tag, 200)) chunks.push(chunk);
  assert.deepEqual(
    chunks.map((c) => c.payload.length),
    [200, 200, 200, 42],
  );
  assert.deepEqual(Buffer.concat(chunks.map((c) => c.payload)), Buffer.concat(parts));
  for (const { payload, encoded } of chunks) {
    const expected = DownloadImageResponse.encode({ part: { $case: 'chunk', value: payload } }).finish();
    assert.deepEqual(new Uint8Array(encoded), expected);
    assert.equal(payload.buffer, encoded.buffer, 'the payload is a view of the encoded message, not a copy');
  }
  // A full chunk fills its own buffer, so it is handed to gRPC without a copy.
  assert.ok(handOver(chunks[0].encoded) instanceof ArrayBuffer);
});

test('a stream that ends on a chunk boundary, or is empty, yields no empty chunk', { timeout: 10_000 }, async () => {
  const tag = chunkTagOf(DownloadObjectResponse)!;
  const lengths = async (...parts: Uint8Array[]) => {
    const out: number[] = [];
    for await (const chunk of encodedChunks(pieces(...parts), tag, 8)) out.push(chunk.payload.length);
    return out;
  };
  assert.deepEqual(await lengths(Buffer.alloc(16)), [8, 8]);
  assert.deepEqual(await lengths(), []);
  assert.deepEqual(await lengths(Buffer.alloc(0)), []);
});

test('a chunk message decodes to a view of its bytes, equal to what the generated decoder gives', {
  timeout: 10_000,
}, () => {
  const decode = messageDecoder(UploadImageRequest);
  for (const length of [0, 1, 127, 128, 16_383, 16_384, 1 << 20]) {
    const value = Buffer.alloc(length, 7);
    const bytes = UploadImageRequest.encode({ part: { $case: 'chunk', value } }).finish();
    const decoded = decode(bytes);
    assert.deepEqual(decoded, UploadImageRequest.decode(bytes), `length ${length}`);
    const chunk = decoded.part?.$case === 'chunk' ? decoded.part.value : undefined;
    assert.equal(chunk?.buffer, bytes.buffer, `length ${length}: a view, not a copy`);
  }
});

test('bytes that are not exactly one chunk field go to the generated decoder', { timeout: 10_000 }, () => {
  const tag = chunkTagOf(UploadImageRequest)!;
  const header = UploadImageRequest.encode({
    part: { $case: 'header', value: UploadImageHeader.fromPartial({ name: 'n', sizeBytes: 6n }) },
  }).finish();
  const chunk = UploadImageRequest.encode({ part: { $case: 'chunk', value: Buffer.from('abcdef') } }).finish();
  assert.equal(chunkView(tag, header), undefined);
  assert.equal(chunkView(tag, chunk.subarray(0, chunk.length - 1)), undefined, 'truncated');
  const twoParts = Buffer.concat([chunk, chunk]);
  assert.equal(chunkView(tag, twoParts), undefined, 'a second field follows');
  const decode = messageDecoder(UploadImageRequest);
  assert.deepEqual(decode(twoParts), UploadImageRequest.decode(twoParts));
  assert.deepEqual(decode(header), UploadImageRequest.decode(header));
  // A type without a chunk decodes as before.
  const list = ListServersResponse.encode({ item: { $case: 'server', value: server(1) } }).finish();
  assert.deepEqual(messageDecoder(ListServersResponse)(list), ListServersResponse.decode(list));
});

test('an announced length sizes the last chunk exactly; a body longer or shorter than announced still arrives whole', {
  timeout: 10_000,
}, async () => {
  const tag = chunkTagOf(DownloadObjectResponse)!;
  const gather = async (expected: number | undefined, ...parts: Uint8Array[]) => {
    const chunks = [];
    for await (const chunk of encodedChunks(pieces(...parts), tag, 200, expected)) chunks.push(chunk);
    assert.deepEqual(Buffer.concat(chunks.map((c) => c.payload)), Buffer.concat(parts));
    for (const { payload, encoded } of chunks) {
      const expectedBytes = DownloadObjectResponse.encode({ part: { $case: 'chunk', value: payload } }).finish();
      assert.deepEqual(new Uint8Array(encoded), expectedBytes);
    }
    return chunks;
  };
  const exact = await gather(450, Buffer.alloc(300, 1), Buffer.alloc(150, 2));
  assert.deepEqual(
    exact.map((c) => c.payload.length),
    [200, 200, 50],
  );
  assert.ok(handOver(exact[2].encoded) instanceof ArrayBuffer, 'the last chunk fills its own buffer');
  const small = await gather(10, Buffer.alloc(10, 3));
  assert.equal(small[0].encoded.buffer.byteLength, small[0].encoded.length, 'a small body costs its own size');
  assert.equal(small[0].encoded.length, tag.length + 1 + 10);
  assert.deepEqual(
    (await gather(100, Buffer.alloc(250, 4))).map((c) => c.payload.length),
    [100, 150],
  );
  assert.deepEqual(
    (await gather(500, Buffer.alloc(250, 5))).map((c) => c.payload.length),
    [200, 50],
  );
});
