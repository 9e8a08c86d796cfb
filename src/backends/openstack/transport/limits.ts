// Per-cloud (and per-region) limits on how hard this node hits a cloud, shared by every caller of the node:
// `rate` (requests per second, paced: one request every 1.1/rate s, so no second ever holds more than `rate`)
// and `concurrency` (requests in flight). A region's request passes its region's limit, then its cloud's. A 429
// from the cloud halves the pace of the gates it passed (down to a tenth of the configured rate) and says so;
// after `recoverAfterMs` without another 429 the pace doubles back, step by step, to the configured one.
// With Redis (replicas of one node), each gate also takes a shared turn and a shared slot, so the limits hold
// for all replicas together; when Redis cannot be reached the local gate alone holds (../../cache/redis/shared-limits.ts).
import { delay } from 'abort-controller-x';
import type { SharedGate, SharedLimits } from '../../../cache/redis/shared-limits.ts';
import { GrpcStatus, OpenStackError } from './errors.ts';

export interface LimitSettings {
  /** Requests per second; absent: unlimited. */
  rate?: number;
  /** Requests in flight; absent: unlimited. */
  concurrency?: number;
}

export interface CloudLimitSettings extends LimitSettings {
  /** Per-region settings, applied before the cloud's. */
  regions?: Record<string, LimitSettings>;
}

/** What the limiter tells the outside world (metrics and logs). */
export interface LimitEvents {
  /** The pace of a cloud-region changed (lowered after a 429, or recovered). */
  rateChanged?(info: { cloud: string; region: string; rate: number; configured: number; reason: string }): void;
  /** A request waited this long for its turn. */
  waited?(info: { cloud: string; region: string; seconds: number }): void;
  /** The limits of a cloud-region became shared through Redis (true), or local only because Redis is out of reach. */
  sharedChanged?(info: { cloud: string; region: string; shared: boolean }): void;
}

export interface LimiterOptions {
  /** Quiet time after a 429 before the pace doubles back (default 30 s). */
  recoverAfterMs?: number;
  /** The clock of that recovery (tests); pacing itself uses the wall clock. */
  now?: () => number;
  events?: LimitEvents;
  /** Share the limits with the node's other replicas through Redis. */
  shared?: SharedLimits;
}

/**
 * Requests leave 10 % further apart than 1/rate: the way to the cloud adds jitter (a new socket, a busy event
 * loop: 40 ms seen on loopback), and without this margin requests that bunch up on the way make the cloud count
 * rate + 1 in some second. So `rate: 10` is at most 10 in any second at the cloud, about 9.1 on average.
 */
const PACE_GUARD = 1.1;

/** Releases a request's concurrency slots; call once when its answer is in. */
export type Release = () => void;

/** One gate: a pace and a number of slots. Waiters are served in arrival order. */
class Gate {
  configuredRate?: number;
  concurrency?: number;
  rate?: number;
  #nextSlot = 0;
  #active = 0;
  #slotWaiters: Array<() => void> = [];
  #lastChange = 0;
  #lastLetThrough = 0;
  readonly #shared?: SharedGate;

  constructor(
    settings: LimitSettings,
    readonly label: { cloud: string; region: string },
    private readonly options: Required<Pick<LimiterOptions, 'recoverAfterMs' | 'now'>> & LimiterOptions,
  ) {
    this.configuredRate = settings.rate;
    this.rate = settings.rate;
    this.concurrency = settings.concurrency;
    this.#shared = options.shared?.gate(label.cloud, label.region, (shared) =>
      options.events?.sharedChanged?.({ ...label, shared }),
    );
  }

  /** Shared with other replicas now (true), local only (false), or not shared at all (undefined). */
  get shared(): boolean | undefined {
    return this.#shared ? (this.#shared.shared ?? true) : undefined;
  }

  /**
   * Waits for a slot (concurrency) and then for the next paced moment (rate): this node's first, then, with
   * Redis, the replicas' shared ones. The local gate keeps this node's callers in order and asking Redis at most
   * at the configured pace.
   */
  async acquire(signal: AbortSignal | undefined, deadline: number | undefined): Promise<Release> {
    // Whether this request holds a counted slot: a reload may add or drop the limit while it runs.
    const slots = this.concurrency;
    if (slots !== undefined) {
      if (this.#active < slots) this.#active++;
      else await this.#waitForSlot(signal, deadline);
    }
    let released = false;
    let releaseShared: (() => void) | undefined;
    const release = () => {
      if (released) return;
      released = true;
      releaseShared?.();
      if (slots !== undefined) this.#freeSlot();
    };
    try {
      if (this.#shared && slots !== undefined)
        releaseShared = await this.#shared.lease(slots, signal, deadline, () => limitedPastDeadline(this.label));
      await this.#pace(signal, deadline);
      await this.#sharedPace(signal, deadline);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /** The replicas' shared turn: Redis says how long to wait; no answer means the local pace alone holds. */
  async #sharedPace(signal: AbortSignal | undefined, deadline: number | undefined): Promise<void> {
    if (!this.#shared || this.rate === undefined) return;
    const interval = (1000 / this.rate) * PACE_GUARD;
    const wait = await this.#shared.reserve(interval, deadline === undefined ? undefined : deadline - Date.now());
    if (wait === -1) throw limitedPastDeadline(this.label);
    // Wait for the reserved moment, then until `interval` after the last request any replica let through.
    let more = wait;
    while (more !== undefined) {
      if (more > 0) await raceWait(delay(signal ?? new AbortController().signal, more), signal, deadline, this.label);
      more = await this.#shared.go(interval);
      if (more === 0) return;
    }
  }

  /**
   * A slot goes straight to the first waiter, so a newcomer cannot take it in between; unless a reload lowered the
   * limit below the requests in flight: then the slot is gone.
   */
  #freeSlot(): void {
    const next =
      this.concurrency === undefined || this.#active <= this.concurrency ? this.#slotWaiters.shift() : undefined;
    if (next) next();
    else this.#active--;
  }

  /**
   * New settings from a reload, applied in place: requests in flight and waiting keep their place. A higher (or
   * no) concurrency lets waiters in at once; a new rate starts from its configured value.
   */
  reconfigure(settings: LimitSettings): void {
    this.configuredRate = settings.rate;
    this.rate = settings.rate;
    this.concurrency = settings.concurrency;
    while (this.#slotWaiters.length && (this.concurrency === undefined || this.#active < this.concurrency)) {
      this.#active++;
      this.#slotWaiters.shift()!();
    }
  }

  async #waitForSlot(signal: AbortSignal | undefined, deadline: number | undefined): Promise<void> {
    let woken = false;
    let wake!: () => void;
    const turn = new Promise<void>((resolve) => {
      wake = () => {
        woken = true;
        resolve();
      };
    });
    this.#slotWaiters.push(wake);
    try {
      await raceWait(turn, signal, deadline, this.label);
    } catch (error) {
      if (woken)
        this.#freeSlot(); // handed a slot just as we gave up: pass it on
      else this.#slotWaiters.splice(this.#slotWaiters.indexOf(wake), 1);
      throw error;
    }
  }

  /**
   * Each request reserves the next slot (arrival order); when a timer fires late and slots bunch up, it also
   * keeps 1/rate s after the request actually let through before it, so the cloud never sees a burst.
   */
  async #pace(signal: AbortSignal | undefined, deadline: number | undefined): Promise<void> {
    if (this.rate === undefined) return;
    this.#recover();
    const interval = (1000 / this.rate) * PACE_GUARD;
    const now = Date.now();
    const slot = Math.max(now, this.#nextSlot, this.#lastLetThrough + interval);
    if (deadline !== undefined && slot > deadline) throw limitedPastDeadline(this.label);
    this.#nextSlot = slot + interval;
    for (let wait = slot - now; wait > 0; wait = this.#lastLetThrough + interval - Date.now())
      await raceWait(delay(signal ?? new AbortController().signal, wait), signal, deadline, this.label);
    this.#lastLetThrough = Date.now();
  }

  /** A 429: halve the pace, never below a tenth of the configured rate. */
  throttled(): void {
    if (this.configuredRate === undefined || this.rate === undefined) return;
    const lowered = Math.max(this.configuredRate / 10, this.rate / 2);
    this.#lastChange = this.options.now();
    if (lowered === this.rate) return;
    this.rate = lowered;
    this.options.events?.rateChanged?.({
      ...this.label,
      rate: lowered,
      configured: this.configuredRate,
      reason: 'HTTP 429 from the cloud',
    });
  }

  #recover(): void {
    if (this.configuredRate === undefined || this.rate === undefined || this.rate >= this.configuredRate) return;
    const now = this.options.now();
    if (now - this.#lastChange < this.options.recoverAfterMs) return;
    this.#lastChange = now;
    this.rate = Math.min(this.configuredRate, this.rate * 2);
    this.options.events?.rateChanged?.({
      ...this.label,
      rate: this.rate,
      configured: this.configuredRate,
      reason: `no 429 for ${Math.round(this.options.recoverAfterMs / 1000)} s`,
    });
  }
}

/** The limits of one cloud: a gate per configured region and one for the whole cloud. */
export class CloudLimiter {
  #cloudGate?: Gate;
  readonly #regionGates = new Map<string, Gate>();
  readonly #events?: LimitEvents;
  readonly #options: Required<Pick<LimiterOptions, 'recoverAfterMs' | 'now'>> & LimiterOptions;
  #settings: CloudLimitSettings = {};

  constructor(
    readonly cloud: string,
    settings: CloudLimitSettings,
    options: LimiterOptions = {},
  ) {
    this.#options = { recoverAfterMs: 30_000, now: Date.now, ...options };
    this.#events = options.events;
    this.update(settings);
  }

  /** The settings in force. */
  get settings(): CloudLimitSettings {
    return this.#settings;
  }

  /**
   * Applies new settings (a reload) without a new limiter: the cloud's sessions keep this one. Gates that stay are
   * reconfigured in place; a gate whose limits are gone lets its waiters through and is dropped.
   */
  update(settings: CloudLimitSettings): void {
    this.#settings = settings;
    const limits = (s: LimitSettings) => s.rate !== undefined || s.concurrency !== undefined;
    const gate = (current: Gate | undefined, s: LimitSettings | undefined, region: string): Gate | undefined => {
      if (!s || !limits(s)) {
        current?.reconfigure({});
        return undefined;
      }
      if (!current) return new Gate(s, { cloud: this.cloud, region }, this.#options);
      current.reconfigure(s);
      return current;
    };
    this.#cloudGate = gate(this.#cloudGate, settings, '');
    const regions = settings.regions ?? {};
    for (const region of new Set([...this.#regionGates.keys(), ...Object.keys(regions)])) {
      const next = gate(this.#regionGates.get(region), regions[region], region);
      if (next) this.#regionGates.set(region, next);
      else this.#regionGates.delete(region);
    }
  }

  /** Waits until a request to this region may go; resolves to its release. */
  async acquire(region: string, signal?: AbortSignal, deadline?: number): Promise<Release> {
    const started = Date.now();
    const regionGate = this.#regionGates.get(region);
    const releaseRegion = regionGate ? await regionGate.acquire(signal, deadline) : undefined;
    let releaseCloud: Release | undefined;
    try {
      releaseCloud = this.#cloudGate ? await this.#cloudGate.acquire(signal, deadline) : undefined;
    } catch (error) {
      releaseRegion?.();
      throw error;
    }
    const waited = (Date.now() - started) / 1000;
    if (regionGate || this.#cloudGate) this.#events?.waited?.({ cloud: this.cloud, region, seconds: waited });
    return () => {
      releaseCloud?.();
      releaseRegion?.();
    };
  }

  /** The cloud answered 429 in this region: slow the gates it passed. */
  throttled(region: string): void {
    this.#regionGates.get(region)?.throttled();
    this.#cloudGate?.throttled();
  }

  /** Per gate [region ('' for the cloud), shared]: 1 while shared through Redis, 0 while local only. */
  sharing(): Array<[string, boolean]> {
    return this.#gates()
      .filter((gate) => gate.shared !== undefined)
      .map((gate) => [gate.label.region, gate.shared!]);
  }

  #gates(): Gate[] {
    return [...this.#regionGates.values(), ...(this.#cloudGate ? [this.#cloudGate] : [])];
  }

  /** The paces in force now, for the rate gauge: [region ('' for the cloud), requests per second]. */
  rates(): Array<[string, number]> {
    return this.#gates()
      .filter((gate) => gate.rate !== undefined)
      .map((gate) => [gate.label.region, gate.rate!]);
  }
}

function limitedPastDeadline(label: { cloud: string; region: string }): OpenStackError {
  return new OpenStackError(
    `cloud ${label.cloud}${label.region ? `/${label.region}` : ''}: the configured request rate leaves no turn before the deadline`,
    GrpcStatus.RESOURCE_EXHAUSTED,
    { cloud: label.cloud, region: label.region },
  );
}

/** Waits for `turn`, or fails on the signal (its reason) or the deadline (RESOURCE_EXHAUSTED). */
async function raceWait(
  turn: Promise<void>,
  signal: AbortSignal | undefined,
  deadline: number | undefined,
  label: { cloud: string; region: string },
): Promise<void> {
  if (!signal && deadline === undefined) return turn;
  signal?.throwIfAborted();
  const stop = new AbortController();
  const stopped = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true, signal: stop.signal });
    if (deadline !== undefined) {
      const timer = setTimeout(() => reject(limitedPastDeadline(label)), Math.max(0, deadline - Date.now()));
      stop.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
  });
  try {
    await Promise.race([turn, stopped]);
  } finally {
    stop.abort();
  }
}
