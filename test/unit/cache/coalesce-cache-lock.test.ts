import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SingleFlight } from '../../../src/cache/coalesce.ts';
import { MemorySharedState } from '../../../src/cache/shared-state.ts';
import { TtlCache } from '../../../src/cache/ttl-cache.ts';
import { RequestLocks } from '../../../src/cache/request-lock.ts';

test('single flight: concurrent identical calls share one promise; the next call starts a new one', async () => {
  const sf = new SingleFlight();
  let calls = 0;
  const fn = async () => {
    calls++;
    await sleep(20);
    return calls;
  };
  const results = await Promise.all(Array.from({ length: 100 }, () => sf.run('k', fn)));
  assert.equal(calls, 1);
  assert.ok(results.every((r) => r === 1));
  assert.equal(await sf.run('k', fn), 2);
  await assert.rejects(Promise.all([sf.run('e', async () => Promise.reject(new Error('boom'))), sf.run('e', fn)]), /boom/);
});

test('single flight streams: late joiners replay what was read and follow the rest', async () => {
  const sf = new SingleFlight();
  let started = 0;
  async function* pages() {
    started++;
    for (let i = 0; i < 3; i++) {
      await sleep(10);
      yield [i];
    }
  }
  const read = async () => {
    const out: number[][] = [];
    for await (const p of sf.stream('list', pages)) out.push(p);
    return out;
  };
  const first = read();
  await sleep(15);
  const [a, b] = await Promise.all([first, read()]);
  assert.equal(started, 1);
  assert.deepEqual(a, [[0], [1], [2]]);
  assert.deepEqual(b, a);
});

test('TTL cache: hits, expiry per key, fresh bypass, prefix invalidation, one load for many callers', async () => {
  const cache = new TtlCache({ state: new MemorySharedState() });
  let loads = 0;
  const load = async () => ++loads;
  const got = await Promise.all(Array.from({ length: 50 }, () => cache.get('c/r/flavors', load, { ttlMs: 60 })));
  assert.ok(got.every((v) => v === 1));
  assert.equal(await cache.get('c/r/flavors', load), 1);
  assert.equal(await cache.get('c/r/flavors', load, { fresh: true, ttlMs: 60 }), 2);
  await sleep(80);
  assert.equal(await cache.get('c/r/flavors', load, { ttlMs: 60_000 }), 3, 'expired');
  await cache.get('c/r/images', load, { ttlMs: 60_000 });
  await cache.get('c/other/images', load, { ttlMs: 60_000 });
  assert.equal(await cache.invalidate('c/r/'), 2);
  assert.equal(await cache.get('c/other/images', load), 5, 'other prefixes stay');
});

test('request locks: a retried write runs once; a failed one can be retried', async () => {
  const locks = new RequestLocks(new MemorySharedState());
  let runs = 0;
  const create = async () => {
    runs++;
    await sleep(20);
    return { id: `s${runs}` };
  };
  const all = await Promise.all([locks.lockByRequestId('r1', create), locks.lockByRequestId('r1', create)]);
  assert.deepEqual(all, [{ id: 's1' }, { id: 's1' }]);
  assert.deepEqual(await locks.lockByRequestId('r1', create), { id: 's1' });
  await assert.rejects(locks.lockByRequestId('r2', async () => Promise.reject(new Error('quota'))), /quota/);
  assert.deepEqual(await locks.lockByRequestId('r2', create), { id: 's2' });
});
