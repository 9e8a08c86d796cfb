// The node's shared state, set up once from node config: in memory by default, in Redis when `redis:` is
// configured (replicas of one node then share caches, request locks and one poller per cloud-region).
// Module-level accessors (sharedCache, lockByRequestId) so handlers need no plumbing.
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from './redis/connection.ts';
import type { FeedFactory } from './poller/feed-registry.ts';
import type { PollerLogger } from './poller/server-poller.ts';
import { RequestLocks, type RequestLockOptions } from './request-lock.ts';
import { MemorySharedState, type SharedState } from './shared-state.ts';
import { TtlCache } from './ttl-cache.ts';

export interface SharedServices {
  state: SharedState;
  cache: TtlCache;
  requestLocks: RequestLocks;
  /** Replicated per-region feeds when Redis is configured; undefined means local pollers. */
  feedFactory?: FeedFactory;
  redis?: RedisConnection;
  close(): Promise<void>;
}

export interface SharedServicesOptions {
  /** redis:// URL from node config; absent: everything in this process. */
  redis?: string;
  /** Node id (replica ids are derived from it and the pid). */
  nodeId?: string;
  logger?: PollerLogger & { error?(obj: object, msg: string): void };
}

let current: SharedServices | undefined;

export async function startSharedServices(options: SharedServicesOptions = {}): Promise<SharedServices> {
  let services: SharedServices;
  if (options.redis) {
    // Loaded only when configured: the Redis client is a fifth of a node's start-up time.
    const [{ connectRedis }, { redisFeedFactory }, { RedisSharedState }] = await Promise.all([
      import('./redis/connection.ts'),
      import('./redis/replicated-feed.ts'),
      import('./redis/shared-state.ts'),
    ]);
    const redis = await connectRedis(options.redis, (error) => options.logger?.warn({ err: error.message }, 'redis connection error'));
    const state = new RedisSharedState(redis);
    const replicaId = `${options.nodeId ?? 'node'}-${process.pid}-${randomBytes(3).toString('hex')}`;
    services = {
      state,
      cache: new TtlCache({ state }),
      requestLocks: new RequestLocks(state),
      feedFactory: redisFeedFactory({ redis, replicaId, logger: options.logger }),
      redis,
      close: () => redis.close(),
    };
  } else {
    const state = new MemorySharedState();
    services = { state, cache: new TtlCache({ state }), requestLocks: new RequestLocks(state), close: () => state.close() };
  }
  current = services;
  return services;
}

function services(): SharedServices {
  if (!current) {
    const state = new MemorySharedState();
    current = { state, cache: new TtlCache({ state }), requestLocks: new RequestLocks(state), close: () => state.close() };
  }
  return current;
}

/** The node's TTL cache (in memory unless startSharedServices configured Redis). */
export function sharedCache(): TtlCache {
  return services().cache;
}

/**
 * Runs a write once per request id across retries and replicas; retries get the first result.
 * Key it by what makes the write unique, e.g. `create-server:${routeKey(location)}:${request.requestId}`.
 */
export function lockByRequestId<T>(key: string, fn: () => Promise<T>, options?: RequestLockOptions<T>): Promise<T> {
  return services().requestLocks.lockByRequestId(key, fn, options);
}
