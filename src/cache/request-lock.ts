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

  async #run<T>(key: string, fn: () => Promise<T>, options: RequestLockOptions<T>): Promise<T> {
    const codec = (options.codec ?? jsonCodec) as Codec<T>;
    const resultKey = `${this.#ns}${key}:result`;
    const lockKey = `${this.#ns}${key}:lock`;
    const lockTtl = options.lockTtlMs ?? 15_000;
    const until = Date.now() + (options.waitMs ?? 300_000);
    for (;;) {
      const done = await this.#state.get(resultKey);
      if (done !== undefined) return codec.decode(done);
      if (await this.#state.tryLock(lockKey, this.#owner, lockTtl)) break;
      if (Date.now() > until) {
        throw new OaktreeError(
          ABORTED,
          `request ${key} is still being processed by another replica; retry later with the same request_id`,
        );
      }
      options.signal?.throwIfAborted();
      await sleep(50);
    }
    const renew = setInterval(
      () => void this.#state.renewLock(lockKey, this.#owner, lockTtl).catch(() => {}),
      lockTtl / 3,
    );
    try {
      // A holder that died after storing its result but before unlocking: check again under the lock.
      const done = await this.#state.get(resultKey);
      if (done !== undefined) return codec.decode(done);
      const value = await fn();
      await this.#state.set(resultKey, codec.encode(value), options.resultTtlMs ?? 3_600_000);
      return value;
    } finally {
      clearInterval(renew);
      await this.#state.unlock(lockKey, this.#owner).catch(() => {});
    }
  }
}
