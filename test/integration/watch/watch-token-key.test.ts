// Issue 22, defect 8b: replicas of one node share the watch-token key, so a resume token from replica A resumes
// on replica B (and on a restarted node): from Redis (a real redis-server) or from a secret file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HandlerBackend } from '../../../src/backends/handler-backend.ts';
import { locationToken, positionIn } from '../../../src/cache/watch-token.ts';
import { routeKey } from '../../../src/core/location.ts';
import { ComputeServiceDefinition, type WatchServersResponse } from '../../../src/gen/oaktree/v1/compute.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { startNodeServices, type NodeServices } from '../../../src/node/services.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { location } from '../../support/fixed-backend.ts';
import { within } from '../../support/wait.ts';
import { skipUnlessInstalled } from '../../support/system-parts.ts';
import { REDIS_SERVER, startRedis, type TestRedis } from './redis-server.ts';

const HERE = location('kcloud');

/** A location whose watch answers one checkpoint at change 7 and records the position each request resumed from. */
function watchBackend(resumedFrom: string[]) {
  return new HandlerBackend({
    id: 'cloud:kcloud',
    locations: () => [HERE],
    handlers: {
      async *watchServers(request, target) {
        const position = positionIn(request.resumeToken, routeKey(target));
        resumedFrom.push(position ? `${position.epoch}.${position.seq}` : '');
        const message: WatchServersResponse = {
          item: { $case: 'checkpoint', value: { location: target, initialStateComplete: true } },
          resumeToken: locationToken(routeKey(target), 'E1', 7),
        };
        yield message;
      },
    },
  });
}

async function replica(services: NodeServices, resumedFrom: string[], name: string): Promise<RunningNode> {
  return startNode({
    nodeId: name,
    listen: '127.0.0.1:0',
    backends: [watchBackend(resumedFrom)],
    logger: silentLogger(),
    watchTokenKey: services.watchTokenKey,
  });
}

async function lastToken(node: RunningNode, resumeToken = ''): Promise<string> {
  const channel = createChannel(node.address);
  try {
    let token = '';
    const stream = createClient(ComputeServiceDefinition, channel).watchServers({
      location: { cloud: 'kcloud' },
      resumeToken,
    });
    await within(
      (async () => {
        for await (const message of stream) token = message.resumeToken;
      })(),
      10_000,
      'the watch',
    );
    return token;
  } finally {
    channel.close();
  }
}

const skip = skipUnlessInstalled([REDIS_SERVER], 'apt-get install -y redis-server');

describe('the watch-token key shared by replicas', { skip, timeout: 60_000 }, () => {
  let redis: TestRedis;
  const open: Array<{ close(): Promise<void> }> = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const thing of open.reverse()) await thing.close();
    await redis.close();
  });

  test('through Redis: a token from replica A resumes on replica B, and on a replica started later', async () => {
    const resumedFrom: string[] = [];
    const [servicesA, servicesB] = await Promise.all([
      startNodeServices({ redis: redis.url, nodeId: 'n' }),
      startNodeServices({ redis: redis.url, nodeId: 'n' }),
    ]);
    open.push(servicesA, servicesB);
    const a = await replica(servicesA, resumedFrom, 'n-a');
    const b = await replica(servicesB, resumedFrom, 'n-b');
    open.push({ close: () => a.close(200) }, { close: () => b.close(200) });

    const token = await lastToken(a);
    assert.ok(token, 'replica A issued a token');
    await lastToken(b, token); // OUT_OF_RANGE ("an earlier run") when B signs with another key
    assert.deepEqual(resumedFrom, ['', 'E1.7'], "B resumed from the position in A's token");

    // A restart: new services, new process state; the key is still the one in Redis.
    const servicesC = await startNodeServices({ redis: redis.url, nodeId: 'n' });
    open.push(servicesC);
    assert.equal(servicesC.watchTokenKey.id, servicesA.watchTokenKey.id);
  });

  test('from a secret file: the same key for every replica; a short secret is refused without showing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oaktree-key-'));
    try {
      const file = join(dir, 'watch-token.key');
      await writeFile(file, 'a shared secret of more than sixteen bytes\n');
      const [one, two] = await Promise.all([
        startNodeServices({ watchTokenSecretFile: file }),
        startNodeServices({ watchTokenSecretFile: file }),
      ]);
      open.push(one, two);
      assert.equal(one.watchTokenKey.id, two.watchTokenKey.id);
      // The file wins over Redis: a node that moves to a file keeps the file's key.
      const withRedis = await startNodeServices({ watchTokenSecretFile: file, redis: redis.url });
      open.push(withRedis);
      assert.equal(withRedis.watchTokenKey.id, one.watchTokenKey.id);

      await writeFile(file, 'short-secret\n');
      await assert.rejects(startNodeServices({ watchTokenSecretFile: file }), (error: Error) => {
        assert.match(error.message, /at least 16 bytes/);
        assert.doesNotMatch(error.message, /short-secret/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
