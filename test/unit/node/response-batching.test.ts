// batchResponses on a real object-mode Writable shaped like grpc-js's call: each _write completes a loop turn later,
// as an HTTP/2 write does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { batchResponses } from '../../../src/node/response-batching.ts';
import { messageCount, ResponseBatch } from '../../../src/core/response-batch.ts';

function fakeCall() {
  const written: number[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const call = new Writable({
    objectMode: true,
    highWaterMark: 4,
    write(message: number, _encoding, done) {
      written.push(message);
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      setImmediate(() => {
        inFlight--;
        done();
      });
    },
  });
  return { call, written, mostInFlight: () => mostInFlight };
}

test('buffered messages go to the transport together, in order', { timeout: 5000 }, async () => {
  const { call, written, mostInFlight } = fakeCall();
  batchResponses(call, 64);
  for (let i = 0; i < 40; i++) call.write(i);
  call.end();
  await once(call, 'finish');
  assert.deepEqual(
    written,
    Array.from({ length: 40 }, (_, i) => i),
  );
  // The first message alone, then the 39 held while it was in flight, all at once.
  assert.equal(mostInFlight(), 39);
});

test('without it the transport gets one message at a time', { timeout: 5000 }, async () => {
  const { call, mostInFlight } = fakeCall();
  for (let i = 0; i < 10; i++) call.write(i);
  call.end();
  await once(call, 'finish');
  assert.equal(mostInFlight(), 1);
});

test('write() asks the handler to wait only once the batch is full, and drain follows', { timeout: 5000 }, async () => {
  const { call } = fakeCall();
  batchResponses(call, 8);
  const answers = Array.from({ length: 8 }, (_, i) => call.write(i));
  // The stream's own mark is 4; the eighth message (the one in flight counts) fills the batch.
  assert.deepEqual(answers, [true, true, true, true, true, true, true, false]);
  await once(call, 'drain');
  assert.equal(call.write(8), true);
});

test('a stream for byte chunks keeps its own mark', { timeout: 5000 }, async () => {
  const { call } = fakeCall();
  batchResponses(call, 0);
  const answers = Array.from({ length: 5 }, (_, i) => call.write(i));
  assert.deepEqual(answers, [true, true, true, false, false]);
  await once(call, 'drain');
});

test('a destroyed stream answers false, so the handler stops instead of writing on', { timeout: 5000 }, async () => {
  const { call } = fakeCall();
  batchResponses(call, 64);
  call.on('error', () => {});
  call.destroy();
  assert.equal(call.write(1), false);
});

test('a ResponseBatch is written as its messages, each its own write, in order', { timeout: 5000 }, async () => {
  const { call, written } = fakeCall();
  batchResponses(call, 64);
  let callbacks = 0;
  assert.equal(
    call.write(new ResponseBatch([0, 1, 2]), () => callbacks++),
    true,
  );
  assert.equal(call.write(3), true);
  call.end();
  await once(call, 'finish');
  assert.deepEqual(written, [0, 1, 2, 3]);
  // The callback goes with the last message only: the handler hears once that its value was written.
  assert.equal(callbacks, 1);
});

test('a batch that fills the buffer answers false, as its last message alone would', { timeout: 5000 }, async () => {
  const { call, written } = fakeCall();
  batchResponses(call, 8);
  assert.equal(call.write(new ResponseBatch([0, 1, 2, 3, 4, 5])), true);
  // Past the mark the whole batch is still taken: nothing is dropped, the handler is told to wait.
  assert.equal(call.write(new ResponseBatch([6, 7, 8, 9])), false);
  await once(call, 'drain');
  assert.deepEqual(written, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a batch keeps its messages apart on a byte-chunk stream too', { timeout: 5000 }, async () => {
  const { call, written } = fakeCall();
  batchResponses(call, 0);
  call.write(new ResponseBatch([0, 1]));
  call.end();
  await once(call, 'finish');
  assert.deepEqual(written, [0, 1]);
});

test('messageCount counts what a value stands for', () => {
  assert.equal(messageCount(new ResponseBatch([1, 2, 3])), 3);
  assert.equal(messageCount({ item: 1 }), 1);
});
