// Issue 17, rows 6 and 7: what WaitForServer costs the cloud, counted at the simulator over real gRPC. A waiter
// for a server the node's poller already tracks costs nothing beyond the poll that runs anyway; a burst of waiters
// for servers made moments ago shares the next list; an unknown id is NOT_FOUND after one list and nova agreeing;
// a cloud that fails its list fails the waiters with UNAVAILABLE; a deletion ends the wait as the caller asked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setMaxListeners } from 'node:events';
import { ClientError, createChannel, createClient, Status, type Channel } from 'nice-grpc';
import { ComputeServiceDefinition, ServerStatus } from '../../../src/gen/oaktree/v1/compute.ts';
import { HandlerBackend } from '../../../src/backends/handler-backend.ts';
import { computeHandlers } from '../../../src/backends/openstack/compute/handlers.ts';
import { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { within } from '../../support/wait.ts';
import { onHub, startSimRegion, type SimRegion } from './helpers.ts';

const FAST = 250;
const location = { cloud: 'wcloud' };

describe('what waiters cost the cloud', { timeout: 120_000 }, () => {
  let sim: SimRegion;
  let node: RunningNode;
  let channel: Channel;
  let hub: WatchHub;
  let client: ReturnType<typeof createClient<typeof ComputeServiceDefinition>>;
  /** Ends every waiter a test leaves running. */
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);

  before(async () => {
    // Servers stay in BUILD: a window's requests are the waiters' and the poller's alone.
    sim = await startSimRegion({ bootDelayMs: 3_600_000 });
    hub = new WatchHub({ poller: { fastIntervalMs: FAST, lingerMs: 300 } });
    const resolve = async () => onHub(sim.ctx, hub);
    node = await startNode({
      nodeId: 'waiters-cost',
      listen: '127.0.0.1:0',
      backends: [
        new HandlerBackend({
          id: 'cloud:wcloud',
          locations: () => [sim.ctx.location],
          handlers: computeHandlers(resolve),
        }),
      ],
      logger: silentLogger(),
    });
    channel = createChannel(node.address);
    client = createClient(ComputeServiceDefinition, channel);
  });
  after(async () => {
    abort.abort();
    channel.close();
    await node.close(200);
    await hub.close();
    await sim.close();
  });

  /** Requests the simulator answered, by "service route" (identity left out: tokens are not the waiters'). */
  const requests = (): Map<string, number> => {
    const out = new Map<string, number>();
    for (const e of sim.sim.stats().entries)
      if (e.service !== 'identity')
        out.set(`${e.service} ${e.route}`, (out.get(`${e.service} ${e.route}`) ?? 0) + e.count);
    return out;
  };
  const since = (before: Map<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [route, n] of requests()) if (n > (before.get(route) ?? 0)) out[route] = n - (before.get(route) ?? 0);
    return out;
  };
  const pollerCalls = () => hub.feedFor(sim.ctx).upstreamCalls;

  /** A waiter held open; `first` settles with its first message's status (or its error). */
  const wait = (nameOrId: string, until: ServerStatus[] = []) => {
    const statuses: ServerStatus[] = [];
    let firstSeen!: (s: ServerStatus) => void;
    const first = new Promise<ServerStatus>((resolve) => (firstSeen = resolve));
    const done = (async () => {
      for await (const msg of client.waitForServer({ location, nameOrId, until }, { signal: abort.signal })) {
        statuses.push(msg.server!.status);
        if (statuses.length === 1) firstSeen(msg.server!.status);
      }
    })();
    // Either may end unread (a test that expects the error awaits `done`): handled, never unhandled.
    const firstOrEnd = Promise.race([first, done.then(() => first)]);
    for (const p of [done, firstOrEnd]) p.catch(() => {});
    return { first: firstOrEnd, done, statuses };
  };

  const codeOf = async (promise: Promise<unknown>): Promise<{ code: Status; details: string }> => {
    const error = await promise.then(
      () => assert.fail('the wait ended without an error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ClientError, String(error));
    return { code: error.code, details: error.details };
  };

  let tracked: string[] = [];

  test('100 waiters for servers the poller already tracks cost nothing beyond its list', async () => {
    tracked = [];
    for (let i = 0; i < 100; i++) tracked.push(await sim.createServer(`tracked-${i}`));
    // Someone already waits on this region: its poller runs and its view holds every server.
    const earlier = wait(tracked[0]);
    await within(earlier.first, 10_000, 'the first waiter gets its first message');

    const before = requests();
    const polls = pollerCalls();
    const waiters = tracked.map((id) => wait(id));
    const firsts = await within(Promise.all(waiters.map((w) => w.first)), 10_000, '100 first messages');
    assert.ok(firsts.every((s) => s === ServerStatus.SERVER_STATUS_BUILDING));
    // Held a while, as real waiters are: several polls go by.
    const until = pollerCalls() + 4;
    while (pollerCalls() < until) await hub.feedFor(sim.ctx).log.changed(abort.signal, 2_000);
    const spent = since(before);
    assert.deepEqual(Object.keys(spent), ['compute GET /servers/detail'], JSON.stringify(spent));
    assert.equal(spent['compute GET /servers/detail'], pollerCalls() - polls, 'every request was a poll');
  });

  test('a burst of 50 waiters for servers made moments ago costs at most one list per poll interval', async () => {
    const fresh: string[] = [];
    for (let i = 0; i < 50; i++) fresh.push(await sim.createServer(`burst-${i}`));
    const before = requests();
    const polls = pollerCalls();
    const started = Date.now();
    const waiters = fresh.map((id) => wait(id));
    const firsts = await within(Promise.all(waiters.map((w) => w.first)), 10_000, '50 first messages');
    const elapsed = Date.now() - started;
    assert.ok(firsts.every((s) => s === ServerStatus.SERVER_STATUS_BUILDING));
    const spent = since(before);
    // Nova's changes-since leaves a server out for its first moments (NULL updated_at; the simulator's unsavedMs):
    // a waiter whose server the poll missed asks nova, once per server per interval however many wait for it.
    assert.deepEqual(
      Object.keys(spent).filter((k) => k !== 'compute GET /servers/{id}'),
      ['compute GET /servers/detail'],
      JSON.stringify(spent),
    );
    const gets = spent['compute GET /servers/{id}'] ?? 0;
    assert.ok(gets <= fresh.length * (Math.ceil(elapsed / FAST) + 1), `${gets} GETs for ${fresh.length} new servers`);
    const lists = pollerCalls() - polls;
    assert.equal(spent['compute GET /servers/detail'], lists, 'every list was a poll');
    assert.ok(lists <= Math.ceil(elapsed / FAST) + 1, `${lists} lists in ${elapsed} ms`);
  });

  test('an unknown id is NOT_FOUND after one poll and nova saying so (one GET, one name lookup)', async () => {
    const before = requests();
    const polls = pollerCalls();
    const unknown = wait('00000000-0000-4000-8000-000000000000');
    const { code, details } = await within(codeOf(unknown.done), 10_000, 'the unknown id ends');
    assert.equal(code, Status.NOT_FOUND, details);
    assert.match(details, /00000000-0000-4000-8000-000000000000/);
    const spent = since(before);
    assert.deepEqual(Object.keys(spent).sort(), ['compute GET /servers/detail', 'compute GET /servers/{id}']);
    assert.equal(spent['compute GET /servers/{id}'], 1, JSON.stringify(spent));
    const lists = pollerCalls() - polls;
    assert.ok(lists <= 2, `${lists} polls`);
    assert.equal(
      spent['compute GET /servers/detail'],
      lists + 1,
      `the polls and one name lookup: ${JSON.stringify(spent)}`,
    );
  });

  test('a deletion ends the wait: NOT_FOUND for a status, success when DELETED is awaited', async () => {
    const [victim, expected] = tracked.slice(-2);
    const forStatus = wait(victim, [ServerStatus.SERVER_STATUS_STOPPED]);
    const forGone = wait(expected, [ServerStatus.SERVER_STATUS_DELETED]);
    await within(Promise.all([forStatus.first, forGone.first]), 10_000, 'both waiters started');
    await sim.deleteServer(victim);
    await sim.deleteServer(expected);
    const { code } = await within(codeOf(forStatus.done), 10_000, 'the status wait ends');
    assert.equal(code, Status.NOT_FOUND);
    await within(forGone.done, 10_000, 'the wait for DELETED ends');
    assert.equal(forGone.statuses.at(-1), ServerStatus.SERVER_STATUS_DELETED);
  });

  test('a cloud that fails its list fails the waiters with UNAVAILABLE, not a hang', async () => {
    const running = wait(tracked[1]);
    await within(running.first, 10_000, 'the waiter started');
    const fault = sim.sim.faults.add({ kind: 'status', cloud: 'wcloud', service: 'compute', status: 503, fraction: 1 });
    try {
      const failed = await within(codeOf(running.done), 10_000, 'the running waiter ends');
      assert.equal(failed.code, Status.UNAVAILABLE, failed.details);
      assert.match(failed.details, /could not be listed/);
      const late = await within(codeOf(wait(tracked[2]).done), 20_000, 'a new waiter ends');
      assert.equal(late.code, Status.UNAVAILABLE, late.details);
    } finally {
      sim.sim.faults.remove(fault.id);
    }
  });
});
