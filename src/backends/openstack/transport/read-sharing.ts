// Shared reads, the way openstacksdk's proxy cache works but on by default: identical concurrent GETs of a
// collection share one upstream request, and a small answer is kept for a few seconds for whoever asks next.
// Any write through the session drops what is kept for that cloud-region. A call that wants fresh data runs
// inside `withFreshness(true, ...)` and bypasses what is kept (it still shares an in-flight request).
import { AsyncLocalStorage } from 'node:async_hooks';

/** A response as the cache keeps it. */
export interface SharedResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  requestId?: string;
}

/** What the session needs from a cache (src/cache provides one over memory or Redis). */
export interface ReadSharing {
  share(key: string, load: () => Promise<SharedResponse>, options: { fresh: boolean }): Promise<SharedResponse>;
  written(prefix: string): Promise<void>;
}

const freshness = new AsyncLocalStorage<{ fresh: boolean }>();

/** Whether the current call asked for fresh data. */
export function wantsFresh(): boolean {
  return freshness.getStore()?.fresh ?? false;
}

/** Runs a stream with a freshness wish that every request it makes can see, across all its awaits. */
export function withFreshness<T>(fresh: boolean, make: () => AsyncIterable<T>): AsyncIterable<T> {
  const store = { fresh };
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const inner = freshness.run(store, () => make()[Symbol.asyncIterator]());
      return {
        next: (...args: [] | [undefined]) => freshness.run(store, () => inner.next(...args)),
        return: (value?: unknown) =>
          freshness.run(store, () => (inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value: value as T }))),
      };
    },
  };
}

const ID_SEGMENT = /^([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{32}|\d+)$/i;

/**
 * Only collections are shared. A single object (a path with an id in it) is what wait loops poll, and they must
 * see each change at once.
 */
export function isSharedPath(path: string): boolean {
  return !path.split('/').some((segment) => ID_SEGMENT.test(segment));
}
