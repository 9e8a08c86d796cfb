// What caches, single flights and request locks need from a store, so one process or several replicas (Redis)
// can share them. Values are strings: callers choose their own encoding.
import { type Clock, systemClock } from '../core/clock.ts';

export interface SharedState {
  /** A name for logs: "memory" or "redis". */
  readonly kind: string;
  get(key: string): Promise<string | undefined>;
  /** Stores a value that disappears after ttlMs. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Stores only if absent; true when this call stored it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Drops every key that starts with prefix; returns how many. */
  deleteByPrefix(prefix: string): Promise<number>;
  /** Takes a lock for owner (no-op true if owner holds it already); false when someone else holds it. */
  tryLock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends a lock owner still holds; false when it was lost. */
  renewLock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases a lock if owner still holds it. */
  unlock(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/** One process's shared state: a Map with expiry (checked on read, swept now and then). */
export class MemorySharedState implements SharedState {
  readonly kind = 'memory';
  readonly #entries = new Map<string, Entry>();
  /** Expiry runs on this clock (tests advance a manual one instead of waiting for a TTL). */
  readonly #clock: Clock;
  #lastSweep: number;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#lastSweep = this.#clock.now();
  }

  #live(key: string, now = this.#clock.now()): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 10_000) return;
    this.#lastSweep = now;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const now = this.#clock.now();
    this.#sweep(now);
    this.#entries.set(key, { value, expiresAt: now + ttlMs });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    await this.set(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    let n = 0;
    for (const key of [...this.#entries.keys()]) {
      if (key.startsWith(prefix) && this.#live(key)) {
        this.#entries.delete(key);
        n++;
      }
    }
    return n;
  }

  async tryLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = this.#live(key);
    if (held && held.value !== owner) return false;
    this.#entries.set(key, { value: owner, expiresAt: this.#clock.now() + ttlMs });
    return true;
  }

  async renewLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = this.#live(key);
    if (!held || held.value !== owner) return false;
    held.expiresAt = this.#clock.now() + ttlMs;
    return true;
  }

  async unlock(key: string, owner: string): Promise<void> {
    if (this.#live(key)?.value === owner) this.#entries.delete(key);
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
