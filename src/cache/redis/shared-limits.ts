// Per cloud-region limits shared by the replicas of a node through Redis. Rate: one script hands out the next
// paced moment (Redis' own clock, so replicas' clocks do not matter), and the caller waits until then. Concurrency:
// leases in a sorted set scored by their expiry, renewed while held, so the slots of a replica that died come back
// after the lease TTL. Redis being down never fails or holds up a call: a step that cannot reach Redis (not
// connected, or no answer within a second) answers `undefined` and the caller keeps to its local limit.
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from './connection.ts';

/** Redis' clock in ms: every replica paces against the same one. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** ARGV: interval ms, longest wait ms (-1: any). Returns the wait until this request's moment, or -1: past it. */
const RESERVE = `${NOW}
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local wait = slot - now
local most = tonumber(ARGV[2])
if most >= 0 and wait > most then return -1 end
redis.call('SET', KEYS[1], string.format('%d', slot + tonumber(ARGV[1])), 'PX', wait + tonumber(ARGV[1]) + 1000)
return wait`;

/**
 * ARGV: interval ms. A timer that fired late bunches turns up: a request goes only `interval` after the one
 * before it actually went. Returns 0 (go now) or how much longer to wait.
 */
const GO = `${NOW}
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
if now < last + interval then return last + interval - now end
redis.call('SET', KEYS[1], string.format('%d', now), 'PX', interval + 1000)
return 0`;

/** ARGV: slots, lease id, TTL ms. Returns 1 when the lease was granted. */
const LEASE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** ARGV: lease id, TTL ms. Returns 1 while the lease is still held. */
const RENEW = `${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** ARGV: lease id, channel. Frees the slot and wakes the replicas waiting for one. */
const RELEASE = `if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then redis.call('PUBLISH', ARGV[2], KEYS[1]) end return 1`;

export interface SharedLimitsOptions {
  redis: RedisConnection;
  /** Key prefix (default "oaktree:limit:"). */
  namespace?: string;
  /** A lease not renewed for this long is given back (default 15 s): what a dead replica's slots cost. */
  leaseTtlMs?: number;
  /** Longest wait for one Redis answer before the local limit is used instead (default 1 s). */
  answerWithinMs?: number;
  /** A waiter for a slot asks again this often even without a release message (default 250 ms). */
  retryEveryMs?: number;
  /** Redis went out of reach (false) or came back (true), for the node as a whole: the one log line of each. */
  onReachability?: Reachability;
}

/** A concurrency slot held in Redis; give it back once, when the request's answer is in. */
export type SharedLease = () => void;

/** Whether a step reached Redis; the gate reports the changes (log, gauge). */
export type Reachability = (reached: boolean) => void;

export class SharedLimits {
  readonly #o: Required<Omit<SharedLimitsOptions, 'redis' | 'onReachability'>> & SharedLimitsOptions;
  #reached = true;
  readonly #channel: string;
  /** Waiters for a slot, by lease key: woken when any replica releases one there. */
  readonly #slotWaiters = new Map<string, Set<() => void>>();
  #subscribed?: Promise<unknown>;
  #closed = false;

  constructor(options: SharedLimitsOptions) {
    this.#o = { namespace: 'oaktree:limit:', leaseTtlMs: 15_000, answerWithinMs: 1_000, retryEveryMs: 250, ...options };
    this.#channel = `${this.#o.namespace}released`;
  }

  /** The shared gate of one cloud-region ('' for the whole cloud). */
  gate(cloud: string, region: string, reachability?: Reachability): SharedGate {
    return new SharedGate(this, `${this.#o.namespace}${cloud}/${region}`, reachability);
  }

  get leaseTtlMs(): number {
    return this.#o.leaseTtlMs;
  }

  get retryEveryMs(): number {
    return this.#o.retryEveryMs;
  }

  /** Runs a script, or answers undefined when Redis is not connected or too slow to answer. */
  async run(script: string, key: string, args: (string | number)[]): Promise<number | undefined> {
    if (this.#closed) return undefined;
    if (!this.#o.redis.ready) return this.#note(undefined);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.#o.answerWithinMs);
    });
    try {
      const answer = await Promise.race([this.#o.redis.cmd(['EVAL', script, 1, key, ...args]), late]);
      return this.#note(answer === undefined ? undefined : Number(answer));
    } catch {
      return this.#note(undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  #note(answer: number | undefined): number | undefined {
    const reached = answer !== undefined;
    if (reached !== this.#reached) {
      this.#reached = reached;
      this.#o.onReachability?.(reached);
    }
    return answer;
  }

  /** Calls `wake` whenever a replica releases a slot of `key`; returns the way to stop. */
  onRelease(key: string, wake: () => void): () => void {
    this.#subscribed ??= this.#o.redis
      .subscribe(this.#channel, (released) => {
        for (const waiter of this.#slotWaiters.get(released) ?? []) waiter();
      })
      .catch(() => {}); // without messages, waiters still ask every retryEveryMs
    let waiters = this.#slotWaiters.get(key);
    if (!waiters) this.#slotWaiters.set(key, (waiters = new Set()));
    waiters.add(wake);
    return () => {
      waiters.delete(wake);
      if (!waiters.size) this.#slotWaiters.delete(key);
    };
  }

  get channel(): string {
    return this.#channel;
  }

  close(): void {
    this.#closed = true;
  }
}

export class SharedGate {
  readonly #rateKey: string;
  readonly #wentKey: string;
  readonly #leaseKey: string;
  #reached: boolean | undefined;

  constructor(
    private readonly limits: SharedLimits,
    key: string,
    private readonly reachability?: Reachability,
  ) {
    this.#rateKey = `${key}:next`;
    this.#wentKey = `${key}:went`;
    this.#leaseKey = `${key}:leases`;
  }

  /** True while the last step reached Redis (undefined before the first). */
  get shared(): boolean | undefined {
    return this.#reached;
  }

  #note(answer: number | undefined): number | undefined {
    const reached = answer !== undefined;
    if (reached !== this.#reached) {
      this.#reached = reached;
      this.reachability?.(reached);
    }
    return answer;
  }

  /**
   * How long to wait for this request's moment at `intervalMs` between requests of every replica; -1 when that
   * is further away than `mostMs`; undefined when Redis cannot say (keep to the local pace).
   */
  async reserve(intervalMs: number, mostMs: number | undefined): Promise<number | undefined> {
    const most = mostMs === undefined ? -1 : Math.max(0, Math.floor(mostMs));
    return this.#note(await this.limits.run(RESERVE, this.#rateKey, [Math.ceil(intervalMs), most]));
  }

  /** After the reserved wait: 0 when the request may go now, else how much longer (undefined: Redis cannot say). */
  async go(intervalMs: number): Promise<number | undefined> {
    return this.#note(await this.limits.run(GO, this.#wentKey, [Math.ceil(intervalMs)]));
  }

  /**
   * Waits for one of `slots` leases shared by every replica. Resolves to its release, or to undefined when Redis
   * cannot be reached (keep to the local slots). Rejects with the signal's reason, or `pastDeadline()`.
   */
  async lease(
    slots: number,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    pastDeadline: () => Error,
  ): Promise<SharedLease | undefined> {
    const id = randomBytes(8).toString('hex');
    const ttl = this.limits.leaseTtlMs;
    let wake = () => {};
    const stop = this.limits.onRelease(this.#leaseKey, () => wake());
    try {
      while (true) {
        signal?.throwIfAborted();
        const granted = this.#note(await this.limits.run(LEASE, this.#leaseKey, [slots, id, ttl]));
        if (granted === undefined) return undefined;
        if (granted === 1) return this.#hold(id, ttl);
        if (deadline !== undefined && Date.now() >= deadline) throw pastDeadline();
        const wait = Math.min(this.limits.retryEveryMs, deadline === undefined ? Infinity : deadline - Date.now());
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, Math.max(0, wait));
          wake = done;
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      stop();
    }
  }

  /** Renews the lease at a third of its TTL until released. */
  #hold(id: string, ttl: number): SharedLease {
    const renew = setInterval(() => void this.limits.run(RENEW, this.#leaseKey, [id, ttl]), ttl / 3);
    renew.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      void this.limits.run(RELEASE, this.#leaseKey, [id, this.limits.channel]);
    };
  }
}
