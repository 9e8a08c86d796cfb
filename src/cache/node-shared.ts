// A node's shared state, built once per node from its config and passed down: in memory by default, in Redis
// when `redis:` is configured (replicas of one node then share caches, request locks and one poller per
// cloud-region). Nothing here is module-level: two nodes in one process each build their own.
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from './redis/connection.ts';
import type { SharedLimits } from './redis/shared-limits.ts';
import type { FeedFactory } from './poller/feed-registry.ts';
import type { PollerLogger } from './poller/server-poller.ts';
import { RequestLocks } from './request-lock.ts';
import { MemorySharedState, type SharedState } from './shared-state.ts';
import { TtlCache } from './ttl-cache.ts';

export interface SharedServices {
  state: SharedState;
  /** TTL cache with single-flight loads (shared reads of the transport live here). */
  cache: TtlCache;
  /** Idempotent writes by request_id (create-server). */
  requestLocks: RequestLocks;
  /** Replicated per-region feeds when Redis is configured; undefined means local pollers. */
  feedFactory?: FeedFactory;
  redis?: RedisConnection;
  /** Per-cloud rate and concurrency shared by the replicas (Redis only). */
  limits?: SharedLimits;
  close(): Promise<void>;
}

export interface SharedServicesOptions {
  /** redis:// URL from node config; absent: everything in this process. */
  redis?: string;
  /** Node id (replica ids are derived from it and the pid). */
  nodeId?: string;
  logger?: PollerLogger & { error?(obj: object, msg: string): void; info?(obj: object, msg: string): void };
}

/** Shared state in this process only (a node without Redis, a backend built on its own in a test). */
export function memorySharedServices(): SharedServices {
  const state = new MemorySharedState();
  return { state, cache: new TtlCache({ state }), requestLocks: new RequestLocks(state), close: () => state.close() };
}

export async function startSharedServices(options: SharedServicesOptions = {}): Promise<SharedServices> {
  if (!options.redis) return memorySharedServices();
  // Loaded only when configured: the Redis client is a fifth of a node's start-up time.
  const [{ connectRedis }, { redisFeedFactory }, { RedisSharedState }, { SharedLimits }] = await Promise.all([
    import('./redis/connection.ts'),
    import('./redis/replicated-feed.ts'),
    import('./redis/shared-state.ts'),
    import('./redis/shared-limits.ts'),
  ]);
  const redis = await connectRedis(options.redis, (error) =>
    options.logger?.warn({ err: error.message }, 'redis connection error'),
  );
  const state = new RedisSharedState(redis);
  const replicaId = `${options.nodeId ?? 'node'}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const limits = new SharedLimits({
    redis,
    onReachability: (reached) =>
      reached
        ? options.logger?.info?.({}, 'Redis answers again: the limits are shared by the replicas again')
        : options.logger?.warn({}, 'Redis is out of reach: each replica keeps to its own limits until it is back'),
  });
  return {
    state,
    cache: new TtlCache({ state }),
    requestLocks: new RequestLocks(state),
    feedFactory: redisFeedFactory({ redis, replicaId, logger: options.logger }),
    redis,
    limits,
    close: () => {
      limits.close();
      return redis.close();
    },
  };
}
