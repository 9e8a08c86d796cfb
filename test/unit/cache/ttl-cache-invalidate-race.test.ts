// A load that started before a write must not answer for after it: it is neither kept nor joined once the write
// invalidated its prefix. (Seen on the real cloud: a server poll in flight during an unpause kept the PAUSED
// answer, and the next identical poll, started after the unpause, was served that stale answer.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../../src/cache/ttl-cache.ts';
import { MemorySharedState } from '../../../src/cache/shared-state.ts';
import { ManualClock } from '../../support/manual-clock.ts';

test('a load in flight across an invalidate is not kept, and later readers do not join it', {
  timeout: 10_000,
}, async () => {
  const clock = new ManualClock();
  const cache = new TtlCache({ state: new MemorySharedState({ clock }), clock });
  let release!: (value: string) => void;
  let loading!: () => void;
  const started = new Promise<void>((resolve) => {
    loading = resolve;
  });
  const before = cache.get(
    'reads:servers',
    () =>
      new Promise<string>((resolve) => {
        release = resolve;
        loading();
      }),
    { ttlMs: 2_000 },
  );
  await started;
  await cache.invalidate('reads:');
  const after = cache.get('reads:servers', () => Promise.resolve('PAUSED -> ACTIVE'), { ttlMs: 2_000 });
  release('PAUSED');
  assert.equal(await before, 'PAUSED', 'its own callers still get what it loaded');
  assert.equal(await after, 'PAUSED -> ACTIVE', 'a reader after the write starts its own load');
  assert.equal(cache.loads, 2);
  assert.equal(
    await cache.get('reads:servers', () => Promise.resolve('third load'), { ttlMs: 2_000 }),
    'PAUSED -> ACTIVE',
  );
});
