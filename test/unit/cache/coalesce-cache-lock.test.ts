import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SingleFlight } from '../../../src/cache/coalesce.ts';
import { MemorySharedState } from '../../../src/cache/shared-state.ts';
import { TtlCache } from '../../../src/cache/ttl-cache.ts';
import { RequestLocks } from '../../../src/cache/request-lock.ts';
import { ManualClock } from '../../support/manual-clock.ts';

/** A promise the test resolves when it wants the work it holds back to go on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

test('single flight: concurrent identical calls share one promise; the next call starts a new one', async () => {
  const sf = new SingleFlight();
  let calls = 0;
  let held = gate();
  const fn = async () => {
    calls++;
    await held.opened;
    return calls;
  };
  const pending = Promise.all(Array.from({ length: 100 }, () => sf.run('k', fn)));
  held.open();
  const results = await pending;
  held = gate();
  held.open();
  assert.equal(calls, 1);
  assert.ok(results.every((r) => r === 1));
  assert.equal(await sf.run('k', fn), 2);
  await assert.rejects(
    Promise.all([sf.run('e', async () => Promise.reject(new Error('boom'))), sf.run('e', fn)]),
    /boom/,
  );
});

test('single flight streams: late joiners replay what was read and follow the rest', async () => {
  const sf = new SingleFlight();
  let started = 0;
  const pageGates = [gate(), gate(), gate()];
  async function* pages() {
    started++;
    for (let i = 0; i < 3; i++) {
      await pageGates[i].opened;
      yield [i];
    }
  }
  const read = async (onPage?: () => void) => {
    const out: number[][] = [];
    for await (const p of sf.stream('list', pages)) {
      out.push(p);
      onPage?.();
    }
    return out;
  };
  const firstPage = gate();
  const first = read(firstPage.open);
  pageGates[0].open();
  await firstPage.opened; // the first reader has page 0: the second one joins late
  const second = read();
  pageGates[1].open();
  pageGates[2].open();
  const [a, b] = await Promise.all([first, second]);
  assert.equal(started, 1);
  assert.deepEqual(a, [[0], [1], [2]]);
  assert.deepEqual(b, a);
});

test('TTL cache: hits, expiry per key, fresh bypass, prefix invalidation, one load for many callers', async () => {
  const clock = new ManualClock();
  const cache = new TtlCache({ state: new MemorySharedState({ clock }), clock });
  let loads = 0;
  const load = async () => ++loads;
  const got = await Promise.all(Array.from({ length: 50 }, () => cache.get('c/r/flavors', load, { ttlMs: 60 })));
  assert.ok(got.every((v) => v === 1));
  assert.equal(await cache.get('c/r/flavors', load), 1);
  assert.equal(await cache.get('c/r/flavors', load, { fresh: true, ttlMs: 60 }), 2);
  await clock.advance(59);
  assert.equal(await cache.get('c/r/flavors', load), 2, 'still cached 1 ms before its TTL');
  await clock.advance(1);
  assert.equal(await cache.get('c/r/flavors', load, { ttlMs: 60_000 }), 3, 'expired');
  await cache.get('c/r/images', load, { ttlMs: 60_000 });
  await cache.get('c/other/images', load, { ttlMs: 60_000 });
  assert.equal(await cache.invalidate('c/r/'), 2);
  assert.equal(await cache.get('c/other/images', load), 5, 'other prefixes stay');
});

test('request locks: a retried write runs once; a failed one can be retried', async () => {
  const locks = new RequestLocks(new MemorySharedState());
  let runs = 0;
  const held = gate();
  const create = async () => {
    runs++;
    await held.opened;
    return { id: `s${runs}` };
  };
  const both = Promise.all([locks.lockByRequestId('r1', create), locks.lockByRequestId('r1', create)]);
  held.open();
  const all = await both;
  assert.deepEqual(all, [{ id: 's1' }, { id: 's1' }]);
  assert.deepEqual(await locks.lockByRequestId('r1', create), { id: 's1' });
  await assert.rejects(
    locks.lockByRequestId('r2', async () => Promise.reject(new Error('quota'))),
    /quota/,
  );
  assert.deepEqual(await locks.lockByRequestId('r2', create), { id: 's2' });
});
