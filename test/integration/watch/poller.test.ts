// The shared poller and the watch handlers against the simulator over HTTP: one list call per interval for
// a thousand waiters, notify latency, resume without loss or duplicates, OUT_OF_RANGE. (WaitForServer's ERROR,
// delete, deadline and unknown id: grpc-wait.test.ts, on compute's handler, the one the backend serves.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import {
  ServerEventType,
  ServerStatus,
  WatchServersRequest,
  type WatchServersResponse,
} from '../../../src/gen/oaktree/v1/compute.ts';
import { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { watchHandlers } from '../../../src/backends/openstack/watch/handlers.ts';
import { serverChanges } from '../../../src/backends/openstack/watch/server-changes.ts';
import type { CallContext } from '../../../src/backends/backend.ts';
import { toStatus } from '../../../src/core/errors.ts';
import { onHub, percentile, startSimRegion, type SimRegion } from './helpers.ts';

const FAST = 250;

function callCtx(signal: AbortSignal, deadline?: Date): CallContext {
  return { signal, deadline, via: ['test'] };
}

describe('shared server poller against the simulator', () => {
  let region: SimRegion;
  let hub: WatchHub;
  before(async () => {
    region = await startSimRegion({ bootDelayMs: 800, seedServers: 3 });
    hub = new WatchHub({
      poller: { fastIntervalMs: FAST, slowIntervalMs: 2_000, lingerMs: 500 },
      checkpointIntervalMs: 400,
    });
  });
  after(async () => {
    await hub.close();
    await region.close();
  });

  test('1,000 concurrent waiters cost one list call per interval, and all see ACTIVE', async () => {
    const ids = await Promise.all([region.createServer('w-a'), region.createServer('w-b')]);
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const listBefore = region.listCalls();
    const getBefore = region.getCalls();
    const started = Date.now();
    const seenActive: number[] = [];
    const waiters = Array.from({ length: 1000 }, async (_, i) => {
      const id = ids[i % 2];
      for await (const change of serverChanges(hub, region.ctx, id, abort.signal)) {
        if (change.server.status === ServerStatus.SERVER_STATUS_ACTIVE) {
          seenActive.push(Date.now());
          return;
        }
      }
    });
    await Promise.all(waiters);
    const elapsed = Date.now() - started;
    const calls = region.listCalls() - listBefore;
    const intervals = Math.ceil(elapsed / FAST) + 1;
    assert.equal(seenActive.length, 1000);
    // Nova's changes-since leaves a new server out for its first moments (the simulator's unsavedMs, 300 ms by
    // default): only then is nova asked directly, once per server per interval for all 1,000 waiters.
    const gets = region.getCalls() - getBefore;
    const most = ids.length * (Math.ceil(300 / FAST) + 2);
    assert.ok(gets <= most, `${gets} GETs for ${ids.length} new servers and 1,000 waiters (at most ${most})`);
    assert.ok(
      calls <= intervals,
      `${calls} list calls in ${elapsed} ms (at most ${intervals} intervals of ${FAST} ms)`,
    );
    assert.ok(calls >= 1);
    abort.abort();
  });

  test('ACTIVE reaches every watcher within the interval plus a margin; latency measured', async () => {
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const handlers = watchHandlers(async () => onHub(region.ctx, hub));
    const id = await region.createServer('lat');
    // As CreateServer does through oaktree: the write keeps the poller fast while changes-since may not show
    // the new server yet (nova's NULL updated_at; the simulator's unsavedMs).
    hub.serverWritten(region.ctx);
    const activeAt = Date.now() + 800; // the simulator's boot delay
    const latencies: number[] = [];
    const watchers = Array.from({ length: 50 }, async () => {
      const stream = handlers.watchServers!(
        WatchServersRequest.fromPartial({ serverIds: [id] }),
        region.ctx.location,
        callCtx(abort.signal),
      );
      for await (const msg of stream) {
        if (msg.item?.$case === 'event' && msg.item.value.server?.status === ServerStatus.SERVER_STATUS_ACTIVE) {
          latencies.push(Date.now() - activeAt);
          return;
        }
      }
    });
    await Promise.all(watchers);
    abort.abort();
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`# notify latency (50 watchers, interval ${FAST} ms): median ${p50} ms, p99 ${p99} ms`);
    assert.ok(p99 <= FAST + 300, `p99 ${p99} ms`);
  });

  test('watch: snapshot, checkpoint, changes; a reconnect with the last token misses nothing and repeats nothing', async () => {
    const handlers = watchHandlers(async () => onHub(region.ctx, hub));
    const first = new AbortController();
    const received: WatchServersResponse[] = [];
    let token = '';
    const stream = handlers.watchServers!(
      WatchServersRequest.fromPartial({}),
      region.ctx.location,
      callCtx(first.signal),
    );
    const iterator = stream[Symbol.asyncIterator]();
    // Read the snapshot up to its checkpoint.
    for (;;) {
      const { value } = await iterator.next();
      received.push(value);
      token = value.resumeToken;
      if (value.item?.$case === 'checkpoint') break;
    }
    assert.ok(received.length > 1, 'the snapshot has the seeded servers');
    assert.ok(
      received
        .slice(0, -1)
        .every((m) => m.item?.$case === 'event' && m.item.value.type === ServerEventType.SERVER_EVENT_TYPE_EXISTING),
    );
    const ck = received.at(-1)!.item;
    assert.ok(ck?.$case === 'checkpoint' && ck.value.initialStateComplete);
    // Disconnect, make changes while nobody watches, reconnect with the token.
    await iterator.return?.(undefined);
    first.abort();
    const made = await Promise.all([region.createServer('gap-1'), region.createServer('gap-2')]);
    // They go ACTIVE while no stream watches; the poller sees them (a waiter keeps it polling), so the log the
    // resumed stream reads holds their whole story.
    const { waitForServerStatus } = await import('../../../src/backends/openstack/watch/wait-shared.ts');
    const untilActive = (id: string) =>
      waitForServerStatus(
        region.ctx,
        id,
        (raw) => raw.status === 'ACTIVE',
        new AbortController().signal,
        () => {},
        {},
        hub,
      );
    await Promise.all(made.map(untilActive));
    await region.deleteServer(made[0]);
    const second = new AbortController();
    const events: { type: ServerEventType; id: string; status: ServerStatus }[] = [];
    const resumed = handlers.watchServers!(
      WatchServersRequest.fromPartial({ resumeToken: token }),
      region.ctx.location,
      callCtx(second.signal),
    );
    const deadline = Date.now() + 5_000;
    for await (const msg of resumed) {
      if (msg.item?.$case === 'event') {
        const s = msg.item.value.server!;
        if (made.includes(s.id)) events.push({ type: msg.item.value.type, id: s.id, status: s.status });
      }
      const deleted = events.some((e) => e.type === ServerEventType.SERVER_EVENT_TYPE_DELETED);
      const active = events.some((e) => e.id === made[1] && e.status === ServerStatus.SERVER_STATUS_ACTIVE);
      if ((deleted && active) || Date.now() > deadline) break;
    }
    second.abort();
    const kinds = (id: string) => events.filter((e) => e.id === id).map((e) => ServerEventType[e.type]);
    assert.equal(
      events.filter((e) => e.type === ServerEventType.SERVER_EVENT_TYPE_EXISTING).length,
      0,
      'no snapshot on resume',
    );
    assert.deepEqual(kinds(made[0]).filter((k) => k.endsWith('ADDED')).length, 1, 'ADDED once');
    assert.ok(kinds(made[0]).at(-1)!.endsWith('DELETED'), `made[0]: ${kinds(made[0])}`);
    assert.deepEqual(kinds(made[1]).filter((k) => k.endsWith('ADDED')).length, 1, 'ADDED once');
    // No change is delivered twice: (id, status) pairs are unique per server.
    const pairs = events.map((e) => `${e.id}:${e.type}:${e.status}`);
    assert.equal(new Set(pairs).size, pairs.length, `duplicates in ${pairs.join(', ')}`);
  });

  test('a token from another epoch or beyond the retained log answers OUT_OF_RANGE; garbage INVALID_ARGUMENT', async () => {
    const small = new WatchHub({ poller: { fastIntervalMs: FAST, lingerMs: 200 } });
    const handlers = watchHandlers(async () => onHub(region.ctx, small));
    const abort = new AbortController();
    const read = async (token: string) => {
      for await (const msg of handlers.watchServers!(
        WatchServersRequest.fromPartial({ resumeToken: token }),
        region.ctx.location,
        callCtx(abort.signal),
      )) {
        return msg;
      }
    };
    // A token issued by the first hub's log: this hub's log has another epoch.
    const feed = hub.feedFor(region.ctx);
    const { locationToken } = await import('../../../src/cache/watch-token.ts');
    const { routeKey } = await import('../../../src/core/location.ts');
    const foreign = locationToken(routeKey(region.ctx.location), feed.log.epoch, feed.log.seq);
    await assert.rejects(read(foreign), (e: unknown) => toStatus(e).code === 11);
    const own = small.feedFor(region.ctx).log;
    await small.feedFor(region.ctx).whenPolled(0, abort.signal);
    const ahead = locationToken(routeKey(region.ctx.location), own.epoch, own.seq + 5);
    await assert.rejects(read(ahead), (e: unknown) => toStatus(e).code === 11);
    await assert.rejects(read('not-a-token'), (e: unknown) => toStatus(e).code === 3);
    abort.abort();
    await small.close();
  });

  test('a cloud that fails the first poll answers the watch with its error (UNAVAILABLE), not a hang', async () => {
    const fresh = new WatchHub({ poller: { fastIntervalMs: FAST, lingerMs: 200 } });
    const handlers = watchHandlers(async () => onHub(region.ctx, fresh));
    const fault = region.sim.faults.add({ kind: 'status', status: 500, service: 'compute', count: 2 });
    try {
      await assert.rejects(
        (async () => {
          for await (const _ of handlers.watchServers!(
            WatchServersRequest.fromPartial({}),
            region.ctx.location,
            callCtx(new AbortController().signal),
          )) {
            /* nothing arrives */
          }
        })(),
        (e: unknown) => toStatus(e).code === 14,
      );
    } finally {
      region.sim.faults.remove(fault.id);
      await fresh.close();
    }
  });

  test('drop-in waits for compute/wait.ts: until ACTIVE with every change seen, then gone after a delete', async () => {
    const { waitForServerStatus, waitForServerGone } = await import(
      '../../../src/backends/openstack/watch/wait-shared.ts'
    );
    const id = await region.createServer('dropin');
    const seen: string[] = [];
    const abort = new AbortController();
    const last = await waitForServerStatus(
      region.ctx,
      id,
      (raw) => raw.status === 'ACTIVE',
      abort.signal,
      (raw) => void seen.push(String(raw.status)),
      {},
      hub,
    );
    assert.equal(last.status, 'ACTIVE');
    assert.equal(seen.at(-1), 'ACTIVE');
    const before = region.getCalls();
    const gone = waitForServerGone(region.ctx, id, abort.signal, hub);
    await region.deleteServer(id);
    await gone;
    assert.equal(region.getCalls(), before, 'no per-server GETs');
  });

  test('a new server that changes-since still leaves out is found: nova is asked once for all its waiters', async () => {
    const { waitForServerStatus } = await import('../../../src/backends/openstack/watch/wait-shared.ts');
    const UNSAVED = 1_500;
    const unsaved = await startSimRegion({ bootDelayMs: 2_500, unsavedMs: UNSAVED });
    const own = new WatchHub({ poller: { fastIntervalMs: FAST, slowIntervalMs: 2_000, lingerMs: 500 } });
    try {
      const ctx = onHub(unsaved.ctx, own);
      // The region's view is made first, so the new server can only reach it through changes-since.
      await waitForServerStatus(
        ctx,
        await unsaved.createServer('seen-first'),
        (raw) => raw.status === 'BUILD',
        new AbortController().signal,
        () => {},
        {},
        own,
      );
      const id = await unsaved.createServer('unsaved');
      const getBefore = unsaved.getCalls();
      const abort = new AbortController();
      setMaxListeners(0, abort.signal);
      const finals = await Promise.all(
        Array.from({ length: 200 }, () =>
          waitForServerStatus(
            ctx,
            id,
            (raw) => raw.status === 'ACTIVE',
            abort.signal,
            () => {},
            {},
            own,
          ),
        ),
      );
      assert.ok(finals.every((raw) => raw.id === id && raw.status === 'ACTIVE'));
      const gets = unsaved.getCalls() - getBefore;
      const most = Math.ceil(UNSAVED / FAST) + 2;
      assert.ok(gets >= 1, 'the poll missed the server, so nova was asked');
      assert.ok(gets <= most, `${gets} GETs for 200 waiters (at most one per interval: ${most})`);
      await assert.rejects(
        waitForServerStatus(
          ctx,
          '00000000-0000-4000-8000-000000000000',
          () => true,
          abort.signal,
          () => {},
          {},
          own,
        ),
        (e: unknown) => toStatus(e).code === 5,
        'an id nova does not know is still NOT_FOUND',
      );
    } finally {
      await own.close();
      await unsaved.close();
    }
  });
});
