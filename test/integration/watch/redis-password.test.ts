// Redis with a password (a real redis-server with --requirepass): the node's shared services connect with
// redis://:PASSWORD@... (here unix://:PASSWORD@/socket), a wrong or missing password fails the start at once with
// a message that says what to fix, and the password shows up in no error and no log line.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSharedServices } from '../../../src/cache/node-shared.ts';
import { redactRedisUrl } from '../../../src/cache/redis/url.ts';
import { parseNodeConfig } from '../../../src/node/config.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';
import { REDIS_SERVER, startRedis, type TestRedis } from './redis-server.ts';

const TIMEOUT = { timeout: 30_000 };
const PASSWORD = 'redis-pw-9c41e';
const WRONG = 'wrong-pw-77d02';
const skip = skipUnlessInstalled([REDIS_SERVER], 'apt-get install -y redis-server');

describe('Redis with a password', { skip }, () => {
  let redis: TestRedis;
  const logged: string[] = [];
  const logger = {
    info() {},
    debug() {},
    error() {},
    warn: (obj: object, msg: string) => void logged.push(`${msg} ${JSON.stringify(obj)}`),
  };
  const withPassword = (password: string) => redis.url.replace('unix://', `unix://:${password}@`);
  const startFailure = async (url: string) => {
    const error = await startSharedServices({ redis: url, logger }).then(
      (services) => (services.close(), assert.fail('started')),
      (e: Error) => e,
    );
    return error.message;
  };

  before(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
  });
  after(async () => {
    await redis?.close();
  });

  it('the right password: the shared state works through it', TIMEOUT, async () => {
    const services = await startSharedServices({ redis: withPassword(PASSWORD), logger });
    try {
      assert.equal(await services.redis!.cmd(['PING']), 'PONG');
      assert.equal(services.redis!.url, withPassword('***'));
    } finally {
      await services.close();
    }
  });

  it('a wrong password fails the start at once, naming the URL without the password', TIMEOUT, async () => {
    const message = await startFailure(withPassword(WRONG));
    assert.equal(
      message,
      `cannot connect to Redis at ${withPassword('***')}: it refused the password in the redis: URL`,
    );
  });

  it('no password: says it needs one and how to give it', TIMEOUT, async () => {
    assert.match(
      await startFailure(redis.url),
      /^cannot connect to Redis at unix:\/\/\/.*: it requires a password: give it in the URL, redis:\/\/:PASSWORD@host:port$/,
    );
  });

  it('node config takes redis:// and rediss:// with a password; a bad URL is reported without it', TIMEOUT, () => {
    for (const url of [`redis://:${PASSWORD}@127.0.0.1:6379`, `rediss://user:${PASSWORD}@redis.example:6380/0`]) {
      assert.equal(parseNodeConfig(`redis: ${url}\n`, 'node.yaml').redis, url);
    }
    assert.throws(
      () => parseNodeConfig(`redis: http://:${PASSWORD}@127.0.0.1:6379\n`, 'node.yaml'),
      (e: Error) => e.message.includes('http://:***@127.0.0.1:6379') && !e.message.includes(PASSWORD),
    );
    assert.equal(redactRedisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  });

  it('no log line carries a password', TIMEOUT, () => {
    assert.ok(logged.length > 0, 'the refused connections were logged');
    for (const line of logged) assert.ok(!line.includes(PASSWORD) && !line.includes(WRONG), line);
  });
});
