// Issue 22, watch memory: a region's feed (every server, the change ring, normalized forms) is released soon
// after its last watcher leaves, on the injectable clock, instead of being held for ten minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeedRegistry } from '../../../src/cache/poller/feed-registry.ts';
import type { RawServer, UpstreamFetch } from '../../../src/cache/poller/types.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const servers: RawServer[] = Array.from({ length: 1_000 }, (_, i) => ({
  id: `s${i}`,
  name: `s${i}`,
  status: 'ACTIVE',
  updated: '2026-01-01T00:00:00Z',
}));
const upstream: UpstreamFetch = async function* () {
  yield servers;
};

test('a feed and its change log are dropped within the retention after the last watcher leaves', {
  timeout: 10_000,
}, async () => {
  const clock = new ManualClock();
  const registry = new FeedRegistry({
    poller: { clock, fastIntervalMs: 1_000, slowIntervalMs: 5_000, lingerMs: 5_000 },
  });
  try {
    const feed = registry.feed('cloud/RegionOne/p/u', upstream);
    const leave = feed.subscribe('watch');
    const polled = feed.whenPolled(0, AbortSignal.timeout(5_000));
    await clock.advance(0);
    await polled;
    assert.equal(feed.log.size, 1_000, 'the feed holds the region');

    await clock.advance(60_000);
    assert.equal(registry.get('cloud/RegionOne/p/u'), feed, 'kept while someone watches');
    leave();
    await clock.advance(20_000);
    assert.equal(registry.get('cloud/RegionOne/p/u'), feed, 'kept briefly, so a dropped client can resume');
    await clock.advance(20_000);
    assert.equal(
      registry.get('cloud/RegionOne/p/u'),
      undefined,
      'released 30 to 40 s after the last watcher left, not 10 min',
    );
  } finally {
    await registry.close();
  }
});
