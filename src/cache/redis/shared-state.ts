// SharedState on Redis: replicas of one node share the TTL cache, single-flight load locks and request locks.
import type { SharedState } from '../shared-state.ts';
import type { RedisConnection } from './connection.ts';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const TRYLOCK = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1`;

export class RedisSharedState implements SharedState {
  readonly kind = 'redis';
  constructor(readonly redis: RedisConnection) {}

  async get(key: string): Promise<string | undefined> {
    const v = await this.redis.cmd(['GET', key]);
    return v === null || v === undefined ? undefined : String(v);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.cmd(['SET', key, value, 'PX', Math.max(1, Math.round(ttlMs))]);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.cmd(['SET', key, value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX'])) === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.redis.cmd(['DEL', key]);
  }

  async deleteByPrefix(prefix: string): Promise<number> {
    let cursor = '0';
    let n = 0;
    const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
    do {
      const [next, keys] = (await this.redis.cmd(['SCAN', cursor, 'MATCH', pattern, 'COUNT', 500])) as [
        string,
        string[],
      ];
      cursor = String(next);
      if (keys.length) n += Number(await this.redis.cmd(['UNLINK', ...keys]));
    } while (cursor !== '0');
    return n;
  }

  async tryLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.cmd(['EVAL', TRYLOCK, 1, key, owner, Math.round(ttlMs)])) === 1;
  }

  async renewLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.cmd(['EVAL', RENEW, 1, key, owner, Math.round(ttlMs)])) === 1;
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.redis.cmd(['EVAL', UNLOCK, 1, key, owner]);
  }

  async close(): Promise<void> {
    await this.redis.close();
  }
}
