// One feed per cloud-region (route key) for the whole node, created on first use, its poller stopped when
// nobody listens and the feed dropped after a longer idle time (its resume tokens then expire). A feed holds
// the region's whole state (every server, a ring of 10,000 changes, their normalized forms): for a large cloud
// hundreds of MB, so it is kept only long enough for a dropped client to resume, not for minutes.
import { type Clock, systemClock, type Timer } from '../../core/clock.ts';
import { ServerPoller, type ServerPollerOptions } from './server-poller.ts';
import type { RegionFeed, UpstreamFetch } from './types.ts';

export type FeedFactory = (key: string, fetch: UpstreamFetch) => RegionFeed;

export interface FeedRegistryOptions {
  /** Drop a feed (and its change log) after this long without listeners (default 30 s). */
  retainMs?: number;
  /** How feeds are made (default: a local ServerPoller with these options). */
  factory?: FeedFactory;
  poller?: Omit<ServerPollerOptions, 'fetch'>;
}

export class FeedRegistry {
  readonly #feeds = new Map<string, { feed: RegionFeed; idleSince: number }>();
  readonly #factory: FeedFactory;
  readonly #retainMs: number;
  readonly #clock: Clock;
  #sweeper: Timer | undefined;
  #closed = false;

  constructor(options: FeedRegistryOptions = {}) {
    this.#retainMs = options.retainMs ?? 30_000;
    this.#clock = options.poller?.clock ?? systemClock;
    this.#factory = options.factory ?? ((_key, fetch) => new ServerPoller({ ...options.poller, fetch }));
    this.#scheduleSweep();
  }

  /** How many feeds (change logs) the node holds now. */
  get size(): number {
    return this.#feeds.size;
  }

  #scheduleSweep(): void {
    if (this.#closed) return;
    // A feed is dropped between retainMs and 1.25 × retainMs after its last listener left.
    this.#sweeper = this.#clock.setTimeout(
      () => {
        this.#sweep();
        this.#scheduleSweep();
      },
      Math.max(100, Math.min(30_000, this.#retainMs / 4)),
    );
    this.#sweeper.unref?.();
  }

  /** The feed of a route key; fetch is used only when the feed is created. */
  feed(key: string, fetch: UpstreamFetch): RegionFeed {
    let entry = this.#feeds.get(key);
    if (!entry) {
      entry = { feed: this.#factory(key, fetch), idleSince: this.#clock.now() };
      this.#feeds.set(key, entry);
    }
    return entry.feed;
  }

  /** Every feed held now, by route key. */
  *entries(): IterableIterator<[string, RegionFeed]> {
    for (const [key, entry] of this.#feeds) yield [key, entry.feed];
  }

  get(key: string): RegionFeed | undefined {
    return this.#feeds.get(key)?.feed;
  }

  #sweep(): void {
    const now = this.#clock.now();
    for (const [key, entry] of this.#feeds) {
      if (entry.feed.subscribers > 0) entry.idleSince = now;
      else if (now - entry.idleSince >= this.#retainMs) {
        this.#feeds.delete(key);
        void entry.feed.close();
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweeper) this.#clock.clearTimeout(this.#sweeper);
    const feeds = [...this.#feeds.values()];
    this.#feeds.clear();
    await Promise.allSettled(feeds.map((e) => e.feed.close()));
  }
}
