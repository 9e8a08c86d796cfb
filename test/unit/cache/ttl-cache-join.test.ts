// Issue 22 (smaller): after a hang clears, a `fresh` read must not join the load still hung from before; it starts
// its own. Callers close together still share one load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../../src/cache/ttl-cache.ts';
import { MemorySharedState } from '../../../src/cache/shared-state.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { within } from '../../support/wait.ts';

test('a fresh read joins a young load but not one that has been in flight longer than the join window', {
  timeout: 10_000,
}, async () => {
  const clock = new ManualClock();
  const cache = new TtlCache({ state: new MemorySharedState({ clock }), clock, freshJoinMs: 1_000 });
  let releaseHung!: (value: string) => void;
  const hung = new Promise<string>((resolve) => {
    releaseHung = resolve;
  });
  const first = cache.get('servers', () => hung, { fresh: true });
  const joined = cache.get('servers', () => Promise.resolve('not called'), { fresh: true });
  assert.equal(cache.loads, 1, 'a caller in the same moment shares the load');

  await clock.advance(30_000); // the cloud hung, then recovered
  const later = await within(
    cache.get('servers', () => Promise.resolve('recovered'), { fresh: true }),
    2_000,
    'a fresh read after the hang',
  );
  assert.equal(later, 'recovered');
  assert.equal(cache.loads, 2);

  releaseHung('old');
  assert.deepEqual(await Promise.all([first, joined]), ['old', 'old']);
});

test('a cached read joins a load younger than its TTL only', { timeout: 10_000 }, async () => {
  const clock = new ManualClock();
  const cache = new TtlCache({ state: new MemorySharedState({ clock }), clock });
  const hung = new Promise<string>(() => {});
  void cache.get('flavors', () => hung, { ttlMs: 2_000 });
  await clock.advance(2_500);
  assert.equal(
    await within(
      cache.get('flavors', async () => 'answer', { ttlMs: 2_000 }),
      2_000,
      'a cached read after the hang',
    ),
    'answer',
  );
});
