// A clock that moves only when the test says so: pollers and TTL caches built on it wait no real time.
import { setImmediate as turn } from 'node:timers/promises';
import type { Clock, Timer } from '../../src/core/clock.ts';

interface Pending extends Timer {
  at: number;
  seq: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #pending: Pending[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const timer: Pending = { at: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#pending.push(timer);
    return timer;
  }

  clearTimeout(timer: Timer): void {
    this.#pending = this.#pending.filter((t) => t !== timer);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way in order; between timers the
   * callbacks' promise work (a poll with an in-memory upstream) runs to completion.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    while (true) {
      await settle();
      const next = this.#pending.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.#pending = this.#pending.filter((t) => t !== next);
      this.#now = next.at;
      next.callback();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets promise chains started by a callback finish: a few turns of the event loop, no real waiting. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await turn();
}
