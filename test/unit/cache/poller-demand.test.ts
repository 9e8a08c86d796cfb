// What waiters ask of the poller, on the manual clock: a burst of "poll after now" shares one list per interval;
// a failed poll fails exactly the waiters that waited for it and wakes the log's readers; a server expected gone
// brings the full list (which shows a silent disappearance) sooner, and only while it is still listed.
import { setMaxListeners } from 'node:events';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerPoller } from '../../../src/cache/poller/server-poller.ts';
import type { RawServer } from '../../../src/cache/poller/change-log.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function cloud() {
  const servers = new Map<string, RawServer>();
  const calls: ('full' | 'since')[] = [];
  let failing = false;
  return {
    servers,
    calls,
    fail(on: boolean) {
      failing = on;
    },
    fetch: async function* (since: Date | undefined) {
      calls.push(since ? 'since' : 'full');
      if (failing) throw Object.assign(new Error('HTTP 503'), { grpcCode: 14 });
      yield [...servers.values()];
    },
  };
}

const never = new AbortController().signal;
setMaxListeners(0, never);

test('a burst of waiters asking for a poll after they arrived costs one list per fast interval', {
  timeout: 10_000,
}, async () => {
  const clock = new ManualClock();
  const c = cloud();
  const p = new ServerPoller({ fetch: c.fetch, fastIntervalMs: 100, lingerMs: 1_000, clock });
  const leave = p.subscribe('wait');
  await clock.advance(0);
  const before = c.calls.length;
  // 50 waiters arrive over 250 ms, each wanting a poll that started after it arrived.
  const answered: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) {
    c.servers.set(`s${i}`, { id: `s${i}`, status: 'BUILD' });
    answered.push(p.whenPolled(clock.now(), never));
    await clock.advance(5);
  }
  await clock.advance(100);
  await Promise.all(answered);
  const lists = c.calls.length - before;
  assert.ok(lists <= 4, `${lists} lists for 50 waiters over 250 ms (fast interval 100 ms)`);
  for (let i = 0; i < 50; i++) assert.ok(p.log.get(`s${i}`), `s${i} is in the view`);
  leave();
  await p.close();
});

test('a failed poll fails the waiters that waited for it, even with a primed view, and wakes readers', {
  timeout: 10_000,
}, async () => {
  const clock = new ManualClock();
  const c = cloud();
  c.servers.set('a', { id: 'a', status: 'BUILD' });
  const p = new ServerPoller({ fetch: c.fetch, fastIntervalMs: 100, maxBackoffMs: 400, lingerMs: 1_000, clock });
  const leave = p.subscribe('wait');
  await clock.advance(0);
  assert.equal(p.log.primed, true);
  assert.equal(p.log.pollFailure, undefined);

  c.fail(true);
  const woken = p.log.changed(never, 60_000).then(() => clock.now());
  const waiting = p.whenPolled(clock.now() + 1, never);
  const outcome = waiting.then(
    () => 'resolved',
    (e: Error) => e.message,
  );
  await clock.advance(100);
  assert.equal(await outcome, 'HTTP 503', 'the waiter hears the failure of the poll it waited for');
  assert.match(String(p.log.pollFailure), /HTTP 503/);
  assert.equal(await woken, clock.now(), 'readers of the log are woken by the failure, not by their timeout');

  c.fail(false);
  const recovered = p.whenPolled(clock.now() + 1, never);
  await clock.advance(1_000);
  await recovered;
  assert.equal(p.log.pollFailure, undefined, 'a successful poll clears the failure');
  leave();
  await p.close();
});

test('a server expected gone brings full lists every goneResyncMs while listed, then changes-since again', {
  timeout: 10_000,
}, async () => {
  const clock = new ManualClock();
  const c = cloud();
  c.servers.set('a', { id: 'a', status: 'ACTIVE' });
  c.servers.set('b', { id: 'b', status: 'ACTIVE' });
  const p = new ServerPoller({
    fetch: c.fetch,
    fastIntervalMs: 100,
    resyncIntervalMs: 60_000,
    goneResyncMs: 500,
    lingerMs: 1_000,
    clock,
  });
  const leave = p.subscribe('wait');
  await clock.advance(0);
  assert.deepEqual(c.calls, ['full']);

  // Vanishes without a changes-since record (a cloud that forgets deleted servers): unnoticed for a minute ...
  c.servers.delete('b');
  await clock.advance(1_000);
  assert.ok(p.log.get('b'), 'changes-since alone does not see it go');
  assert.ok(!c.calls.slice(1).includes('full'));

  // ... unless someone expects it gone.
  const forget = p.expectGone('b');
  const seen: string[] = [];
  const deleted = (async () => {
    while (p.log.get('b')) await p.log.changed(never, 60_000);
    seen.push(`gone at ${clock.now()}`);
  })();
  const expectedAt = clock.now();
  await clock.advance(600);
  await deleted;
  assert.equal(p.log.get('b'), undefined);
  const gone = p.log.since(0);
  assert.ok('changes' in gone && gone.changes.some((ch) => ch.id === 'b' && ch.type === 'DELETED'));
  assert.ok(Number(seen[0].split(' ').pop()) - expectedAt <= 600, seen[0]);

  // Gone from the log: back to changes-since, though the expectation is still held.
  const n = c.calls.length;
  await clock.advance(2_000);
  assert.deepEqual(new Set(c.calls.slice(n)), new Set(['since']));
  forget();
  leave();
  await p.close();
});
