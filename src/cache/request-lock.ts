// Idempotent writes by request_id: a retried CreateServer with the same request_id makes one server.
// The first caller runs the write while holding a lock; its result is kept for a while, so a retry (on this
// replica or another, through Redis) gets the same result instead of writing again. A failed write stores
// nothing: the next retry runs it again.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OaktreeError } from '../core/errors.ts';
import { SingleFlight } from './coalesce.ts';
import type { SharedState } from './shared-state.ts';
import { jsonCodec, type Codec } from './ttl-cache.ts';

const ABORTED = 10; // gRPC ABORTED: someone else holds the request and did not finish in time

export interface RequestLockOptions<T> {
  /** How long the result answers retries (default 1 h). */
  resultTtlMs?: number;
  /** Lock lifetime; renewed while fn runs (default 15 s). */
  lockTtlMs?: number;
  /** How long a retry waits for another holder's result before giving up with ABORTED (default 5 min). */
  waitMs?: number;
  codec?: Codec<T>;
  signal?: AbortSignal;
}

export class RequestLocks {
  readonly #state: SharedState;
  readonly #owner = randomUUID();
  readonly #flights = new SingleFlight();
  readonly #ns: string;

  constructor(state: SharedState, namespace = 'oaktree:request:') {
    this.#state = state;
    this.#ns = namespace;
  }

  /** Runs fn once per key (e.g. `create-server:<routeKey>:<request_id>`); retries get the stored result. */
  lockByRequestId<T>(key: string, fn: () => Promise<T>, options: RequestLockOptions<T> = {}): Promise<T> {
    return this.#flights.run(key, () => this.#run(key, fn, options));
  }

  /**
   * Runs fn while no other call holds `key` (here or on a replica sharing Redis) and stores nothing: for creates
   * that find their earlier object themselves (by tag or metadata) and only must not race each other to it.
   */
  async exclusive<T>(
    key: string,
    fn: () => Promise<T>,
    options: Omit<RequestLockOptions<T>, 'codec' | 'resultTtlMs'> = {},
  ): Promise<T> {
    const lockKey = `${this.#ns}${key}:exclusive`;
    // Every call is its own owner: the memory lock is re-entrant per owner, and two callers here must wait too.
    const owner = randomUUID();
    await this.#acquire(key, lockKey, owner, options, async () => false);
    return this.#holding(lockKey, owner, options.lockTtlMs ?? 15_000, fn);
  }

  async #run<T>(key: string, fn: () => Promise<T>, options: RequestLockOptions<T>): Promise<T> {
    const codec = (options.codec ?? jsonCodec) as Codec<T>;
    const resultKey = `${this.#ns}${key}:result`;
    const lockKey = `${this.#ns}${key}:lock`;
    const stored = async () => (await this.#state.get(resultKey)) !== undefined;
    if (!(await this.#acquire(key, lockKey, this.#owner, options, stored))) {
      return codec.decode((await this.#state.get(resultKey))!);
    }
    return this.#holding(lockKey, this.#owner, options.lockTtlMs ?? 15_000, async () => {
      // A holder that died after storing its result but before unlocking: check again under the lock.
      const done = await this.#state.get(resultKey);
      if (done !== undefined) return codec.decode(done);
      const value = await fn();
      await this.#state.set(resultKey, codec.encode(value), options.resultTtlMs ?? 3_600_000);
      return value;
    });
  }

  /** Waits for the lock; true once held, false when `done` says another holder already finished the work. */
  async #acquire(
    key: string,
    lockKey: string,
    owner: string,
    options: Pick<RequestLockOptions<unknown>, 'lockTtlMs' | 'waitMs' | 'signal'>,
    done: () => Promise<boolean>,
  ): Promise<boolean> {
    const until = Date.now() + (options.waitMs ?? 300_000);
    for (;;) {
      if (await done()) return false;
      if (await this.#state.tryLock(lockKey, owner, options.lockTtlMs ?? 15_000)) return true;
      if (Date.now() > until) {
        throw new OaktreeError(
          ABORTED,
          `request ${key} is still being processed by another call (here or on a replica); retry later with the same request_id`,
        );
      }
      options.signal?.throwIfAborted();
      await sleep(50);
    }
  }

  /** Runs fn under a held lock, renewing it meanwhile, and releases it however fn ends. */
  async #holding<T>(lockKey: string, owner: string, lockTtl: number, fn: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => void this.#state.renewLock(lockKey, owner, lockTtl).catch(() => {}), lockTtl / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.#state.unlock(lockKey, owner).catch(() => {});
    }
  }
}
