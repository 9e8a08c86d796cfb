// Where a node's watch-token key comes from, so replicas accept each other's resume tokens and a restart does
// not invalidate them: a secret file from node config (`watch_tokens: {secret_file: PATH}`), else, with Redis,
// a key made once and stored there (SET NX: the first replica's key wins, every other replica reads it), else a
// key for this run only. The secret itself is never logged nor put in an error.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RedisConnection } from './redis/connection.ts';
import { WatchTokenKey } from './watch-token.ts';

/** One key for every replica sharing the Redis (replicas of one node share its Redis). */
export const REDIS_WATCH_TOKEN_KEY = 'oaktree:watch-token-key';

export interface WatchTokenKeySource {
  /** A file whose content (surrounding whitespace trimmed) is the secret: at least 16 bytes. */
  secretFile?: string;
  redis?: RedisConnection;
}

export async function loadWatchTokenKey(source: WatchTokenKeySource): Promise<WatchTokenKey> {
  if (source.secretFile) return fromFile(source.secretFile);
  if (source.redis) return fromRedis(source.redis);
  return WatchTokenKey.random();
}

async function fromFile(file: string): Promise<WatchTokenKey> {
  let secret: string;
  try {
    secret = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(
      `watch_tokens.secret_file ${file}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (Buffer.byteLength(secret) < 16) {
    throw new Error(
      `watch_tokens.secret_file ${file}: the secret needs at least 16 bytes (e.g. \`openssl rand -base64 32 > ${file}\`)`,
    );
  }
  return new WatchTokenKey(secret);
}

async function fromRedis(redis: RedisConnection): Promise<WatchTokenKey> {
  // No expiry: the key lives as long as the Redis data, like the feeds' positions the tokens point into.
  await redis.cmd(['SET', REDIS_WATCH_TOKEN_KEY, randomBytes(32).toString('base64'), 'NX']);
  const stored = await redis.cmd(['GET', REDIS_WATCH_TOKEN_KEY]);
  if (typeof stored !== 'string' || Buffer.byteLength(stored) < 16) {
    throw new Error(
      `Redis ${REDIS_WATCH_TOKEN_KEY} does not hold a usable watch-token key; delete it and restart: a new one is made`,
    );
  }
  return new WatchTokenKey(stored);
}
