// The node's watch machinery for OpenStack regions: one feed (poller, or Redis-replicated poller) per
// cloud-region and credential, shared by WatchServers, WaitForServer and create-with-wait. A node has one hub,
// part of its services (../services.ts); tests make their own.
import type { Server } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { CloudRegionConfig } from '../../../config/clouds/types.ts';
import { type Clock, systemClock } from '../../../core/clock.ts';
import { FeedRegistry, type FeedFactory } from '../../../cache/poller/feed-registry.ts';
import type { ServerPollerOptions } from '../../../cache/poller/server-poller.ts';
import type { Change, ChangeLog, RawServer, RegionFeed } from '../../../cache/poller/types.ts';
import type { PollerSnapshot } from '../../../observability/metrics.ts';
import { normalizeServer } from '../normalize/server.ts';
import { serverListFetch, type ListingRegion } from './upstream.ts';

/** What the hub needs of a region (a RegionContext has it; region.ts names the hub, so not the other way). */
export interface WatchedRegion extends ListingRegion {
  location: Location;
  /** Feeds are keyed by it: two credentials never share a feed. */
  credentialKey: string;
  regionConfig?: Pick<CloudRegionConfig, 'networks'>;
}

export type ServerNormalizer = (raw: RawServer, ctx: WatchedRegion) => Server;

export interface WatchHubOptions {
  /** Poller timing (fast/slow interval, overlap, resync, linger). */
  poller?: Omit<ServerPollerOptions, 'fetch' | 'log' | 'commit' | 'remoteDemand'>;
  /** Replicated feeds (Redis); default: a local poller per region. */
  factory?: FeedFactory;
  /** Drop an unused region's change log after this long (default 30 s). */
  retainMs?: number;
  /** nova → Server (default: the compute normalizer with the region's clouds.yaml networks). */
  normalize?: ServerNormalizer;
  /** How often a quiet watch gets a checkpoint (default 10 s). */
  checkpointIntervalMs?: number;
  /** Page size of the poller's list calls (default: the cloud's). */
  pageSize?: number;
}

export function defaultNormalize(raw: RawServer, ctx: WatchedRegion): Server {
  const networks = ctx.regionConfig?.networks ?? [];
  const external = new Set(networks.filter((n) => n.routesExternally).map((n) => n.name));
  const internal = new Set(networks.filter((n) => !n.routesExternally).map((n) => n.name));
  return normalizeServer(raw, { route: ctx.location, externalNetworks: external, internalNetworks: internal });
}

export class WatchHub {
  readonly registry: FeedRegistry;
  readonly options: WatchHubOptions;
  readonly #normalized = new WeakMap<object, Server>();
  /** Cloud and region of each feed key (the key also names the credential, which metrics must not show). */
  readonly #places = new Map<string, { cloud: string; region: string }>();

  constructor(options: WatchHubOptions = {}) {
    this.options = options;
    this.registry = new FeedRegistry({ retainMs: options.retainMs, factory: options.factory, poller: options.poller });
  }

  get fastIntervalMs(): number {
    return this.options.poller?.fastIntervalMs ?? 1_000;
  }

  /** The pollers' clock: "a poll that started after now" must be read on it. */
  get clock(): Clock {
    return this.options.poller?.clock ?? systemClock;
  }

  /**
   * How old a region's view may be and still answer a new waiter at once: two fast intervals, so a poller that
   * runs for anyone (one poll per interval, plus the poll's own time) always qualifies, and one that stopped
   * or polls slowly is asked for a poll first (the waiter's subscription asks for one anyway).
   */
  get freshViewMs(): number {
    return 2 * this.fastIntervalMs;
  }

  get checkpointIntervalMs(): number {
    return this.options.checkpointIntervalMs ?? 10_000;
  }

  /** The shared feed of a region (created on first use). */
  feedFor(ctx: WatchedRegion): RegionFeed {
    this.#places.set(ctx.credentialKey, { cloud: ctx.location.cloud, region: ctx.location.region });
    return this.registry.feed(ctx.credentialKey, serverListFetch(ctx, this.options.pageSize));
  }

  /** A server write went through oaktree (create, delete, action): poll that region soon, if anyone listens. */
  serverWritten(ctx: WatchedRegion): void {
    this.registry.get(ctx.credentialKey)?.poke();
  }

  /** A change's server in oaktree's shape, computed once per change however many watchers read it. */
  normalize(raw: RawServer, ctx: WatchedRegion): Server {
    let server = this.#normalized.get(raw);
    if (!server) {
      server = (this.options.normalize ?? defaultNormalize)(raw, ctx);
      this.#normalized.set(raw, server);
    }
    return server;
  }

  /** The change as the API shows it (DELETED carries the last known state, with status DELETED). */
  serverOf(change: Pick<Change, 'raw'>, ctx: WatchedRegion): Server {
    return this.normalize(change.raw, ctx);
  }

  /**
   * The pollers per cloud-region now (metrics, status page). Feeds of several credentials in one region are
   * summed up: the shortest interval, the largest lag, the servers and listeners of all, leader if any leads.
   */
  pollers(now = Date.now()): PollerSnapshot[] {
    const rows = new Map<string, PollerSnapshot>();
    for (const [key, feed] of this.registry.entries()) {
      const place = this.#places.get(key);
      if (!place) continue;
      const id = `${place.cloud}\0${place.region}`;
      const row = rows.get(id) ?? { ...place, servers: 0, subscribers: 0 };
      rows.set(id, row);
      row.subscribers += feed.subscribers;
      if (feed.isLeader !== undefined) row.leader = row.leader || feed.isLeader;
      const interval = feed.intervalMs;
      if (interval !== undefined) row.intervalSeconds = Math.min(row.intervalSeconds ?? Infinity, interval / 1000);
      let log: ChangeLog | undefined;
      try {
        log = feed.log;
      } catch {
        continue; // a replica still loading the region from Redis
      }
      row.servers += log.size;
      if (log.primed && log.polledAt)
        row.lagSeconds = Math.max(row.lagSeconds ?? 0, Math.max(0, now - log.polledAt) / 1000);
    }
    for (const key of this.#places.keys()) if (!this.registry.get(key)) this.#places.delete(key);
    return [...rows.values()];
  }

  close(): Promise<void> {
    return this.registry.close();
  }
}
