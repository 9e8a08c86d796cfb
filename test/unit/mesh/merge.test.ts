import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mergeStreams } from '../../../src/core/merge.ts';
import { within } from '../../support/wait.ts';

async function* timed(name: string, delays: number[]) {
  for (const [i, ms] of delays.entries()) {
    await sleep(ms);
    yield `${name}${i}`;
  }
}

/** A source whose items come out only when the test releases them, so the order is the test's, not the timers'. */
function released(name: string, count: number) {
  const releases: Array<() => void> = [];
  const ready = Array.from({ length: count }, () => new Promise<void>((resolve) => releases.push(resolve)));
  return {
    source: (async function* () {
      for (let i = 0; i < count; i++) {
        await ready[i];
        yield `${name}${i}`;
      }
    })(),
    release: (i: number) => releases[i](),
  };
}

test('items arrive in arrival order across sources', async () => {
  const a = released('a', 2);
  const b = released('b', 2);
  const merged = mergeStreams([a.source, b.source])[Symbol.asyncIterator]();
  const out: string[] = [];
  for (const [source, i] of [
    [b, 0],
    [b, 1],
    [a, 0],
    [a, 1],
  ] as const) {
    source.release(i);
    out.push((await merged.next()).value as string);
  }
  assert.equal((await merged.next()).done, true);
  assert.deepEqual(out, ['b0', 'b1', 'a0', 'a1']);
});

test('stopping early tells every source to return', async () => {
  let closed = 0;
  let bothClosed!: () => void;
  const closedBoth = new Promise<void>((resolve) => {
    bothClosed = resolve;
  });
  async function* source() {
    try {
      for (let i = 0; ; i++) {
        await sleep(1); // a source that keeps producing
        yield i;
      }
    } finally {
      if (++closed === 2) bothClosed();
    }
  }
  for await (const item of mergeStreams([source(), source()])) if (item >= 3) break;
  await within(closedBoth, 5000, 'both sources return');
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

test('one source is read as it is: its items in order, and stopping early makes it return', {
  timeout: 5000,
}, async () => {
  let returned = false;
  async function* only() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      returned = true;
    }
  }
  const source = only();
  assert.equal(mergeStreams([source]), source);
  const seen: number[] = [];
  for await (const item of mergeStreams([source])) {
    seen.push(item);
    if (item === 2) break;
  }
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(returned, true);
});
