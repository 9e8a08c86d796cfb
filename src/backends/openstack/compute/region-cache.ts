// Small per cloud-region caches for things that change rarely (flavors, Glance schemas): one load shared by
// every caller, kept for a while, dropped on failure.
import type { RegionContext } from '../region.ts';
import type { CloudSession } from '../transport/index.ts';

interface Entry {
  at: number;
  value: Promise<unknown>;
}

const caches = new WeakMap<CloudSession, Map<string, Entry>>();

export function cachedPerRegion<T>(ctx: RegionContext, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  let perSession = caches.get(ctx.session);
  if (!perSession) caches.set(ctx.session, (perSession = new Map()));
  const fullKey = `${ctx.region}\u0000${key}`;
  const hit = perSession.get(fullKey);
  if (hit && Date.now() - hit.at < ttlMs) return hit.value as Promise<T>;
  const entry: Entry = { at: Date.now(), value: load() };
  perSession.set(fullKey, entry);
  entry.value.catch(() => {
    if (perSession.get(fullKey) === entry) perSession.delete(fullKey);
  });
  return entry.value as Promise<T>;
}
