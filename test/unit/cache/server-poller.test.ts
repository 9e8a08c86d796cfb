// The poller's decisions with an injected upstream (the simulator cannot make a server vanish without a
// changes-since record, nor fail exactly when wanted): vanished servers, changes-since overlap, backoff, idle stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerPoller } from '../../../src/cache/poller/server-poller.ts';
import type { RawServer } from '../../../src/cache/poller/change-log.ts';
import { ManualClock } from '../../support/manual-clock.ts';

// Every poller here runs on a manual clock: the tests advance time, and the call times are exact.
function cloud(clock: ManualClock) {
  const servers = new Map<string, RawServer>();
  const calls: (Date | undefined)[] = [];
  const callTimes: number[] = [];
  const start = clock.now();
  let failures = 0;
  return {
    servers,
    calls,
    /** When each list call was made, in ms since the cloud was created. */
    callTimes,
    failNext(n: number) {
      failures = n;
    },
    fetch: async function* (since: Date | undefined) {
      calls.push(since);
      callTimes.push(clock.now() - start);
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('HTTP 503'), { grpcCode: 14 });
      }
      yield [...servers.values()];
    },
  };
}

test('poller: first a full list, then changes-since with overlap; a server missing from a full list is DELETED', async () => {
  const clock = new ManualClock();
  const c = cloud(clock);
  c.servers.set('a', { id: 'a', status: 'ACTIVE', updated: '2026-01-01T00:00:00Z' });
  c.servers.set('b', { id: 'b', status: 'BUILD', updated: '2026-01-01T00:00:00Z' });
  const p = new ServerPoller({ fetch: c.fetch, overlapMs: 2000, resyncIntervalMs: 0, clock });
  const first = await p.pollOnce();
  assert.equal(c.calls[0], undefined, 'first poll lists everything');
  assert.deepEqual(first.map((ch) => `${ch.type}:${ch.id}`).sort(), ['ADDED:a', 'ADDED:b']);
  c.servers.delete('b'); // vanished (no deleted record)
  const second = await p.pollOnce();
  assert.deepEqual(
    second.map((ch) => `${ch.type}:${ch.id}`),
    ['DELETED:b'],
  );
  assert.equal(second[0].raw.status, 'DELETED');
  assert.equal(second[0].raw.updated, '2026-01-01T00:00:00Z', 'DELETED carries the last known state');
  await p.close();
});

test('poller: changes-since starts before the previous poll (overlap) and unchanged servers are not events', async () => {
  const clock = new ManualClock();
  const c = cloud(clock);
  c.servers.set('a', { id: 'a', status: 'ACTIVE', updated: new Date(clock.now()).toISOString() });
  const p = new ServerPoller({ fetch: c.fetch, overlapMs: 2000, resyncIntervalMs: 60_000, clock });
  const firstPoll = clock.now();
  await p.pollOnce();
  await clock.advance(5000);
  assert.equal((await p.pollOnce()).length, 0);
  assert.equal(c.calls[1]!.getTime(), firstPoll - 2000, 'since is the previous poll minus the overlap');
  await p.close();
});

test('poller: backs off after failures, and stops when nobody listens', async () => {
  const clock = new ManualClock();
  const c = cloud(clock);
  const p = new ServerPoller({
    fetch: c.fetch,
    fastIntervalMs: 20,
    slowIntervalMs: 20,
    maxBackoffMs: 400,
    lingerMs: 50,
    clock,
  });
  c.failNext(3);
  const leave = p.subscribe('wait');
  await clock.advance(300);
  // Three failures double the pause (40, 80, 160 ms) where a 20 ms interval would have made 15 calls; after the
  // first success the interval is 20 ms again.
  assert.deepEqual(c.callTimes, [0, 40, 120, 280, 300]);
  assert.equal(p.lastError, undefined, 'the fourth call succeeded');
  leave();
  await clock.advance(40);
  assert.equal(p.running, true, 'still polling during the linger time');
  await clock.advance(20);
  assert.equal(p.running, false, 'stopped on the first tick after the linger time');
  const n = c.calls.length;
  await clock.advance(10_000);
  assert.equal(c.calls.length, n, 'no calls while stopped');
  assert.equal(clock.pending, 0, 'no timer left behind');
  await p.close();
});

test('poller: slow interval when only idle watchers listen, fast while a server builds', async () => {
  const clock = new ManualClock();
  const c = cloud(clock);
  c.servers.set('a', { id: 'a', status: 'ACTIVE' });
  const p = new ServerPoller({ fetch: c.fetch, fastIntervalMs: 20, slowIntervalMs: 1000, lingerMs: 50, clock });
  const leave = p.subscribe('watch');
  await clock.advance(2999);
  assert.deepEqual(c.callTimes, [0, 1000, 2000], 'one call per slow interval while idle');
  c.servers.set('b', { id: 'b', status: 'BUILD' });
  await clock.advance(1);
  const n = c.calls.length;
  await clock.advance(300);
  assert.equal(c.calls.length - n, 15, 'one call per fast interval while a server builds');
  leave();
  await p.close();
});

test('poller: a write keeps the interval fast for afterWriteFastMs, then slow again for idle watchers', async () => {
  const clock = new ManualClock();
  const c = cloud(clock);
  c.servers.set('a', { id: 'a', status: 'ACTIVE' });
  const p = new ServerPoller({
    fetch: c.fetch,
    fastIntervalMs: 20,
    slowIntervalMs: 1000,
    afterWriteFastMs: 200,
    lingerMs: 50,
    clock,
  });
  const leave = p.subscribe('watch');
  await clock.advance(1999);
  assert.deepEqual(c.callTimes, [0, 1000], 'slow while idle');
  // A create went through oaktree, but changes-since does not show the new server yet: nothing is in transition.
  p.poke();
  await clock.advance(1);
  const n = c.calls.length;
  await clock.advance(199);
  assert.ok(c.calls.length - n >= 9, `${c.calls.length - n} calls in the 200 ms after a write (fast: 20 ms)`);
  const m = c.calls.length;
  await clock.advance(1500);
  assert.ok(c.calls.length - m <= 2, `${c.calls.length - m} calls in the 1.5 s after the fast window (slow: 1 s)`);
  leave();
  await p.close();
});
