// The transport's shared reads (src/backends/openstack/transport/read-sharing.ts) over the node's TTL cache: in
// memory, or in Redis so replicas share answers too. Small collection answers are kept for a couple of seconds;
// big pages are shared while in flight but never kept, so a 100,000-server list does not sit in memory.
import type { TtlCache } from './ttl-cache.ts';
import { UnparsedBody } from '../core/unparsed-body.ts';

/** A response as the cache keeps it. */
export interface SharedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  requestId?: string;
}

/** What the session needs from a cache (one over memory or Redis: cachedReads below). */
export interface ReadSharing {
  share(key: string, load: () => Promise<SharedResponse>, options: { fresh: boolean }): Promise<SharedResponse>;
  written(prefix: string): Promise<void>;
}

export interface CachedReadsOptions {
  /** How long an answer is kept (default 2 s: nodepool found 1 s enough to absorb its herds). */
  ttlMs?: number;
  /** Answers listing more items than this are not kept (default 500). */
  maxItems?: number;
  /** Answers left unparsed (core/unparsed-body.ts) bigger than this are not kept either (default 1 MiB). */
  maxUnparsedBytes?: number;
}

class TooBigToKeep extends Error {
  constructor(readonly response: SharedResponse) {
    super('answer too big to keep');
  }
}

function itemCount(body: unknown): number {
  if (!body || typeof body !== 'object') return 0;
  let count = 0;
  for (const value of Object.values(body as Record<string, unknown>)) if (Array.isArray(value)) count += value.length;
  return count;
}

export function cachedReads(cache: TtlCache, options: CachedReadsOptions = {}): ReadSharing {
  const ttlMs = options.ttlMs ?? 2000;
  const maxItems = options.maxItems ?? 500;
  const maxUnparsedBytes = options.maxUnparsedBytes ?? 2 ** 20;
  return {
    async share(key, load, { fresh }) {
      try {
        return await cache.get<SharedResponse>(
          `reads:${key}`,
          async () => {
            let response = await load();
            if (response.body instanceof UnparsedBody) {
              // Bytes a reader parses later (a page fetched ahead): a big answer goes on as bytes to everyone
              // sharing it, each parsing its own; one small enough to keep is kept parsed.
              if (response.body.bytes.length > maxUnparsedBytes) throw new TooBigToKeep(response);
              response = { ...response, body: response.body.parse() };
            }
            if (itemCount(response.body) > maxItems) throw new TooBigToKeep(response);
            return response;
          },
          { ttlMs, fresh },
        );
      } catch (error) {
        if (error instanceof TooBigToKeep) return error.response;
        throw error;
      }
    },
    async written(prefix) {
      await cache.invalidate(`reads:${prefix}`);
    },
  };
}
