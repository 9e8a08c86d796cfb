import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { teeStream } from '../../../src/mesh/tee.ts';

async function* numbers(count: number, read: { n: number }) {
  for (let i = 0; i < count; i++) {
    read.n = i + 1;
    yield i;
  }
}

test('every branch gets every item in order', async () => {
  const read = { n: 0 };
  const [a, b] = teeStream(numbers(50, read), 2);
  const collect = async (it: AsyncIterable<number>) => {
    const out: number[] = [];
    for await (const x of it) out.push(x);
    return out;
  };
  const [ra, rb] = await Promise.all([collect(a), collect(b)]);
  assert.deepEqual(ra, [...Array(50).keys()]);
  assert.deepEqual(rb, ra);
});

test('a slow branch holds the source back: memory stays bounded', async () => {
  const read = { n: 0 };
  const [fast, slow] = teeStream(numbers(1000, read), 2, 4);
  const fastDone = (async () => {
    for await (const _ of fast) {
      // drain as fast as possible
    }
  })();
  const slowIterator = slow[Symbol.asyncIterator]();
  await slowIterator.next();
  await sleep(50); // a window for the fast branch to read ahead, if the bound did not hold it
  assert.ok(read.n <= 6, `source read ${read.n} items while the slow branch took 1`);
  // Detaching the slow branch lets the fast one finish.
  await slowIterator.return!();
  await fastDone;
  assert.equal(read.n, 1000);
});

test('a source failure reaches every branch', async () => {
  async function* failing() {
    yield 1;
    throw new Error('client went away');
  }
  const [a, b] = teeStream(failing(), 2);
  const drain = async (it: AsyncIterable<number>) => {
    for await (const _ of it) {
      // drain
    }
  };
  await assert.rejects(drain(a), /client went away/);
  await assert.rejects(drain(b), /client went away/);
});
