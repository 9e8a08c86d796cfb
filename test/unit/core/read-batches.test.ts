// readBatches on real object-mode Readables: what a relay reads a peer's list with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readBatches } from '../../../src/core/read-batches.ts';

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}

test('what the stream holds comes as one batch, and the stream ends the batches', { timeout: 5000 }, async () => {
  const stream = new Readable({ objectMode: true, highWaterMark: 64, read() {} });
  for (let i = 0; i < 10; i++) stream.push(i);
  stream.push(null);
  assert.deepEqual(await collect(readBatches<number>(stream)), [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
});

test('messages pushed one per microtask within one turn go in the same batch', { timeout: 5000 }, async () => {
  const stream = new Readable({ objectMode: true, highWaterMark: 64, read() {} });
  const batches = readBatches<number>(stream)[Symbol.asyncIterator]();
  const first = batches.next();
  setImmediate(async () => {
    // As grpc-js hands over the messages of one HTTP/2 read.
    for (let i = 0; i < 5; i++) {
      stream.push(i);
      await Promise.resolve();
    }
  });
  assert.deepEqual((await first).value, [0, 1, 2, 3, 4]);
  setImmediate(() => stream.push(5));
  assert.deepEqual((await batches.next()).value, [5]);
  stream.push(null);
  assert.equal((await batches.next()).done, true);
});

test('a stream that fails throws its error after the batches before it', { timeout: 5000 }, async () => {
  const stream = new Readable({ objectMode: true, highWaterMark: 64, read() {} });
  const batches = readBatches<number>(stream)[Symbol.asyncIterator]();
  stream.push(1);
  assert.deepEqual((await batches.next()).value, [1]);
  setImmediate(() => stream.destroy(new Error('peer went away')));
  await assert.rejects(batches.next(), /peer went away/);
});

test('the stream is read only as fast as batches are taken', { timeout: 5000 }, async () => {
  let produced = 0;
  const stream = new Readable({
    objectMode: true,
    highWaterMark: 8,
    read() {
      while (this.push(produced++));
    },
  });
  const batches = readBatches<number>(stream)[Symbol.asyncIterator]();
  const first = (await batches.next()).value as number[];
  assert.ok(first.length >= 1 && first.length <= 8 + 1, `a batch is what the stream holds, got ${first.length}`);
  // Not taking the next batch: the producer stops at the stream's mark instead of running on.
  await new Promise((resolve) => setImmediate(resolve));
  const held = produced;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(produced, held);
  assert.ok(produced <= first.length + 8 + 1, `produced ${produced} with one batch of ${first.length} taken`);
  await batches.return(undefined);
});

test('stopping early leaves no listeners on the stream', { timeout: 5000 }, async () => {
  const stream = new Readable({ objectMode: true, highWaterMark: 64, read() {} });
  stream.push(1);
  for await (const batch of readBatches<number>(stream)) {
    assert.deepEqual(batch, [1]);
    break;
  }
  assert.equal(stream.listenerCount('readable'), 0);
  assert.equal(stream.listenerCount('end'), 0);
  assert.equal(stream.listenerCount('error'), 0);
});
