// The poller's decisions with an injected upstream (the simulator cannot make a server vanish without a
// changes-since record, nor fail exactly when wanted): vanished servers, changes-since overlap, backoff, idle stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServerPoller } from '../../../src/cache/poller/server-poller.ts';
import type { RawServer } from '../../../src/cache/poller/change-log.ts';

function cloud() {
  const servers = new Map<string, RawServer>();
  const calls: (Date | undefined)[] = [];
  let failures = 0;
  return {
    servers,
    calls,
    failNext(n: number) {
      failures = n;
    },
    fetch: async function* (since: Date | undefined) {
      calls.push(since);
      if (failures > 0) {
        failures--;
        throw Object.assign(new Error('HTTP 503'), { grpcCode: 14 });
      }
      yield [...servers.values()];
    },
  };
}

test('poller: first a full list, then changes-since with overlap; a server missing from a full list is DELETED', async () => {
  const c = cloud();
  c.servers.set('a', { id: 'a', status: 'ACTIVE', updated: '2026-01-01T00:00:00Z' });
  c.servers.set('b', { id: 'b', status: 'BUILD', updated: '2026-01-01T00:00:00Z' });
  const p = new ServerPoller({ fetch: c.fetch, overlapMs: 2000, resyncIntervalMs: 0 });
  const first = await p.pollOnce();
  assert.equal(c.calls[0], undefined, 'first poll lists everything');
  assert.deepEqual(first.map((ch) => `${ch.type}:${ch.id}`).sort(), ['ADDED:a', 'ADDED:b']);
  c.servers.delete('b'); // vanished (no deleted record)
  const second = await p.pollOnce();
  assert.deepEqual(second.map((ch) => `${ch.type}:${ch.id}`), ['DELETED:b']);
  assert.equal(second[0].raw.status, 'DELETED');
  assert.equal(second[0].raw.updated, '2026-01-01T00:00:00Z', 'DELETED carries the last known state');
  await p.close();
});

test('poller: changes-since starts before the previous poll (overlap) and unchanged servers are not events', async () => {
  const c = cloud();
  c.servers.set('a', { id: 'a', status: 'ACTIVE', updated: new Date().toISOString() });
  const p = new ServerPoller({ fetch: c.fetch, overlapMs: 2000, resyncIntervalMs: 60_000 });
  await p.pollOnce();
  const before = Date.now();
  assert.equal((await p.pollOnce()).length, 0);
  const since = c.calls[1]!;
  assert.ok(since.getTime() <= before - 2000 + 5, `since ${since.toISOString()} has the overlap`);
  await p.close();
});

test('poller: backs off after failures, and stops when nobody listens', async () => {
  const c = cloud();
  const p = new ServerPoller({ fetch: c.fetch, fastIntervalMs: 20, slowIntervalMs: 20, maxBackoffMs: 400, lingerMs: 50 });
  c.failNext(3);
  const leave = p.subscribe('wait');
  await sleep(300);
  // Failures at ~0, 40, 80+160 ms: far fewer calls than the 15 a 20 ms interval would make.
  assert.ok(c.calls.length <= 5, `${c.calls.length} calls while failing`);
  assert.ok(p.lastError || p.polls > 0);
  leave();
  await sleep(700);
  assert.equal(p.running, false, 'stopped after the linger time');
  const n = c.calls.length;
  await sleep(100);
  assert.equal(c.calls.length, n, 'no calls while stopped');
  await p.close();
});

test('poller: slow interval when only idle watchers listen, fast while a server builds', async () => {
  const c = cloud();
  c.servers.set('a', { id: 'a', status: 'ACTIVE' });
  const p = new ServerPoller({ fetch: c.fetch, fastIntervalMs: 20, slowIntervalMs: 1000, lingerMs: 50 });
  const leave = p.subscribe('watch');
  await sleep(300);
  const idle = c.calls.length;
  assert.ok(idle <= 3, `${idle} calls while idle`);
  c.servers.set('b', { id: 'b', status: 'BUILD' });
  await p.pollOnce().catch(() => {});
  const n = c.calls.length;
  await sleep(300);
  assert.ok(c.calls.length - n >= 5, `${c.calls.length - n} calls while a server builds`);
  leave();
  await p.close();
});
