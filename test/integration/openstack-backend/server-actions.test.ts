// Server actions end to end on the simulator: through a chain of three nodes, a server that goes to ERROR during
// an action (ABORTED with the fault, the server reported), bad input codes, and what waiting costs the cloud
// (the shared poller: no GET per waiter per interval).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { createOpenStackBackend } from '../../../src/backends/openstack/backend.ts';
import {
  FloatingIPMode,
  ServerActionStage,
  ServerStatus,
  type RunServerActionResponse,
} from '../../../src/gen/oaktree/v1/compute.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { startMesh, type Mesh } from '../../support/mesh.ts';
import { clients } from '../../support/node.ts';
import { collect, startHarness, type Harness } from './harness.ts';

const where = { cloud: 'acts', region: 'RegionOne' };

async function failure(promise: Promise<unknown>): Promise<ServerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServerError || (error as { code?: unknown }).code !== undefined, String(error));
    return error as ServerError;
  }
  assert.fail('the call succeeded');
}

describe('server actions', { timeout: 120_000 }, () => {
  let h: Harness;
  let mesh: Mesh;
  let top: ReturnType<typeof clients>;

  before(async () => {
    h = await startHarness({
      clouds: [{ name: 'acts', regions: ['RegionOne'], bootDelayMs: 100, actionDelayMs: 1_500 }],
    });
    // top -> middle -> leaf, where only the leaf has the cloud.
    mesh = await startMesh([
      { id: 'leaf', backends: h.clouds.map((cloud) => createOpenStackBackend(cloud, { logger: silentLogger() })) },
      { id: 'middle', peers: ['leaf'] },
      { id: 'top', peers: ['middle'] },
    ]);
    top = clients(mesh.address('top'));
  });
  after(async () => {
    top?.close();
    await mesh?.close();
    await h?.close();
  });

  const boot = async (name: string) => {
    const messages = await collect(
      h.clients.compute.createServer({
        location: where,
        name,
        image: 'cirros-0.6.2-x86_64-disk',
        flavor: 'm1.tiny',
        floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
        wait: true,
      }),
    );
    return messages.at(-1)!.server!;
  };

  test('an action two hops away streams its progress and ends DONE, the server found by name', async () => {
    await boot('meshed');
    const messages = await collect(
      top.compute.runServerAction({
        location: where,
        nameOrId: 'meshed',
        action: { $case: 'suspend', value: {} },
        wait: true,
      }),
    );
    const stages = messages.map((m) => m.stage);
    assert.equal(stages[0], ServerActionStage.SERVER_ACTION_STAGE_ACCEPTED);
    assert.equal(stages.at(-1), ServerActionStage.SERVER_ACTION_STAGE_DONE);
    assert.equal(messages[0].server?.properties.task_state, 'suspending', 'accepted while nova works on it');
    assert.equal(messages.at(-1)?.server?.status, ServerStatus.SERVER_STATUS_SUSPENDED);
    assert.equal(messages.at(-1)?.server?.location?.cloud, 'acts');
  });

  test('a server that goes to ERROR during an action: FAILED with the fault, then ABORTED; the server is still listed', async () => {
    const server = await boot('doomed-action');
    h.sim.faults.add({ kind: 'server-error', namePattern: '^doomed-action$', count: 1, message: 'Hypervisor lost' });
    const seen: RunServerActionResponse[] = [];
    const error = await failure(
      (async () => {
        for await (const m of h.clients.compute.runServerAction({
          location: where,
          nameOrId: server.id,
          action: { $case: 'reboot', value: { hard: true } },
          wait: true,
        }))
          seen.push(m);
      })(),
    );
    assert.equal(error.code, Status.ABORTED, error.details);
    assert.match(
      error.details,
      /reboot of server doomed-action .* ended ERROR.*: Hypervisor lost; the server still exists/,
    );
    assert.equal(seen.at(-1)?.stage, ServerActionStage.SERVER_ACTION_STAGE_FAILED);
    assert.equal(seen.at(-1)?.server?.fault?.message, 'Hypervisor lost');
    const { server: listed } = await h.clients.compute.getServer({ location: where, nameOrId: server.id, fresh: true });
    assert.equal(listed?.status, ServerStatus.SERVER_STATUS_ERROR);
  });

  test('bad input: no action, a resize without a flavor, an action on two regions at once', async () => {
    const none = await failure(collect(h.clients.compute.runServerAction({ location: where, nameOrId: 'meshed' })));
    assert.equal(none.code, Status.INVALID_ARGUMENT);
    assert.match(none.details, /action is required/);
    const noFlavor = await failure(
      collect(
        h.clients.compute.runServerAction({
          location: where,
          nameOrId: 'meshed',
          action: { $case: 'resize', value: { flavor: '', autoConfirm: false } },
        }),
      ),
    );
    assert.equal(noFlavor.code, Status.INVALID_ARGUMENT);
    assert.match(noFlavor.details, /resize\.flavor is required/);
    const missing = await failure(
      collect(
        h.clients.compute.runServerAction({
          location: where,
          nameOrId: 'no-such-server',
          action: { $case: 'stop', value: {} },
        }),
      ),
    );
    assert.equal(missing.code, Status.NOT_FOUND);
    const snapshotNoName = await failure(
      collect(h.clients.compute.snapshotServer({ location: where, nameOrId: 'meshed', imageName: ' ' })),
    );
    assert.equal(snapshotNoName.code, Status.INVALID_ARGUMENT);
  });

  test('a retried snapshot with the same request_id makes one image and answers with it', async () => {
    const server = await boot('snapper');
    const snapshot = () =>
      collect(
        h.clients.compute.snapshotServer({
          location: where,
          nameOrId: server.id,
          imageName: 'snapper-once',
          requestId: 'snap-request-1',
        }),
      );
    const [first, retried] = [await snapshot(), await snapshot()];
    assert.equal(retried[0].image?.id, first[0].image?.id);
    const images = await collect(h.clients.image.listImages({ location: where, nameOrId: 'snapper-once' }));
    assert.equal(images.filter((i) => i.item?.$case === 'image').length, 1);
  });

  test('capabilities list every action and the options the compute microversion allows', async () => {
    const [item] = await collect(h.clients.capabilities.listCapabilities({ location: where, strict: true }));
    const compute = item.item?.$case === 'capabilities' ? item.item.value.compute : undefined;
    assert.ok(compute, 'the location has compute');
    for (const name of ['reboot', 'resize', 'confirm_resize', 'shelve_offload', 'snapshot', 'update'])
      assert.ok(compute.serverActions.includes(name), name);
    const mv =
      item.item?.$case === 'capabilities' ? item.item.value.services.find((s) => s.type === 'compute') : undefined;
    assert.ok(mv?.microversion, 'the negotiated microversion is reported');
    const [major, minor] = mv.microversion.split('.').map(Number);
    assert.equal(compute.serverActionOptions.includes('lock_reason'), major > 2 || minor >= 73);
    assert.equal(compute.serverActionOptions.includes('server_description'), major > 2 || minor >= 19);
  });

  test('five concurrent waits cost one shared server list per poll, not a GET per waiter per interval', async () => {
    const servers = await Promise.all([1, 2, 3, 4, 5].map((i) => boot(`crowd-${i}`)));
    const stats = h.sim.stats();
    stats.reset();
    const started = Date.now();
    const done = await Promise.all(
      servers.map((s) =>
        collect(
          h.clients.compute.runServerAction({
            location: where,
            nameOrId: s.id,
            action: { $case: 'stop', value: {} },
            wait: true,
          }),
        ),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    for (const messages of done) assert.equal(messages.at(-1)?.server?.status, ServerStatus.SERVER_STATUS_STOPPED);
    const after = h.sim.stats().byRoute;
    const gets = after['acts/compute GET /servers/{id}'] ?? 0;
    const lists = after['acts/compute GET /servers/detail'] ?? 0;
    // Each action: the node's lookup by id, the handler's, and one after nova accepted it; nothing per interval
    // (the action takes 1.5 s: a wait of its own at the 1 s fast interval would add at least one more each).
    assert.ok(gets <= 3 * servers.length, `GET /servers/{id}: ${gets}`);
    // One poller for the region, at the fast interval (1 s), however many wait.
    assert.ok(lists <= Math.ceil(seconds) + 3, `GET /servers/detail: ${lists} in ${seconds.toFixed(1)} s`);
    console.log(`# 5 concurrent stop+wait: ${seconds.toFixed(1)} s, ${gets} GET /servers/{id}, ${lists} server lists`);
  });
});
