// Server actions on a cloud that speaks an old compute microversion (2.44): options it lacks are
// FAILED_PRECONDITION naming the microversion they need, and a snapshot's image id comes from the Location header
// (nova puts it in the body only from 2.45).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Status } from 'nice-grpc-common';
import { FloatingIPMode, ServerActionStage } from '../../../src/gen/oaktree/v1/compute.ts';
import { ImageStatus } from '../../../src/gen/oaktree/v1/image.ts';
import { collect, startHarness, type Harness } from './harness.ts';

const where = { cloud: 'old', region: 'RegionOne' };

describe('server actions at compute 2.44', { timeout: 60_000 }, () => {
  let h: Harness;
  let serverId: string;

  before(async () => {
    h = await startHarness({
      clouds: [{ name: 'old', regions: ['RegionOne'], bootDelayMs: 50, actionDelayMs: 100 }],
      backend: { session: { computeMicroversions: { min: '2.1', max: '2.44' } } },
    });
    const created = await collect(
      h.clients.compute.createServer({
        location: where,
        name: 'vintage',
        image: 'cirros-0.6.2-x86_64-disk',
        flavor: 'm1.tiny',
        floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
        wait: true,
      }),
    );
    serverId = created.at(-1)!.server!.id;
  });
  after(() => h?.close());

  test('a lock reason and a rebuild keypair are FAILED_PRECONDITION naming the microversion; nothing is done', async () => {
    const lock = await collect(
      h.clients.compute.runServerAction({
        location: where,
        nameOrId: serverId,
        action: { $case: 'lock', value: { reason: 'audit' } },
      }),
    ).catch((e) => e);
    assert.equal(lock.code, Status.FAILED_PRECONDITION);
    assert.match(lock.details, /a lock reason needs compute microversion 2\.73; old\/RegionOne .* offers 2\.44/);
    const rebuild = await collect(
      h.clients.compute.runServerAction({
        location: where,
        nameOrId: serverId,
        action: {
          $case: 'rebuild',
          value: { image: 'cirros-0.6.2-x86_64-disk', name: '', replaceMetadata: false, metadata: {}, keyName: 'k' },
        },
      }),
    ).catch((e) => e);
    assert.equal(rebuild.code, Status.FAILED_PRECONDITION);
    assert.match(rebuild.details, /2\.54/);
    // Not locked: a stop goes through (a locked server refuses it).
    const stopped = await collect(
      h.clients.compute.runServerAction({
        location: where,
        nameOrId: serverId,
        action: { $case: 'stop', value: {} },
        wait: true,
      }),
    );
    assert.equal(stopped.at(-1)?.stage, ServerActionStage.SERVER_ACTION_STAGE_DONE);
  });

  test('a snapshot finds its image through the Location header and waits until it is ACTIVE', async () => {
    const messages = await collect(
      h.clients.compute.snapshotServer({ location: where, nameOrId: serverId, imageName: 'vintage-snap', wait: true }),
    );
    assert.equal(messages[0].stage, ServerActionStage.SERVER_ACTION_STAGE_ACCEPTED);
    assert.equal(messages[0].image?.name, 'vintage-snap');
    assert.equal(messages.at(-1)?.stage, ServerActionStage.SERVER_ACTION_STAGE_DONE);
    assert.equal(messages.at(-1)?.image?.status, ImageStatus.IMAGE_STATUS_ACTIVE);
  });
});
