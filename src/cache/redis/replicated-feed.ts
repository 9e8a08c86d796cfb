// A region feed shared by replicas through Redis. The replicas elect one poller per cloud-region (a lock with
// a TTL, renewed; a dead leader's lock runs out and another replica takes over within a few seconds). The
// leader writes each batch of changes to a Redis stream and a state hash in one script that first checks it
// still holds the lock, then publishes a tick; every other replica applies the stream to its own copy of the
// change log, so its watchers and waiters are served locally and resume tokens (epoch + sequence) are valid
// on every replica. Replicas tell the leader what they need (waiters, watchers) through a demand hash.
import { randomBytes } from 'node:crypto';
import { ChangeLog, type Change, type RawServer } from '../poller/change-log.ts';
import { inTransition, ServerPoller, type PollerLogger, type ServerPollerOptions } from '../poller/server-poller.ts';
import type { PendingChange, RegionFeed, SubscriberKind, UpstreamFetch } from '../poller/types.ts';
import type { FeedFactory } from '../poller/feed-registry.ts';
import type { RedisConnection } from './connection.ts';

export interface ReplicatedFeedOptions {
  redis: RedisConnection;
  /** This replica's id (unique per process). */
  replicaId: string;
  /** Key prefix (default "oaktree:feed:"). */
  namespace?: string;
  /** Leader lock lifetime: a dead leader is replaced after at most this (default 3 s). */
  lockTtlMs?: number;
  /** How often a follower looks for new changes and tries to lead (default 1 s; ticks wake it sooner). */
  syncIntervalMs?: number;
  poller?: Omit<ServerPollerOptions, 'fetch' | 'log' | 'commit' | 'remoteDemand'>;
  logger?: PollerLogger;
}

const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local seq = tonumber(redis.call('HGET', KEYS[4], 'seq') or '0')
if seq ~= tonumber(ARGV[2]) then return -2 end
local batch = cjson.decode(ARGV[5])
for _, c in ipairs(batch) do
  seq = seq + 1
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 't', c[1], 'id', c[2], 'raw', c[3])
  if c[1] == 'DELETED' then redis.call('HDEL', KEYS[3], c[2]) else redis.call('HSET', KEYS[3], c[2], c[3]) end
end
redis.call('HSET', KEYS[4], 'seq', seq, 'polledAt', ARGV[3], 'primed', '1')
redis.call('HDEL', KEYS[4], 'failedAt', 'failure')
return seq`;
const TRYLOCK = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1`;
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Makes replicated feeds for a FeedRegistry / WatchHub. */
export function redisFeedFactory(
  options: Omit<ReplicatedFeedOptions, 'replicaId'> & { replicaId?: string },
): FeedFactory {
  const replicaId = options.replicaId ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
  return (key, fetch) => new ReplicatedFeed(key, fetch, { ...options, replicaId });
}

type StreamEntry = [string, string[]];

export class ReplicatedFeed implements RegionFeed {
  readonly #key: string;
  readonly #fetch: UpstreamFetch;
  readonly #o: ReplicatedFeedOptions;
  readonly #k: { lock: string; log: string; state: string; meta: string; demand: string; tick: string };
  #log: ChangeLog | undefined;
  #readyPromise: Promise<void>;
  #poller: ServerPoller | undefined;
  #watchers = 0;
  #waiters = 0;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #pulling: Promise<void> | undefined;
  #closed = false;
  #pastUpstream = 0;
  /** When the leader's last failed poll started (0: none seen), as this follower last read it. */
  #failedAt = 0;
  /** Times this replica became the leader (tests, metrics). */
  leaderships = 0;

  constructor(key: string, fetch: UpstreamFetch, options: ReplicatedFeedOptions) {
    this.#key = key;
    this.#fetch = fetch;
    this.#o = options;
    const ns = `${options.namespace ?? 'oaktree:feed:'}${key}:`;
    this.#k = {
      lock: `${ns}leader`,
      log: `${ns}log`,
      state: `${ns}state`,
      meta: `${ns}meta`,
      demand: `${ns}demand`,
      tick: `${ns}tick`,
    };
    this.#readyPromise = this.#bootstrap();
    this.#readyPromise.catch((error) =>
      this.#o.logger?.warn({ err: (error as Error).message, key }, 'replicated feed failed to start'),
    );
  }

  get log(): ChangeLog {
    if (!this.#log) throw new Error(`feed ${this.#key} is not ready; await ready() first`);
    return this.#log;
  }

  get isLeader(): boolean {
    return this.#poller !== undefined;
  }

  get intervalMs(): number | undefined {
    return this.#poller?.intervalMs;
  }

  get upstreamCalls(): number {
    return this.#pastUpstream + (this.#poller?.upstreamCalls ?? 0);
  }

  get subscribers(): number {
    return this.#watchers + this.#waiters;
  }

  async ready(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.#readyPromise;
  }

  subscribe(kind: SubscriberKind): () => void {
    if (kind === 'wait') this.#waiters++;
    else this.#watchers++;
    void this.#publishDemand();
    this.#poller?.pollSoon();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (kind === 'wait') this.#waiters--;
      else this.#watchers--;
      void this.#publishDemand();
    };
  }

  poke(): void {
    if (this.#poller) this.#poller.poke();
    else void this.#publishDemand(true);
  }

  /** On the leader; a follower relies on the leader's changes-since records and its periodic full list. */
  expectGone(id: string): () => void {
    return this.#poller?.expectGone(id) ?? (() => {});
  }

  async whenPolled(after: number, signal: AbortSignal): Promise<void> {
    await this.ready(signal);
    if (this.#poller) return this.#poller.whenPolled(after, signal);
    void this.#publishDemand(true);
    const log = this.log;
    while (!(log.primed && log.polledAt >= after)) {
      signal.throwIfAborted();
      if (log.pollFailure !== undefined && this.#failedAt >= after) throw log.pollFailure; // the poll we wait for failed
      const poller = this.#poller as ServerPoller | undefined;
      if (poller) return poller.whenPolled(after, signal); // became the leader meanwhile
      await log.changed(signal, 250);
    }
  }

  async #bootstrap(): Promise<void> {
    const r = this.#o.redis;
    await r.cmd(['HSETNX', this.#k.meta, 'epoch', randomBytes(6).toString('base64url')]);
    const [meta, state, entries] = (await r.multi([
      ['HGETALL', this.#k.meta],
      ['HGETALL', this.#k.state],
      ['XRANGE', this.#k.log, '-', '+'],
    ])) as [unknown, unknown, StreamEntry[]];
    const m = asRecord(meta);
    const log = new ChangeLog({ epoch: m.epoch, seq: Number(m.seq ?? 0), capacity: this.#o.poller?.logCapacity });
    log.load(
      stateEntries(asRecord(state)),
      entries.map(toChange).filter((c) => c.seq <= log.seq),
    );
    log.primed = m.primed === '1';
    log.polledAt = Number(m.polledAt ?? 0);
    this.#log = log;
    this.#unsubscribe = await r.subscribe(this.#k.tick, () => void this.#pull());
    this.#schedule(0);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#sync(), ms);
    this.#timer.unref?.();
  }

  /** Every sync interval: keep or take the lead, or catch up with the leader; refresh demand. */
  async #sync(): Promise<void> {
    const lockTtl = this.#o.lockTtlMs ?? 3_000;
    try {
      const held =
        Number(await this.#o.redis.cmd(['EVAL', TRYLOCK, 1, this.#k.lock, this.#o.replicaId, lockTtl])) === 1;
      if (held && !this.#poller) await this.#lead();
      else if (!held && this.#poller) this.#stepDown('lost the leader lock');
      if (!this.#poller) await this.#pull();
      else if (!this.#poller.running && (await this.#remoteDemand()).any) this.#poller.start();
      if (this.subscribers > 0) await this.#publishDemand();
    } catch (error) {
      this.#o.logger?.warn({ err: (error as Error).message, key: this.#key }, 'replicated feed sync failed');
    }
    this.#schedule(Math.min(this.#o.syncIntervalMs ?? 1_000, lockTtl / 3));
  }

  async #lead(): Promise<void> {
    await this.#pull(); // be exactly at the shared log's head before writing to it
    this.leaderships++;
    this.#o.logger?.debug({ key: this.#key, replica: this.#o.replicaId }, 'leading the poller of this region');
    this.#poller = new ServerPoller({
      ...this.#o.poller,
      logger: this.#o.logger,
      fetch: this.#fetch,
      log: this.log,
      commit: (batch, polledAt) => this.#commit(batch, polledAt),
      announceFailure: (error, started) => this.#announceFailure(error, started),
      remoteDemand: () => this.#remoteDemand(),
    });
    this.#poller.start();
  }

  #stepDown(why: string): void {
    const poller = this.#poller;
    if (!poller) return;
    this.#pastUpstream += poller.upstreamCalls;
    this.#poller = undefined;
    void poller.close();
    this.#o.logger?.warn({ key: this.#key, why }, 'no longer leading the poller of this region');
  }

  async #commit(batch: PendingChange[], polledAt: number): Promise<Change[]> {
    const log = this.log;
    const expected = log.seq;
    const payload = JSON.stringify(batch.map((c) => [c.type, c.id, JSON.stringify(c.raw)]));
    const capacity = log.capacity;
    const result = Number(
      await this.#o.redis.cmd([
        'EVAL',
        COMMIT,
        4,
        this.#k.lock,
        this.#k.log,
        this.#k.state,
        this.#k.meta,
        this.#o.replicaId,
        expected,
        polledAt,
        capacity,
        payload,
      ]),
    );
    if (result < 0) {
      this.#stepDown(result === -1 ? 'lost the leader lock' : 'another replica wrote to the log');
      throw new Error(`region ${this.#key}: this replica is no longer the leader`);
    }
    const changes = batch.map((c, i) => log.append(c.type, c.id, c.raw, expected + i + 1));
    log.primed = true;
    log.polledAt = polledAt;
    log.notify();
    await this.#o.redis.cmd(['PUBLISH', this.#k.tick, `${result}:${polledAt}`]);
    return changes;
  }

  /** A failed poll, for the followers' waiters (the next successful commit clears it). */
  async #announceFailure(error: unknown, started: number): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.#o.redis.multi([
      ['HSET', this.#k.meta, 'failedAt', started, 'failure', message],
      ['PUBLISH', this.#k.tick, `failed:${started}`],
    ]);
  }

  /** Applies what the leader wrote since our position (single flight). */
  #pull(): Promise<void> {
    this.#pulling ??= this.#pullOnce().finally(() => (this.#pulling = undefined));
    return this.#pulling;
  }

  async #pullOnce(): Promise<void> {
    if (!this.#log || this.#poller) return;
    const log = this.#log;
    const [entries, meta] = (await this.#o.redis.multi([
      ['XRANGE', this.#k.log, `${log.seq + 1}-0`, '+'],
      ['HMGET', this.#k.meta, 'seq', 'polledAt', 'primed', 'failedAt', 'failure'],
    ])) as [StreamEntry[], (string | null)[]];
    const changes = entries.map(toChange);
    if (changes.length && changes[0].seq !== log.seq + 1) {
      // The stream was trimmed past our position: take the whole state, older tokens expire.
      const [state, m] = (await this.#o.redis.multi([
        ['HGETALL', this.#k.state],
        ['HGETALL', this.#k.meta],
      ])) as [unknown, unknown];
      log.reset(Number(asRecord(m).seq ?? 0), stateEntries(asRecord(state)));
    } else {
      for (const c of changes) log.append(c.type, c.id, c.raw, c.seq);
    }
    const [, polledAt, primed, failedAt, failure] = meta;
    if (primed === '1') log.primed = true;
    if (polledAt) log.polledAt = Math.max(log.polledAt, Number(polledAt));
    if (failure === null || failure === undefined) log.pollFailure = undefined;
    else if (Number(failedAt) !== this.#failedAt) {
      // A new failure (one object per failed poll: a waiter fails on a failure newer than its start).
      this.#failedAt = Number(failedAt);
      log.pollFailure = new Error(failure);
    }
    log.notify();
  }

  /** This replica's needs, for the leader: waiters want the fast interval, watchers want it during transitions. */
  async #publishDemand(fastNow = false): Promise<void> {
    const waiters = this.#waiters + (fastNow ? 1 : 0);
    const value = `${Date.now() + (this.#o.lockTtlMs ?? 3_000)}:${waiters}:${this.#watchers}`;
    if (this.subscribers === 0 && !fastNow)
      await this.#o.redis.cmd(['HDEL', this.#k.demand, this.#o.replicaId]).catch(() => {});
    else await this.#o.redis.cmd(['HSET', this.#k.demand, this.#o.replicaId, value]).catch(() => {});
  }

  async #remoteDemand(): Promise<{ fast: boolean; any: boolean }> {
    const all = asRecord(await this.#o.redis.cmd(['HGETALL', this.#k.demand]));
    const now = Date.now();
    let waiters = 0;
    let watchers = 0;
    for (const [replica, value] of Object.entries(all)) {
      if (replica === this.#o.replicaId) continue;
      const [expires, w, v] = value.split(':').map(Number);
      if (expires < now) continue;
      waiters += w;
      watchers += v;
    }
    waiters += this.#waiters;
    watchers += this.#watchers;
    let fast = waiters > 0;
    if (!fast && watchers > 0) for (const raw of this.log.values()) if (inTransition(raw)) fast = true;
    return { fast, any: waiters + watchers > 0 };
  }

  /** Stops; a leader hands over at once (graceful) instead of letting its lock run out. */
  async close(options: { graceful?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const wasLeader = this.#poller !== undefined;
    this.#stepDown('closing');
    await this.#unsubscribe?.().catch(() => {});
    if (options.graceful !== false) {
      await this.#o.redis.cmd(['HDEL', this.#k.demand, this.#o.replicaId]).catch(() => {});
      if (wasLeader) await this.#o.redis.cmd(['EVAL', UNLOCK, 1, this.#k.lock, this.#o.replicaId]).catch(() => {});
    }
  }
}

function asRecord(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < value.length; i += 2) out[String(value[i])] = String(value[i + 1]);
    return out;
  }
  return (value ?? {}) as Record<string, string>;
}

function stateEntries(state: Record<string, string>): [string, RawServer][] {
  return Object.entries(state).map(([id, json]) => [id, JSON.parse(json) as RawServer]);
}

function toChange([id, fields]: StreamEntry): Change {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return { seq: Number(id.split('-')[0]), type: f.t as Change['type'], id: f.id, raw: JSON.parse(f.raw) as RawServer };
}
