// One feed per cloud-region (route key) for the whole node, created on first use, its poller stopped when
// nobody listens and the feed dropped after a longer idle time (its resume tokens then expire).
import { ServerPoller, type ServerPollerOptions } from './server-poller.ts';
import type { RegionFeed, UpstreamFetch } from './types.ts';

export type FeedFactory = (key: string, fetch: UpstreamFetch) => RegionFeed;

export interface FeedRegistryOptions {
  /** Drop a feed (and its change log) after this long without listeners (default 10 min). */
  retainMs?: number;
  /** How feeds are made (default: a local ServerPoller with these options). */
  factory?: FeedFactory;
  poller?: Omit<ServerPollerOptions, 'fetch'>;
}

export class FeedRegistry {
  readonly #feeds = new Map<string, { feed: RegionFeed; idleSince: number }>();
  readonly #factory: FeedFactory;
  readonly #retainMs: number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: FeedRegistryOptions = {}) {
    this.#retainMs = options.retainMs ?? 600_000;
    this.#factory = options.factory ?? ((_key, fetch) => new ServerPoller({ ...options.poller, fetch }));
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(30_000, this.#retainMs));
    this.#sweeper.unref();
  }

  /** The feed of a route key; fetch is used only when the feed is created. */
  feed(key: string, fetch: UpstreamFetch): RegionFeed {
    let entry = this.#feeds.get(key);
    if (!entry) {
      entry = { feed: this.#factory(key, fetch), idleSince: Date.now() };
      this.#feeds.set(key, entry);
    }
    return entry.feed;
  }

  get(key: string): RegionFeed | undefined {
    return this.#feeds.get(key)?.feed;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#feeds) {
      if (entry.feed.subscribers > 0) entry.idleSince = now;
      else if (now - entry.idleSince >= this.#retainMs) {
        this.#feeds.delete(key);
        void entry.feed.close();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const feeds = [...this.#feeds.values()];
    this.#feeds.clear();
    await Promise.allSettled(feeds.map((e) => e.feed.close()));
  }
}
