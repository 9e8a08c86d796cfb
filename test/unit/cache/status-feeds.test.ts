// The shared block-storage poller on a manual clock with an in-memory Cinder: many waits cost one list call per
// interval, a vanished volume ends the waits that accept it (and fails the others), an error status is ABORTED.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusFeeds, VOLUMES, type Raw } from '../../../src/backends/openstack/volume/status-feeds.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function cinder() {
  const volumes = new Map<string, Raw>();
  let calls = 0;
  const region = {
    region: 'RegionOne',
    credentialKey: 'c/RegionOne/p/u',
    session: {
      async *paginate() {
        calls++;
        yield [...volumes.values()].map((v) => ({ ...v }));
      },
    } as any,
  };
  return { volumes, region, calls: () => calls };
}

const available = (v: Raw | undefined) =>
  v?.status === 'available' ? true : v?.status === 'error' ? 'went to error' : false;

test('ten waits on one region: one list call per interval, each wait ends when its volume is available', async () => {
  const clock = new ManualClock();
  const feeds = new StatusFeeds({ clock, fastIntervalMs: 1000, lingerMs: 0 });
  const c = cinder();
  for (let i = 0; i < 10; i++) c.volumes.set(`v${i}`, { id: `v${i}`, status: 'creating' });
  const seen: string[] = [];
  const waits = [...c.volumes.keys()].map((id) =>
    feeds.wait(c.region as any, VOLUMES, id, available, AbortSignal.timeout(10_000), (v) => {
      seen.push(`${id}:${v?.status}`);
    }),
  );
  await clock.advance(0);
  assert.equal(c.calls(), 1, 'the first poll serves every waiter');
  for (const v of c.volumes.values()) v.status = 'available';
  await clock.advance(1000);
  const done = await Promise.all(waits);
  assert.ok(done.every((v) => v?.status === 'available'));
  assert.equal(c.calls(), 2, 'two polls for ten waiters');
  assert.equal(seen.filter((s) => s.endsWith(':creating')).length, 10, 'every waiter saw the first state');
  await feeds.close();
});

test('a volume that vanishes: undefined for a wait that accepts it, ABORTED for one that does not', async () => {
  const clock = new ManualClock();
  const feeds = new StatusFeeds({ clock, fastIntervalMs: 1000, lingerMs: 0 });
  const c = cinder();
  c.volumes.set('gone', { id: 'gone', status: 'deleting' });
  c.volumes.set('bad', { id: 'bad', status: 'extending' });
  const signal = AbortSignal.timeout(10_000);
  const untilGone = feeds.wait(c.region as any, VOLUMES, 'gone', (v) => !v, signal);
  const untilAvailable = feeds.wait(c.region as any, VOLUMES, 'bad', available, signal);
  const failed = assert.rejects(untilAvailable, (e: any) => e.grpcCode === 10 && /went to error/.test(e.message));
  await clock.advance(0);
  c.volumes.delete('gone');
  c.volumes.get('bad')!.status = 'error';
  await clock.advance(1000);
  assert.equal(await untilGone, undefined);
  await failed;
  await feeds.close();
});
