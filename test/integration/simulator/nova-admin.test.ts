// Nova admin behaviour the fidelity suite cannot compare with the shared real cloud: remote consoles (the real
// cloud's fake driver has no console proxy), bad create input leaving nothing behind, hypervisor usage counts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Session, simulatorTarget } from '../../support/fidelity.ts';
import { eventually } from '../../support/wait.ts';

const TIMEOUT = { timeout: 30_000 };
let env: Awaited<ReturnType<typeof simulatorTarget>>;
before(async () => {
  env = await simulatorTarget();
});
after(async () => {
  await env.cleanup();
  await env.sim.close();
});

const nova = (who: Session, method: string, path: string, body?: unknown, mv = '2.1') =>
  env.target.call(who, 'compute', method, path, body, { 'openstack-api-version': `compute ${mv}` });

async function boot(name: string, extra: Record<string, unknown> = {}) {
  const m = env.target.member;
  const images = (await env.target.call(m, 'image', 'GET', '/v2/images?status=active')).body.images;
  const res = await nova(
    m,
    'POST',
    '/servers',
    {
      server: { name, imageRef: images[0].id, flavorRef: '1', networks: 'none', ...extra },
    },
    '2.37',
  );
  return res;
}

describe('nova admin on the simulator', () => {
  it('remote consoles: by protocol and type from 2.6, 404 before, 400 on a bad pair', TIMEOUT, async () => {
    const created = await boot('console-server');
    assert.equal(created.status, 202);
    const id = created.body.server.id;
    const m = env.target.member;
    await eventually(async () => (await nova(m, 'GET', `/servers/${id}`)).body.server.status === 'ACTIVE', 'ACTIVE');
    const path = `/servers/${id}/remote-consoles`;
    const vnc = await nova(m, 'POST', path, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.6');
    assert.equal(vnc.status, 200);
    assert.equal(vnc.body.remote_console.protocol, 'vnc');
    assert.match(vnc.body.remote_console.url, /^http:\/\/127\.0\.0\.1:6080\/vnc_auto\.html\?path=/);
    assert.equal(
      (await nova(m, 'POST', path, { remote_console: { protocol: 'vnc', type: 'novnc' } }, '2.5')).status,
      404,
    );
    const bad = await nova(m, 'POST', path, { remote_console: { protocol: 'vnc', type: 'spice-html5' } }, '2.6');
    assert.equal(bad.status, 400);
    assert.match(bad.body.badRequest.message, /type/);
    assert.equal(
      (await nova(m, 'POST', path, { remote_console: { protocol: 'mks', type: 'webmks' } }, '2.6')).status,
      400,
    );
    assert.equal(
      (await nova(m, 'POST', path, { remote_console: { protocol: 'mks', type: 'webmks' } }, '2.8')).status,
      200,
    );
  });

  it('a bad config_drive is a 400 and creates nothing; the default is ""', TIMEOUT, async () => {
    const m = env.target.member;
    const before = (await nova(m, 'GET', '/servers')).body.servers.length;
    const bad = await boot('bad-drive', { config_drive: 'perhaps' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.badRequest.message, /config_drive/);
    assert.equal((await nova(m, 'GET', '/servers')).body.servers.length, before);
    const plain = await boot('no-drive');
    const shown = await nova(m, 'GET', `/servers/${plain.body.server.id}`);
    assert.equal(shown.body.server.config_drive, '');
    assert.equal('OS-EXT-SRV-ATTR:host' in shown.body.server, false, 'a member sees no admin attributes');
  });

  it('the image proxy names the server a snapshot came from', TIMEOUT, async () => {
    const m = env.target.member;
    const made = await env.target.call(m, 'image', 'POST', '/v2/images', {
      name: 'snap',
      disk_format: 'qcow2',
      container_format: 'bare',
      instance_uuid: '11111111-2222-3333-4444-555555555555',
    });
    assert.equal(made.status, 201);
    const shown = await nova(m, 'GET', `/images/${made.body.id}`);
    assert.equal(shown.body.image.server.id, '11111111-2222-3333-4444-555555555555');
    assert.equal(shown.body.image.status, 'SAVING');
  });

  it(
    'os-services: an admin disables the compute service with a reason (2.53) and enables it again',
    TIMEOUT,
    async () => {
      const a = env.target.admin;
      const services = (await nova(a, 'GET', '/os-services?binary=nova-compute', undefined, '2.53')).body.services;
      assert.equal(services.length, 1);
      const path = `/os-services/${services[0].id}`;
      const off = await nova(a, 'PUT', path, { status: 'disabled', disabled_reason: 'maintenance' }, '2.53');
      assert.equal(off.status, 200);
      assert.deepEqual([off.body.service.status, off.body.service.disabled_reason], ['disabled', 'maintenance']);
      const hv = (await nova(a, 'GET', '/os-hypervisors/detail', undefined, '2.53')).body.hypervisors[0];
      assert.deepEqual([hv.status, hv.service.disabled_reason], ['disabled', 'maintenance']);
      assert.equal((await nova(a, 'PUT', path, { status: 'enabled', disabled_reason: 'x' }, '2.53')).status, 400);
      assert.equal((await nova(a, 'PUT', path, { status: 'enabled' }, '2.53')).body.service.status, 'enabled');
      assert.equal((await nova(a, 'PUT', path, { status: 'enabled' }, '2.52')).status, 404);
      assert.equal((await nova(env.target.member, 'PUT', path, { status: 'enabled' }, '2.53')).status, 403);
    },
  );

  it("hypervisor detail counts the region's servers; admins lower a project's quota", TIMEOUT, async () => {
    const a = env.target.admin;
    const count = async () => (await nova(a, 'GET', '/os-hypervisors/detail')).body.hypervisors[0].running_vms;
    const start = await count();
    await boot('counted');
    assert.equal(await count(), start + 1);
    const id = env.target.member.projectId;
    const put = await nova(a, 'PUT', `/os-quota-sets/${id}`, { quota_set: { instances: 3 } });
    assert.equal(put.status, 200);
    assert.equal(put.body.quota_set.instances, 3);
    const detail = await nova(env.target.member, 'GET', `/os-quota-sets/${id}/detail`);
    assert.equal(detail.body.quota_set.instances.limit, 3);
    assert.ok(detail.body.quota_set.instances.in_use >= 1);
    assert.equal((await nova(a, 'DELETE', `/os-quota-sets/${id}`)).status, 202);
    assert.equal((await nova(a, 'GET', `/os-quota-sets/${id}`)).body.quota_set.instances, 1000);
  });
});
