import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mergeStreams } from '../../../src/core/merge.ts';

async function* timed(name: string, delays: number[]) {
  for (const [i, ms] of delays.entries()) {
    await sleep(ms);
    yield `${name}${i}`;
  }
}

test('items arrive in arrival order across sources', async () => {
  const out: string[] = [];
  for await (const item of mergeStreams([timed('a', [30, 30]), timed('b', [10, 5])])) out.push(item);
  assert.deepEqual(out, ['b0', 'b1', 'a0', 'a1']);
});

test('stopping early tells every source to return', async () => {
  let closed = 0;
  async function* source() {
    try {
      for (let i = 0; ; i++) {
        await sleep(1);
        yield i;
      }
    } finally {
      closed++;
    }
  }
  for await (const item of mergeStreams([source(), source()])) if (item >= 3) break;
  await sleep(20);
  assert.equal(closed, 2);
});

test('a source that throws makes the merge throw', async () => {
  async function* bad() {
    yield 1;
    throw new Error('boom');
  }
  await assert.rejects(async () => {
    for await (const _ of mergeStreams<unknown>([bad(), timed('a', [50])])) {
      // drain
    }
  }, /boom/);
});
