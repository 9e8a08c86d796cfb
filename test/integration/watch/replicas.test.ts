// Replicas sharing one Redis (a real redis-server): one poller per cloud-region among them, changes reach
// every replica's watchers, tokens resume on another replica, a killed leader is replaced within seconds,
// the TTL cache and request locks are shared.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { setMaxListeners } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ServerEventType, ServerStatus, WatchServersRequest } from '../../../src/gen/oaktree/v1/compute.ts';
import { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { watchHandlers } from '../../../src/backends/openstack/watch/handlers.ts';
import { serverChanges } from '../../../src/backends/openstack/watch/server-changes.ts';
import { connectRedis, type RedisConnection } from '../../../src/cache/redis/connection.ts';
import { redisFeedFactory, ReplicatedFeed } from '../../../src/cache/redis/replicated-feed.ts';
import { RedisSharedState } from '../../../src/cache/redis/shared-state.ts';
import { TtlCache } from '../../../src/cache/ttl-cache.ts';
import { RequestLocks } from '../../../src/cache/request-lock.ts';
import { routeKey } from '../../../src/core/location.ts';
import { toStatus } from '../../../src/core/errors.ts';
import { onHub, startSimRegion, type SimRegion } from './helpers.ts';
import { eventually, within } from '../../support/wait.ts';
import { REDIS_SERVER, startRedis, type TestRedis } from './redis-server.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';

const FAST = 250;

// Needs Debian's redis-server (CI installs it).
const skip = skipUnlessInstalled([REDIS_SERVER], 'apt-get install -y redis-server');

describe('replicas through Redis', { skip }, () => {
  let region: SimRegion;
  let redis: TestRedis;
  const connections: RedisConnection[] = [];
  const hubs: WatchHub[] = [];
  const connect = async () => {
    const c = await connectRedis(redis.url);
    connections.push(c);
    return c;
  };
  const replica = async (namespace: string, id: string) => {
    const hub = new WatchHub({
      factory: redisFeedFactory({
        redis: await connect(),
        replicaId: id,
        namespace,
        lockTtlMs: 1_500,
        poller: { fastIntervalMs: FAST, slowIntervalMs: 2_000, lingerMs: 500 },
      }),
      poller: { fastIntervalMs: FAST },
      checkpointIntervalMs: 500,
    });
    hubs.push(hub);
    return hub;
  };

  before(async () => {
    redis = await startRedis();
    region = await startSimRegion({ bootDelayMs: 600, seedServers: 2 });
  });
  after(async () => {
    await Promise.allSettled(hubs.map((h) => h.close()));
    await Promise.allSettled(connections.map((c) => c.close()));
    await region.close();
    await redis.close();
  });

  test('two replicas with 500 waiters each run one poller: list calls stay at one per interval', async () => {
    const a = await replica('t1:', 'a');
    const b = await replica('t1:', 'b');
    const ids = await Promise.all([region.createServer('r-1'), region.createServer('r-2')]);
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const before = region.listCalls();
    const started = Date.now();
    let reached = 0;
    const waiters = [a, b].flatMap((hub) =>
      Array.from({ length: 500 }, async (_, i) => {
        for await (const change of serverChanges(hub, region.ctx, ids[i % 2], abort.signal)) {
          if (change.server.status === ServerStatus.SERVER_STATUS_ACTIVE) return void reached++;
        }
      }),
    );
    await Promise.all(waiters);
    const elapsed = Date.now() - started;
    const calls = region.listCalls() - before;
    abort.abort();
    const feeds = [a, b].map((h) => h.feedFor(region.ctx) as ReplicatedFeed);
    assert.equal(reached, 1000);
    assert.equal(feeds.filter((f) => f.isLeader).length, 1, 'exactly one leader');
    assert.equal(feeds.filter((f) => f.upstreamCalls > 0).length, 1, 'only the leader asked the cloud');
    const intervals = Math.ceil(elapsed / FAST) + 2;
    assert.ok(calls <= intervals, `${calls} list calls in ${elapsed} ms (at most ${intervals})`);
  });

  test("a follower's watcher gets the leader's changes, and its token resumes on the other replica without duplicates", async () => {
    const a = await replica('t2:', 'a');
    const b = await replica('t2:', 'b');
    const ha = watchHandlers(async () => onHub(region.ctx, a));
    const hb = watchHandlers(async () => onHub(region.ctx, b));
    const call = (signal: AbortSignal) => ({ signal, via: ['t'] });
    // Watch on a, read its snapshot, keep its last token.
    const first = new AbortController();
    let token = '';
    for await (const msg of ha.watchServers!(
      WatchServersRequest.fromPartial({}),
      region.ctx.location,
      call(first.signal),
    )) {
      token = msg.resumeToken;
      if (msg.item?.$case === 'checkpoint') break;
    }
    first.abort();
    const id = await region.createServer('cross');
    // Resume on b (whichever replica leads): ADDED once, then ACTIVE, nothing twice.
    const second = new AbortController();
    const seen: string[] = [];
    const deadline = Date.now() + 6_000;
    for await (const msg of hb.watchServers!(
      WatchServersRequest.fromPartial({ resumeToken: token }),
      region.ctx.location,
      call(second.signal),
    )) {
      if (msg.item?.$case === 'event' && msg.item.value.server?.id === id) {
        seen.push(`${ServerEventType[msg.item.value.type]}:${ServerStatus[msg.item.value.server.status]}`);
        if (msg.item.value.server.status === ServerStatus.SERVER_STATUS_ACTIVE) break;
      }
      if (Date.now() > deadline) break;
    }
    second.abort();
    // Polling sees BUILD only if a poll happens during the boot; ADDED comes first either way.
    assert.match(seen[0], /^SERVER_EVENT_TYPE_ADDED:/, seen.join(', '));
    assert.equal(seen.filter((s) => s.startsWith('SERVER_EVENT_TYPE_ADDED')).length, 1, seen.join(', '));
    assert.match(seen.at(-1)!, /:SERVER_STATUS_ACTIVE$/, seen.join(', '));
    assert.equal(new Set(seen).size, seen.length, seen.join(', '));
  });

  test('killing the leader process moves the poller to another replica within a few seconds', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./replica-child.ts', import.meta.url)),
        redis.url,
        region.cloudsFile,
        region.ctx.region,
        String(FAST),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const lines: string[] = [];
      const leading = new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          lines.push(...d.toString().split('\n'));
          if (lines.includes('LEADER')) resolve();
        });
        child.once('exit', () => reject(new Error(`child exited: ${lines.join(' ')}`)));
      });
      await within(leading, 10_000, 'the child process leads');
      // Now this process joins as a follower with a watcher on the same region.
      const hub = await replica('oaktree:feed:', 'survivor');
      const feed = hub.feedFor(region.ctx) as ReplicatedFeed;
      await feed.ready(new AbortController().signal);
      const leave = feed.subscribe('watch');
      await sleep(600); // a window in which the follower must not take over a live leader's lock
      assert.equal(feed.isLeader, false, 'the child leads first');
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await eventually(() => feed.isLeader, 'the survivor takes over', { timeoutMs: 8_000 }).catch(() => {});
      const handover = Date.now() - killedAt;
      console.log(`# leader handover after SIGKILL: ${handover} ms (lock TTL 1500 ms)`);
      assert.ok(feed.isLeader, 'the survivor took over');
      assert.ok(handover < 4_000, `handover took ${handover} ms`);
      // The new leader keeps the shared log going: a new server reaches the survivor's waiter.
      const id = await region.createServer('after-handover');
      const abort = new AbortController();
      let status = ServerStatus.SERVER_STATUS_UNSPECIFIED;
      for await (const change of serverChanges(hub, region.ctx, id, abort.signal, {
        deadline: new Date(Date.now() + 5_000),
      })) {
        status = change.server.status;
        if (status === ServerStatus.SERVER_STATUS_ACTIVE) break;
      }
      abort.abort();
      leave();
      assert.equal(status, ServerStatus.SERVER_STATUS_ACTIVE);
      assert.equal(routeKey(region.ctx.location).length > 0, true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test("a failed list fails every replica's waiters with UNAVAILABLE, the leader's and the follower's", async () => {
    const a = await replica('t5:', 'a');
    const b = await replica('t5:', 'b');
    const id = await region.createServer('outage');
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    const outcomes = [a, b].map(async (hub) => {
      try {
        for await (const change of serverChanges(hub, region.ctx, id, abort.signal)) {
          if (change.type === 'CURRENT') started();
        }
        return 'ended';
      } catch (error) {
        return `${toStatus(error).code}: ${(error as Error).message}`;
      }
    });
    let count = 0;
    let bothStarted!: () => void;
    const ready = new Promise<void>((resolve) => (bothStarted = resolve));
    const started = () => ++count === 2 && bothStarted();
    await within(ready, 10_000, 'both waiters have their first state');
    const fault = region.sim.faults.add({
      kind: 'status',
      cloud: 'wcloud',
      service: 'compute',
      status: 503,
      fraction: 1,
    });
    try {
      const ends = await within(Promise.all(outcomes), 10_000, 'both waiters end');
      for (const end of ends) assert.match(end, /^14: the servers of .* could not be listed: .*503/, end);
    } finally {
      region.sim.faults.remove(fault.id);
      abort.abort();
    }
  });

  test('the TTL cache and request locks are shared: one load and one write for two replicas', async () => {
    const s1 = new RedisSharedState(await connect());
    const s2 = new RedisSharedState(await connect());
    const c1 = new TtlCache({ state: s1 });
    const c2 = new TtlCache({ state: s2 });
    let loads = 0;
    const load = async () => {
      loads++;
      await sleep(100); // a slow load: the other replica's reads arrive while it runs
      return { flavors: ['m1.small'] };
    };
    const results = await Promise.all(
      [...Array(10)].flatMap(() => [
        c1.get('wcloud/flavors', load, { ttlMs: 5_000 }),
        c2.get('wcloud/flavors', load, { ttlMs: 5_000 }),
      ]),
    );
    assert.equal(loads, 1, 'one load for 20 concurrent reads on two replicas');
    assert.deepEqual(results[19], { flavors: ['m1.small'] });
    assert.equal(await c2.invalidate('wcloud/'), 1);
    await c1.get('wcloud/flavors', load);
    assert.equal(loads, 2, 'a write through oaktree invalidated the prefix for every replica');
    await c1.get('wcloud/flavors', load, { fresh: true });
    assert.equal(loads, 3, 'fresh bypasses the cache');

    const l1 = new RequestLocks(s1);
    const l2 = new RequestLocks(s2);
    let creates = 0;
    const create = async () => {
      creates++;
      await sleep(150); // a slow create: the retries arrive while it runs
      return { serverId: `srv-${creates}` };
    };
    const answers = await Promise.all([
      l1.lockByRequestId('create:req-1', create),
      l2.lockByRequestId('create:req-1', create),
      l2.lockByRequestId('create:req-1', create),
    ]);
    assert.equal(creates, 1);
    assert.deepEqual(
      answers.map((a) => a.serverId),
      ['srv-1', 'srv-1', 'srv-1'],
    );
    assert.deepEqual(
      await l1.lockByRequestId('create:req-1', create),
      { serverId: 'srv-1' },
      'a later retry gets the same server',
    );
  });

  test('node services with redis: replicated feeds, the shared cache and request locks', async () => {
    const { startNodeServices } = await import('../../../src/node/services.ts');
    const services = await startNodeServices({ redis: redis.url, nodeId: 'n1' });
    try {
      assert.equal(services.state.kind, 'redis');
      const feed = services.watch.feedFor(region.ctx);
      assert.ok(feed instanceof ReplicatedFeed);
      let runs = 0;
      const r = await Promise.all(
        [1, 2].map(() => services.requestLocks.lockByRequestId('create:x', async () => ({ n: ++runs }))),
      );
      assert.deepEqual(r, [{ n: 1 }, { n: 1 }]);
      assert.equal(await services.cache.get('k', async () => 'v'), 'v');
      await feed.ready(new AbortController().signal);
    } finally {
      await services.close();
    }
  });
});
