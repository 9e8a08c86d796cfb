// Shared pollers for block-storage objects (volumes, snapshots, backups) and images: one per cloud-region-credential and
// kind, each a full list per interval (Cinder has no changes-since), so a vanished object shows as DELETED on
// the next poll. Every wait of a node on one region and kind costs the cloud one list call per interval,
// however many wait at once: the same approach as servers (../watch), on the same poller machinery.
import { OaktreeError } from '../../../core/errors.ts';
import { type Clock, systemClock } from '../../../core/clock.ts';
import { FeedRegistry } from '../../../cache/poller/feed-registry.ts';
import type { ServerPollerOptions } from '../../../cache/poller/server-poller.ts';
import type { RegionFeed } from '../../../cache/poller/types.ts';
import { type CloudSession, GrpcStatus } from '../transport/index.ts';

export type Raw = Record<string, unknown>;

/** What a feed needs of a region (a RegionContext has it; region.ts names this module, so not the other way). */
export interface FeedRegion {
  region: string;
  /** Feeds are keyed by it: two credentials never share a feed. */
  credentialKey: string;
  session: Pick<CloudSession, 'paginate'>;
}

/** A kind of block-storage object: where Cinder lists it, in detail. */
export interface StatusKind {
  /** The service that lists it. */
  service: 'block-storage' | 'image';
  /** The object's noun in messages ("volume"). */
  noun: string;
  /** The detail list path ("/volumes/detail"). */
  path: string;
  /** The list's key in the body ("volumes"). */
  itemsKey: string;
}

const cinder = (noun: string, plural: string): StatusKind => ({
  service: 'block-storage',
  noun,
  path: `/${plural}/detail`,
  itemsKey: plural,
});
export const VOLUMES = cinder('volume', 'volumes');
export const SNAPSHOTS = cinder('snapshot', 'snapshots');
export const BACKUPS = cinder('backup', 'backups');
/** Glance images the caller owns or has accepted (Glance's default list), for image waits. */
export const IMAGES: StatusKind = { service: 'image', noun: 'image', path: '/images', itemsKey: 'images' };

/** What a wait's check says of the object's latest state: done, not yet, or a failure message. */
export type Verdict = true | false | string;

export class StatusFeeds {
  readonly #registry: FeedRegistry;
  /** The pollers' clock: "a poll that started after now" must be read on it. */
  readonly #clock: Clock;

  constructor(poller: Omit<ServerPollerOptions, 'fetch'> = {}) {
    this.#clock = poller.clock ?? systemClock;
    // Every poll a full list: deletions are seen at once, never only at a resync.
    this.#registry = new FeedRegistry({ poller: { ...poller, resyncIntervalMs: 0 } });
  }

  feed(ctx: FeedRegion, kind: StatusKind): RegionFeed {
    return this.#registry.feed(`${kind.itemsKey}|${ctx.credentialKey}`, (_since, signal) =>
      ctx.session.paginate(kind.service, ctx.region, kind.path, kind.itemsKey, { signal, fresh: true }),
    );
  }

  /**
   * Waits until `check` accepts the object's state (undefined: it is gone) and returns that state; `onChange`
   * sees the first state and every change after it. A failure verdict is ABORTED; the deadline or a cancel
   * ends the wait with the signal's reason.
   */
  async wait(
    ctx: FeedRegion,
    kind: StatusKind,
    id: string,
    check: (raw: Raw | undefined) => Verdict,
    signal: AbortSignal,
    onChange: (raw: Raw | undefined) => void | Promise<void> = () => {},
  ): Promise<Raw | undefined> {
    const feed = this.feed(ctx, kind);
    const leave = feed.subscribe('wait');
    try {
      // A state from a poll that started after the write this wait follows.
      await feed.whenPolled(this.#clock.now(), signal);
      let seen: string | undefined;
      while (true) {
        signal.throwIfAborted();
        const raw = feed.log.get(id);
        const mark = raw === undefined ? 'gone' : JSON.stringify([raw.status, raw.size, raw.updated_at]);
        if (mark !== seen) {
          seen = mark;
          await onChange(raw);
        }
        const verdict = check(raw);
        if (verdict === true) return raw;
        if (typeof verdict === 'string') throw new OaktreeError(GrpcStatus.ABORTED, verdict);
        await feed.log.changed(signal, 30_000);
      }
    } finally {
      leave();
    }
  }

  /** Upstream list calls of one region and kind (tests, metrics). */
  upstreamCalls(ctx: FeedRegion, kind: StatusKind): number {
    return this.#registry.get(`${kind.itemsKey}|${ctx.credentialKey}`)?.upstreamCalls ?? 0;
  }

  close(): Promise<void> {
    return this.#registry.close();
  }
}

/** The statuses Cinder uses for a failure: error, error_deleting, error_extending ... */
export const failed = (raw: Raw | undefined): boolean =>
  typeof raw?.status === 'string' && raw.status.startsWith('error');
