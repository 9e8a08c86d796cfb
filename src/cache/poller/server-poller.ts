// One poller per cloud-region, shared by every waiter and watcher of the node: it lists what changed with
// nova's changes-since (small overlap, deduped by content), follows pagination, notices deletions (nova
// returns recently deleted servers; a periodic full list catches servers that vanished), and wakes every
// subscriber through the change log. Interval adapts: fast while someone waits or a watched server is in
// transition, slow when idle, backing off when the cloud fails (429/503 included). 1,000 waiters cost the
// cloud what one costs: one list call per interval.
import { type Clock, systemClock, type Timer } from '../../core/clock.ts';
import { ChangeLog, type Change, type RawServer } from './change-log.ts';
import type { PendingChange, RegionFeed, SubscriberKind, UpstreamFetch } from './types.ts';

export interface PollerLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ServerPollerOptions {
  fetch: UpstreamFetch;
  /** The log to feed (default: a new one). */
  log?: ChangeLog;
  /** Interval while someone waits or a server is in transition (default 1 s). */
  fastIntervalMs?: number;
  /** Interval while only idle watchers listen (default 10 s). */
  slowIntervalMs?: number;
  /** Longest pause after repeated failures (default 60 s). */
  maxBackoffMs?: number;
  /** changes-since starts this much before the previous poll (clock skew, slow commits; default 2 s). */
  overlapMs?: number;
  /** A full list this often, to catch servers that vanished without a changes-since record (default 60 s). */
  resyncIntervalMs?: number;
  /** While a server is expected gone (expectGone) and still listed, a full list this often (default 5 s). */
  goneResyncMs?: number;
  /** Keep polling this long after the last subscriber left (default 5 s). */
  lingerMs?: number;
  /**
   * The interval stays fast this long after a write (poke): nova's changes-since leaves a new server out until
   * its compute host first saves it, so the poll right after a create may not see it yet (default 10 s).
   */
  afterWriteFastMs?: number;
  /** Changes kept for resuming watches (default 10,000). */
  logCapacity?: number;
  /** Stores a batch (a leader writes it to Redis first); default: appends to the local log. */
  commit?: (batch: PendingChange[], polledAt: number) => Promise<Change[]>;
  /** Tells others that a poll failed (a leader writes it to Redis for the followers' waiters). */
  announceFailure?: (error: unknown, started: number) => Promise<void>;
  /** Demand from elsewhere (other replicas' waiters), asked on every tick. */
  remoteDemand?: () => Promise<{ fast: boolean; any: boolean }>;
  logger?: PollerLogger;
  /** Time for intervals, backoff and linger (default: the system clock; tests advance a manual one). */
  clock?: Clock;
}

/** Nova statuses (and task states) that mean a change is coming soon. */
const TRANSITIONAL = new Set([
  'BUILD',
  'REBUILD',
  'RESIZE',
  'REVERT_RESIZE',
  'MIGRATING',
  'REBOOT',
  'HARD_REBOOT',
  'PASSWORD',
  'DELETING',
]);

const MAX_CLOCK_SKEW_MS = 60_000;

export function inTransition(raw: RawServer): boolean {
  const task = raw['OS-EXT-STS:task_state'];
  return TRANSITIONAL.has(String(raw.status ?? '').toUpperCase()) || (typeof task === 'string' && task !== '');
}

interface PollWaiter {
  after: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class ServerPoller implements RegionFeed {
  readonly log: ChangeLog;
  readonly #o: Required<
    Omit<
      ServerPollerOptions,
      'log' | 'commit' | 'announceFailure' | 'remoteDemand' | 'logger' | 'logCapacity' | 'clock'
    >
  >;
  readonly #clock: Clock;
  readonly #commit: (batch: PendingChange[], polledAt: number) => Promise<Change[]>;
  readonly #remoteDemand?: ServerPollerOptions['remoteDemand'];
  readonly #announceFailure?: ServerPollerOptions['announceFailure'];
  readonly #logger?: PollerLogger;
  #watchers = 0;
  #waiters = 0;
  #poke = false;
  #lastWrite = Number.NEGATIVE_INFINITY;
  #timer: Timer | undefined;
  #running = false;
  #polling = false;
  #closed = false;
  #lastSubscriberLeft = 0;
  #lastPollEnd = 0;
  #lastPollStart = 0;
  #lastFull = 0;
  #maxUpdated = 0;
  #errors = 0;
  #intervalMs = 0;
  #abort = new AbortController();
  #pollWaiters: PollWaiter[] = [];
  /** Servers someone waits to see vanish, with how many wait for each. */
  readonly #expectedGone = new Map<string, number>();
  /** Upstream list requests (pages) made. */
  upstreamCalls = 0;
  polls = 0;
  lastError: unknown;

  constructor(options: ServerPollerOptions) {
    this.log = options.log ?? new ChangeLog({ capacity: options.logCapacity });
    this.#o = {
      fetch: options.fetch,
      fastIntervalMs: options.fastIntervalMs ?? 1_000,
      slowIntervalMs: options.slowIntervalMs ?? 10_000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      overlapMs: options.overlapMs ?? 2_000,
      resyncIntervalMs: options.resyncIntervalMs ?? 60_000,
      goneResyncMs: options.goneResyncMs ?? 5_000,
      lingerMs: options.lingerMs ?? 5_000,
      afterWriteFastMs: options.afterWriteFastMs ?? 10_000,
    };
    this.#commit = options.commit ?? (async (batch, polledAt) => this.#appendLocal(batch, polledAt));
    this.#remoteDemand = options.remoteDemand;
    this.#announceFailure = options.announceFailure;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
  }

  get subscribers(): number {
    return this.#watchers + this.#waiters;
  }

  get running(): boolean {
    return this.#running;
  }

  get intervalMs(): number | undefined {
    return this.#running && this.#intervalMs ? this.#intervalMs : undefined;
  }

  subscribe(kind: SubscriberKind): () => void {
    if (kind === 'wait') this.#waiters++;
    else this.#watchers++;
    this.pollSoon();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (kind === 'wait') this.#waiters--;
      else this.#watchers--;
      if (this.subscribers === 0) this.#lastSubscriberLeft = this.#clock.now();
    };
  }

  /** A write just went through oaktree: a poll within the fast interval, and fast ones for afterWriteFastMs. */
  poke(): void {
    this.#lastWrite = this.#clock.now();
    this.pollSoon();
  }

  /** A poll within the fast interval (a new subscriber, someone waiting for a poll, a write). */
  pollSoon(): void {
    this.#poke = true;
    this.start();
  }

  /**
   * A server that should vanish (it is being deleted): a cloud that forgets deleted servers shows no
   * changes-since record for it, so while the log still holds it full lists come every goneResyncMs instead of
   * every resyncIntervalMs, and its disappearance is logged as DELETED. Call the result when no longer waiting.
   */
  expectGone(id: string): () => void {
    this.#expectedGone.set(id, (this.#expectedGone.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#expectedGone.get(id) ?? 1) - 1;
      if (left > 0) this.#expectedGone.set(id, left);
      else this.#expectedGone.delete(id);
    };
  }

  /** Starts the tick loop (idempotent). Subscribing starts it too. */
  start(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#lastSubscriberLeft = this.#clock.now();
    this.#schedule(0);
  }

  /** Stops polling; the log stays, so a later start continues with changes-since and no gap. */
  stop(): void {
    this.#running = false;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.stop();
    this.#abort.abort();
    for (const w of this.#pollWaiters) w.reject(new Error('poller closed'));
    this.#pollWaiters = [];
  }

  ready(_signal: AbortSignal): Promise<void> {
    return Promise.resolve();
  }

  whenPolled(after: number, signal: AbortSignal): Promise<void> {
    if (this.log.primed && this.log.polledAt >= after) return Promise.resolve();
    this.pollSoon();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#pollWaiters = this.#pollWaiters.filter((w) => w !== waiter);
        reject(signal.reason);
      };
      const waiter: PollWaiter = {
        after,
        resolve: () => (signal.removeEventListener('abort', onAbort), resolve()),
        reject: (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pollWaiters.push(waiter);
    });
  }

  #schedule(ms: number): void {
    if (!this.#running) return;
    this.#timer = this.#clock.setTimeout(() => void this.#tick(), ms);
    this.#timer.unref?.();
  }

  /** Every fast interval: decide whether a poll is due (ticks cost the cloud nothing). */
  async #tick(): Promise<void> {
    this.#timer = undefined;
    if (!this.#running) return;
    if (this.#polling) return this.#schedule(this.#o.fastIntervalMs);
    const now = this.#clock.now();
    let remote = { fast: false, any: false };
    if (this.#remoteDemand) remote = await this.#remoteDemand().catch(() => remote);
    if (this.subscribers === 0 && !remote.any && !this.#poke && now - this.#lastSubscriberLeft >= this.#o.lingerMs) {
      this.stop(); // nobody listens: stop asking the cloud
      return;
    }
    const interval = this.#interval(remote.fast);
    this.#intervalMs = interval;
    if (now - this.#lastPollEnd >= interval) {
      this.#poke = false;
      await this.pollOnce().catch(() => {});
    }
    this.#schedule(Math.min(this.#o.fastIntervalMs, Math.max(50, this.#lastPollEnd + interval - this.#clock.now())));
  }

  #interval(remoteFast: boolean): number {
    const fast =
      this.#poke ||
      this.#clock.now() - this.#lastWrite < this.#o.afterWriteFastMs ||
      remoteFast ||
      this.#waiters > 0 ||
      !this.log.primed ||
      (this.#watchers > 0 && this.#anyInTransition());
    const base = fast ? this.#o.fastIntervalMs : this.#o.slowIntervalMs;
    if (this.#errors === 0) return base;
    return Math.max(base, Math.min(this.#o.maxBackoffMs, this.#o.fastIntervalMs * 2 ** this.#errors));
  }

  #anyInTransition(): boolean {
    for (const raw of this.log.values()) if (inTransition(raw)) return true;
    return false;
  }

  /** One poll: list (full or changes-since), diff against the log, commit, wake everyone. */
  async pollOnce(): Promise<Change[]> {
    if (this.#polling) throw new Error('a poll is already running');
    this.#polling = true;
    const started = this.#clock.now();
    const full = !this.log.primed || started - this.#lastFull >= this.#resyncInterval();
    try {
      const since = full ? undefined : new Date(this.#sinceAnchor() - this.#o.overlapMs);
      const latest = new Map<string, RawServer>();
      for await (const page of this.#o.fetch(since, this.#abort.signal)) {
        this.upstreamCalls++;
        for (const raw of page) {
          const id = raw.id;
          if (typeof id !== 'string' && typeof id !== 'number') continue;
          latest.set(String(id), raw);
          const updated = Date.parse(String(raw.updated ?? ''));
          if (!Number.isNaN(updated) && updated > this.#maxUpdated) this.#maxUpdated = updated;
        }
      }
      const batch: PendingChange[] = [];
      for (const [id, raw] of latest) {
        const type = this.log.classify(id, raw);
        if (type) batch.push({ type, id, raw: type === 'DELETED' ? { ...this.log.get(id), ...raw } : raw });
      }
      if (full && this.log.primed) {
        // A full list omits deleted servers: whatever we knew and is gone was deleted.
        for (const id of [...this.log.ids()]) {
          if (!latest.has(id)) batch.push({ type: 'DELETED', id, raw: { ...this.log.get(id), status: 'DELETED' } });
        }
      }
      const changes = await this.#commit(batch, started);
      this.log.pollFailure = undefined;
      if (full) this.#lastFull = started;
      this.#lastPollStart = started;
      this.#errors = 0;
      this.lastError = undefined;
      this.polls++;
      this.#logger?.debug(
        { full, changes: changes.length, servers: this.log.size, ms: this.#clock.now() - started },
        'servers polled',
      );
      this.#settleWaiters(started);
      return changes;
    } catch (error) {
      this.#errors++;
      this.lastError = error;
      this.#logger?.warn({ err: (error as Error)?.message, failures: this.#errors }, 'server poll failed; backing off');
      // Whoever waits for this poll, or for the changes it would have brought, hears that it failed.
      this.#failWaiters(started, error);
      this.log.pollFailure = error;
      this.log.notify();
      await this.#announceFailure?.(error, started).catch(() => {});
      throw error;
    } finally {
      this.#lastPollEnd = this.#clock.now();
      this.#polling = false;
    }
  }

  /** How often a full list comes: sooner while a server expected gone is still listed. */
  #resyncInterval(): number {
    for (const id of this.#expectedGone.keys())
      if (this.log.get(id)) return Math.min(this.#o.resyncIntervalMs, this.#o.goneResyncMs);
    return this.#o.resyncIntervalMs;
  }

  /**
   * Where changes-since starts: our last poll, or the cloud's newest `updated` if that is earlier (a cloud
   * clock behind ours), but never more than a minute back (nova keeps deleted servers for a long time, and
   * a far anchor would return every one of them on every poll).
   */
  #sinceAnchor(): number {
    const ours = this.#lastPollStart;
    const theirs = this.#maxUpdated || ours;
    return Math.max(Math.min(ours, theirs), ours - MAX_CLOCK_SKEW_MS);
  }

  #appendLocal(batch: PendingChange[], polledAt: number): Change[] {
    const changes = batch.map((c) => this.log.append(c.type, c.id, c.raw));
    this.log.primed = true;
    this.log.polledAt = polledAt;
    this.log.notify();
    return changes;
  }

  /** The waiters a poll that started at `started` answers (they asked for one that started at or after `after`). */
  #takeWaiters(started: number): PollWaiter[] {
    const answered = this.#pollWaiters.filter((w) => w.after <= started);
    this.#pollWaiters = this.#pollWaiters.filter((w) => w.after > started);
    return answered;
  }

  #settleWaiters(started: number): void {
    for (const w of this.#takeWaiters(started)) w.resolve();
  }

  #failWaiters(started: number, error: unknown): void {
    for (const w of this.#takeWaiters(started)) w.reject(error);
  }
}
