// Server actions: what the simulator's nova answers, compared with what the real cloud (Debian 12's Zed with the
// fake driver, on loopback) answered to the same requests at compute 2.79 (recorded 2026-12-04). Each divergence
// found was fixed in the simulator: unknown resize flavor message, rescue's 200, createImage's missing-name
// message, a rescued server's power state.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startSimulator } from '../../../src/simulator/index.ts';
import { eventually } from '../../support/wait.ts';

const sim = await startSimulator({
  clouds: [{ name: 'fid-actions', regions: ['RegionOne'], bootDelayMs: 0, actionDelayMs: 400 }],
});
after(() => sim.close());
const cloud = sim.clouds[0];

const auth = await (async () => {
  const res = await fetch(`${cloud.authUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'demo', domain: { id: 'default' }, password: 'secret' } },
        },
        scope: { project: { name: 'demo', domain: { id: 'default' } } },
      },
    }),
  });
  const body = (await res.json()) as any;
  return { token: res.headers.get('x-subject-token')!, catalog: body.token.catalog as any[] };
})();
const endpoint = (type: string) =>
  auth.catalog.find((s) => s.type === type).endpoints.find((e: any) => e.interface === 'public').url as string;
const compute = endpoint('compute');
const headers = {
  'x-auth-token': auth.token,
  'content-type': 'application/json',
  'openstack-api-version': 'compute 2.79',
};

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${compute}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const show = async (id: string) => (await call('GET', `/servers/${id}`)).body.server;
const action = (id: string, body: unknown) => call('POST', `/servers/${id}/action`, body);

async function bootServer(name: string): Promise<{ id: string; flavorId: string }> {
  const images = (await (await fetch(`${endpoint('image')}/v2/images`, { headers })).json()) as any;
  const flavors = (await call('GET', '/flavors')).body.flavors;
  const flavorId = flavors.find((f: any) => f.name === 'm1.tiny').id;
  const created = await call('POST', '/servers', {
    server: { name, imageRef: images.images[0].id, flavorRef: flavorId, networks: 'auto' },
  });
  const id = created.body.server.id;
  await eventually(async () => (await show(id)).status === 'ACTIVE', 'the server is ACTIVE');
  return { id, flavorId };
}

test('refusals: 409 conflictingRequest naming the vm_state, the task_state or the lock; 400 for a bad resize', {
  timeout: 30_000,
}, async () => {
  const { id, flavorId } = await bootServer('fid-refusals');
  assert.deepEqual(await action(id, { 'os-start': null }), {
    status: 409,
    body: {
      conflictingRequest: { code: 409, message: `Cannot 'start' instance ${id} while it is in vm_state active` },
    },
  });
  assert.deepEqual((await action(id, { resize: { flavorRef: flavorId } })).body, {
    badRequest: { code: 400, message: 'When resizing, instances must change flavor!' },
  });
  assert.deepEqual((await action(id, { resize: { flavorRef: 'nope' } })).body, {
    badRequest: { code: 400, message: 'Flavor nope could not be found.' },
  });
  assert.deepEqual((await action(id, { createImage: {} })).body, {
    badRequest: {
      code: 400,
      message: "Invalid input for field/attribute createImage. Value: {}. 'name' is a required property",
    },
  });
  assert.deepEqual((await action(id, { bogus: null })).body, {
    badRequest: { code: 400, message: 'There is no such action: bogus' },
  });

  assert.equal((await action(id, { reboot: { type: 'SOFT' } })).status, 202);
  const rebooting = await show(id);
  assert.deepEqual(
    [rebooting.status, rebooting['OS-EXT-STS:task_state'], rebooting['OS-EXT-STS:vm_state']],
    ['REBOOT', 'rebooting', 'active'],
  );
  assert.equal(
    (await action(id, { pause: null })).body.conflictingRequest.message,
    `Cannot 'pause' instance ${id} while it is in task_state rebooting`,
  );
  await eventually(async () => (await show(id))['OS-EXT-STS:task_state'] === null, 'the reboot is over');

  assert.equal((await action(id, { lock: { locked_reason: 'fid' } })).status, 202);
  const locked = await show(id);
  assert.deepEqual([locked.locked, locked.locked_reason], [true, 'fid']);
  assert.equal((await action(id, { 'os-stop': null })).body.conflictingRequest.message, `Instance ${id} is locked`);
  assert.equal((await action(id, { unlock: null })).status, 202);
  assert.equal((await call('PUT', `/servers/${id}`, { server: { description: 'd1' } })).body.server.description, 'd1');
});

test('rescue answers 200 with adminPass; ACTIVE/rescuing, then RESCUE with vm_state rescued and power_state 4', {
  timeout: 30_000,
}, async () => {
  const { id } = await bootServer('fid-rescue');
  const rescued = await action(id, { rescue: null });
  assert.equal(rescued.status, 200);
  assert.equal(typeof rescued.body.adminPass, 'string');
  const during = await show(id);
  assert.deepEqual([during.status, during['OS-EXT-STS:task_state']], ['ACTIVE', 'rescuing']);
  await eventually(async () => (await show(id)).status === 'RESCUE', 'rescued');
  const after = await show(id);
  assert.deepEqual(
    [after.status, after['OS-EXT-STS:task_state'], after['OS-EXT-STS:vm_state'], after['OS-EXT-STS:power_state']],
    ['RESCUE', null, 'rescued', 4],
  );
  assert.equal(
    (await action(id, { confirmResize: null })).body.conflictingRequest.message,
    `Cannot 'confirmResize' instance ${id} while it is in vm_state rescued`,
  );
});

test('shelve goes straight to SHELVED_OFFLOADED (power_state 4) with a "<name>-shelved" image, removed on unshelve', {
  timeout: 30_000,
}, async () => {
  const { id } = await bootServer('fid-shelve');
  const images = async () =>
    ((await (await fetch(`${endpoint('image')}/v2/images`, { headers })).json()) as any).images.map((i: any) => i.name);
  assert.equal((await action(id, { shelve: null })).status, 202);
  await eventually(async () => (await show(id))['OS-EXT-STS:task_state'] === null, 'shelved');
  const shelved = await show(id);
  assert.deepEqual(
    [shelved.status, shelved['OS-EXT-STS:vm_state'], shelved['OS-EXT-STS:power_state']],
    ['SHELVED_OFFLOADED', 'shelved_offloaded', 4],
  );
  assert.ok((await images()).includes('fid-shelve-shelved'));
  assert.equal((await action(id, { unshelve: null })).status, 202);
  await eventually(async () => (await show(id)).status === 'ACTIVE', 'unshelved');
  assert.ok(!(await images()).includes('fid-shelve-shelved'));
});
