// WatchServers through a real oaktree node over gRPC, two regions merged by the router; the node merges the
// locations' resume tokens into one token it signs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createChannel, createClient, type Channel } from 'nice-grpc';
import {
  ComputeServiceDefinition,
  ServerEventType,
  ServerStatus,
  type WatchServersResponse,
} from '../../../src/gen/oaktree/v1/compute.ts';
import type { Location } from '../../../src/gen/oaktree/v1/location.ts';
import { HandlerBackend } from '../../../src/backends/handler-backend.ts';
import type { RegionContext } from '../../../src/backends/openstack/region.ts';
import { WatchHub } from '../../../src/backends/openstack/watch/hub.ts';
import { watchHandlers } from '../../../src/backends/openstack/watch/handlers.ts';
import { decodeWatchToken, signWatchToken, WatchTokenKey } from '../../../src/cache/watch-token.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { onHub, regionContextFrom, startSimRegion, type SimRegion } from './helpers.ts';

describe('WatchServers over gRPC across two regions', () => {
  let sim: SimRegion;
  let two: RegionContext;
  let node: RunningNode;
  let channel: Channel;
  let hub: WatchHub;
  const key = WatchTokenKey.random();
  const create = async (ctx: RegionContext, name: string) => {
    const images = (await ctx.session.request('image', ctx.region, { method: 'GET', path: '/images' })).body as {
      images: { id: string }[];
    };
    const res = await ctx.session.request('compute', ctx.region, {
      method: 'POST',
      path: '/servers',
      body: { server: { name, flavorRef: '1', imageRef: images.images[0].id, networks: 'none' } },
    });
    return (res.body as { server: { id: string } }).server.id;
  };

  before(async () => {
    sim = await startSimRegion({ regions: ['RegionOne', 'RegionTwo'], seedServers: 1, bootDelayMs: 300 });
    two = await regionContextFrom(sim.cloudsFile, 'RegionTwo');
    const contexts = new Map([
      [sim.ctx.region, sim.ctx],
      [two.region, two],
    ]);
    hub = new WatchHub({
      poller: { fastIntervalMs: 200, slowIntervalMs: 1_000, lingerMs: 300 },
      checkpointIntervalMs: 300,
    });
    const backend = new HandlerBackend({
      id: 'cloud:wcloud',
      locations: (): Location[] => [sim.ctx.location, two.location],
      handlers: watchHandlers(async (target) => onHub(contexts.get(target.region)!, hub)),
    });
    node = await startNode({
      nodeId: 'watch-test',
      listen: '127.0.0.1:0',
      backends: [backend],
      logger: silentLogger(),
      watchTokenKey: key,
    });
    channel = createChannel(node.address);
  });
  after(async () => {
    channel.close();
    await node.close(200);
    await hub.close();
    two.session.close();
    await two.services.watch.close();
    await sim.close();
  });

  test('snapshot and checkpoint per location, one merged token, resume after changes in both regions', async () => {
    const client = createClient(ComputeServiceDefinition, channel);
    const first = new AbortController();
    const synced = new Set<string>();
    let token = '';
    let existing = 0;
    try {
      for await (const msg of client.watchServers({ location: { cloud: 'wcloud' } }, { signal: first.signal })) {
        token = msg.resumeToken;
        if (msg.item?.$case === 'event')
          existing += msg.item.value.type === ServerEventType.SERVER_EVENT_TYPE_EXISTING ? 1 : 0;
        if (msg.item?.$case === 'checkpoint' && msg.item.value.initialStateComplete)
          synced.add(msg.item.value.location!.region);
        if (synced.size === 2) break;
      }
    } finally {
      first.abort();
    }
    assert.equal(existing, 2, 'one seeded server per region');
    assert.deepEqual([...decodeWatchToken(token).positions.keys()].length, 2, 'the token carries both locations');

    // Made while nobody watches: the resumed watch must deliver them from the token on.
    const made = [await create(sim.ctx, 'one-new'), await create(two, 'two-new')];
    const second = new AbortController();
    const events: WatchServersResponse[] = [];
    const active = new Set<string>();
    const deadline = Date.now() + 5_000;
    try {
      for await (const msg of client.watchServers(
        { location: { cloud: 'wcloud' }, resumeToken: token },
        { signal: second.signal },
      )) {
        if (msg.item?.$case === 'event') {
          events.push(msg);
          if (msg.item.value.server?.status === ServerStatus.SERVER_STATUS_ACTIVE) active.add(msg.item.value.server.id);
        }
        if (made.every((id) => active.has(id)) || Date.now() > deadline) break;
      }
    } finally {
      second.abort();
    }
    assert.ok(
      made.every((id) => active.has(id)),
      'both new servers reached ACTIVE on the resumed watch',
    );
    assert.equal(
      events.filter(
        (m) => m.item?.$case === 'event' && m.item.value.type === ServerEventType.SERVER_EVENT_TYPE_EXISTING,
      ).length,
      0,
    );
    const regions = new Set(
      events.map((m) => (m.item?.$case === 'event' ? m.item.value.server?.location?.region : '')),
    );
    assert.deepEqual([...regions].sort(), ['RegionOne', 'RegionTwo']);
  });

  test('a token whose location log restarted is OUT_OF_RANGE for the call; a garbage token INVALID_ARGUMENT', async () => {
    const client = createClient(ComputeServiceDefinition, channel);
    const { routeKey } = await import('../../../src/core/location.ts');
    const expired = signWatchToken(
      { positions: new Map([[routeKey(sim.ctx.location), 'gone-epoch.3']]), opaque: new Map() },
      key,
    );
    // The node applies the merged-token logic itself: a client sees OUT_OF_RANGE with what to do.
    await assert.rejects(
      (async () => {
        for await (const _ of client.watchServers({
          location: { cloud: 'wcloud', region: 'RegionOne' },
          resumeToken: expired,
        })) {
          /* until it fails */
        }
      })(),
      (e: any) => e.code === 11 && /start a new watch/.test(e.details),
    );
    // A token that is not one of ours is the caller's mistake, refused before any location is asked.
    await assert.rejects(
      (async () => {
        for await (const _ of client.watchServers({
          location: { cloud: 'wcloud', region: 'RegionOne' },
          resumeToken: 'garbage',
        })) {
          /* until it fails */
        }
      })(),
      (e: any) => e.code === 3,
    );
  });
});
