// A short-lived cache in front of cloud reads: per-key TTL, `fresh` to bypass it, invalidation by key prefix
// when a write passes through oaktree (openstacksdk drops a whole resource prefix on any non-GET; so do we).
// Loads are single-flight in this process; across replicas (Redis) a short load lock lets one replica load
// while the others wait for its value instead of asking the cloud too.
import { randomUUID } from 'node:crypto';
import { type Clock, sleepOn, systemClock } from '../core/clock.ts';
import { SingleFlight } from './coalesce.ts';
import type { SharedState } from './shared-state.ts';

export interface Codec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

export const jsonCodec: Codec<any> = { encode: (v) => JSON.stringify(v), decode: (t) => JSON.parse(t) };

export interface TtlCacheOptions {
  state: SharedState;
  /** Prepended to every key, e.g. "oaktree:cache:". */
  namespace?: string;
  /** Default TTL (ms) when a call gives none. */
  defaultTtlMs?: number;
  /** How long another replica's load may take before this one loads itself (ms). */
  loadLockMs?: number;
  /** Time for waiting on another replica's load (default: the system clock). */
  clock?: Clock;
  /**
   * A `fresh` caller joins a load already in flight only if it started less than this long ago (default 1 s);
   * a caller that may take a kept value joins one younger than its TTL. An older load, perhaps hung on a cloud
   * that has since recovered, goes on for those who joined it, and newcomers start their own.
   */
  freshJoinMs?: number;
}

export interface GetOptions<T> {
  ttlMs?: number;
  /** Skip the cached value (the result is still stored for others). */
  fresh?: boolean;
  codec?: Codec<T>;
}

export class TtlCache {
  readonly #state: SharedState;
  readonly #ns: string;
  readonly #defaultTtl: number;
  readonly #loadLockMs: number;
  readonly #clock: Clock;
  readonly #flights = new SingleFlight();
  readonly #owner = randomUUID();
  readonly #freshJoinMs: number;
  /** The load in flight per flight key, with its start time (see freshJoinMs). */
  readonly #running = new Map<string, { flight: string; startedAt: number; generation: number }>();
  /**
   * Bumped by every invalidate: a load that started before a write may carry the state before it, so it is
   * neither stored nor joined once the write is known (a poll right after a server action saw the old state).
   */
  #generation = 0;
  /** Loads that reached the loader (metrics, tests). */
  loads = 0;
  hits = 0;

  constructor(options: TtlCacheOptions) {
    this.#state = options.state;
    this.#ns = options.namespace ?? 'oaktree:cache:';
    this.#defaultTtl = options.defaultTtlMs ?? 5_000;
    this.#loadLockMs = options.loadLockMs ?? 10_000;
    this.#clock = options.clock ?? systemClock;
    this.#freshJoinMs = options.freshJoinMs ?? 1_000;
  }

  /** The cached value of key, else load() once (however many callers ask at the same time). */
  async get<T>(key: string, load: () => Promise<T>, options: GetOptions<T> = {}): Promise<T> {
    const codec = (options.codec ?? jsonCodec) as Codec<T>;
    const full = this.#ns + key;
    if (!options.fresh) {
      const text = await this.#state.get(full);
      if (text !== undefined) {
        this.hits++;
        return codec.decode(text);
      }
    }
    const flightKey = `${options.fresh ? 'fresh' : 'cached'}:${full}`;
    const joinMs = options.fresh ? this.#freshJoinMs : (options.ttlMs ?? this.#defaultTtl);
    const now = this.#clock.now();
    const running = this.#running.get(flightKey);
    const generation = this.#generation;
    if (
      running &&
      running.generation === generation &&
      now - running.startedAt < joinMs &&
      this.#flights.has(running.flight)
    ) {
      return this.#flights.run(running.flight, () => this.#load(full, load, codec, options, generation));
    }
    const flight = `${flightKey}\0${now}\0${generation}`;
    const mine = { flight, startedAt: now, generation };
    this.#running.set(flightKey, mine);
    return this.#flights.run(flight, async () => {
      try {
        return await this.#load(full, load, codec, options, generation);
      } finally {
        if (this.#running.get(flightKey) === mine) this.#running.delete(flightKey);
      }
    });
  }

  async #load<T>(
    full: string,
    load: () => Promise<T>,
    codec: Codec<T>,
    options: GetOptions<T>,
    generation: number,
  ): Promise<T> {
    const ttl = options.ttlMs ?? this.#defaultTtl;
    const lockKey = `${full}\0loading`;
    const locked = this.#state.kind === 'memory' || (await this.#state.tryLock(lockKey, this.#owner, this.#loadLockMs));
    if (!locked && !options.fresh) {
      // Another replica is loading it: wait for its value rather than asking the cloud a second time.
      const until = this.#clock.now() + this.#loadLockMs;
      while (this.#clock.now() < until) {
        await sleepOn(this.#clock, 25);
        const text = await this.#state.get(full);
        if (text !== undefined) {
          this.hits++;
          return codec.decode(text);
        }
      }
    }
    try {
      this.loads++;
      const value = await load();
      if (generation === this.#generation) await this.#state.set(full, codec.encode(value), ttl);
      return value;
    } finally {
      if (locked && this.#state.kind !== 'memory') await this.#state.unlock(lockKey, this.#owner);
    }
  }

  /** Drops every cached key starting with prefix (a write went through oaktree). */
  invalidate(prefix: string): Promise<number> {
    this.#generation++;
    return this.#state.deleteByPrefix(this.#ns + prefix);
  }
}
