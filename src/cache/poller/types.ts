// The shapes shared by the poller, the Redis replication and the watch handlers.
import type { Change, ChangeLog, ChangeType, RawServer } from './change-log.ts';

/**
 * Lists servers of one cloud-region: every server when `since` is undefined, else nova's
 * `changes-since` (changed and recently deleted ones). One yielded array per page.
 */
export type UpstreamFetch = (since: Date | undefined, signal: AbortSignal) => AsyncIterable<RawServer[]>;

/** A change the poller found, before it has a sequence number. */
export interface PendingChange {
  type: ChangeType;
  id: string;
  raw: RawServer;
}

/** Who is listening: a waiter wants the fast interval; a watcher only while something is in transition. */
export type SubscriberKind = 'watch' | 'wait';

/** What the watch handlers need from a region: the log, demand, freshness. Local or replicated. */
export interface RegionFeed {
  /** The region's change log; read it after ready(). */
  readonly log: ChangeLog;
  /** Resolves when the log exists (a replica has loaded it from Redis); immediate for a local poller. */
  ready(signal: AbortSignal): Promise<void>;
  /** Registers a listener (the poller runs while there is one); call the result to leave. */
  subscribe(kind: SubscriberKind): () => void;
  /** Asks for a poll within the fast interval (a write to a server just went through oaktree). */
  poke(): void;
  /**
   * Resolves once the state reflects a poll that started at or after `after` (epoch ms); rejects with the
   * poll's error when that poll fails.
   */
  whenPolled(after: number, signal: AbortSignal): Promise<void>;
  /** A server someone waits to see vanish: its disappearance from a full list is noticed sooner. */
  expectGone(id: string): () => void;
  /** Upstream list calls made by this process for this region (metrics, tests). */
  readonly upstreamCalls: number;
  /** Listeners registered now. */
  readonly subscribers: number;
  /** The poll interval in force while this process polls the region (undefined: stopped, or another replica leads). */
  readonly intervalMs: number | undefined;
  /** Replicated feeds: whether this replica leads the region's poller (undefined for a local poller). */
  readonly isLeader?: boolean;
  close(): Promise<void>;
}

export type { Change, ChangeLog, ChangeType, RawServer };
