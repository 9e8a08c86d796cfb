// The floating-IP functions the compute handlers call (ensureFloatingIpForServer, floatingIpsOfServer,
// deleteFloatingIpsOfServer) and the finders, against the simulator through the real transport.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { FloatingIPMode } from '../../../src/gen/oaktree/v1/compute.ts';
import {
  deleteFloatingIpsOfServer,
  ensureFloatingIpForServer,
  floatingIpsOfServer,
} from '../../../src/backends/openstack/network/floating-ips.ts';
import {
  forgetInterestingNetworks,
  interestingNetworks,
} from '../../../src/backends/openstack/network/interesting-cache.ts';
import { findNetwork } from '../../../src/backends/openstack/network/find.ts';
import { findImage } from '../../../src/backends/openstack/image/find.ts';
import type { RegionContext } from '../../../src/backends/openstack/region.ts';
import { startHarness, type Harness } from './harness.ts';
import { Direct, regionContext } from './network-helpers.ts';

let h: Harness;
let direct: Direct;
let ctx: RegionContext;

before(async () => {
  h = await startHarness({ clouds: [{ name: 'alpha', regions: ['RegionOne'], bootDelayMs: 100 }] });
  direct = new Direct(h, 'alpha', 'RegionOne');
  await direct.session.authenticate();
  ctx = regionContext(h, direct, 'alpha');
});
after(async () => {
  direct?.close();
  await h?.close();
});

const count = (route: string) => h.sim.stats().byRoute[`alpha/network ${route}`] ?? 0;

test('interesting networks of the simulator: public is the floating network, private the NAT destination; cached', async () => {
  forgetInterestingNetworks(ctx);
  const before = count('GET /networks');
  const nets = await interestingNetworks(ctx);
  await interestingNetworks(ctx);
  assert.equal(count('GET /networks') - before, 1, 'one network list for both calls');
  assert.deepEqual(
    nets.floatingIpv4.map((n) => n.name),
    ['public'],
  );
  assert.equal(nets.natDestination?.name, 'private');
  assert.deepEqual(
    nets.externalIpv4.map((n) => n.name),
    ['public'],
  );
});

test('AUTO gives a private server one floating IP, bound at creation in one POST; a second call reuses it', async () => {
  const server = await direct.server('auto-1');
  const posts = count('POST /floatingips');
  const puts = count('PUT /floatingips/{id}');
  const fip = await ensureFloatingIpForServer(ctx, server, FloatingIPMode.FLOATING_IP_MODE_AUTO);
  assert.ok(fip);
  assert.equal(fip.isAttached, true);
  assert.equal(fip.serverId, server.id);
  assert.equal(fip.fixedIpAddress, server.addresses.private[0].addr);
  assert.equal(count('POST /floatingips') - posts, 1);
  assert.equal(count('PUT /floatingips/{id}') - puts, 0, 'never create-then-attach');

  const again = await ensureFloatingIpForServer(ctx, server, FloatingIPMode.FLOATING_IP_MODE_UNSPECIFIED);
  assert.equal(again?.id, fip.id);
  assert.equal(count('POST /floatingips') - posts, 1);

  const listed = await floatingIpsOfServer(ctx, server.id);
  assert.deepEqual(
    listed.map((f) => f.floatingIpAddress),
    [fip.floatingIpAddress],
  );
  assert.equal(await deleteFloatingIpsOfServer(ctx, server.id), 1);
  assert.deepEqual(await floatingIpsOfServer(ctx, server.id), []);
  assert.equal(await deleteFloatingIpsOfServer(ctx, server.id), 0);
});

test('NONE never, a server already on the external network needs none, ALWAYS still gives one', async () => {
  const server = await direct.server('auto-2');
  assert.equal(await ensureFloatingIpForServer(ctx, server, FloatingIPMode.FLOATING_IP_MODE_NONE), undefined);
  // As if nova reported the server on the public network: AUTO sees a public address and skips.
  const onPublic = {
    ...server,
    addresses: { public: [{ addr: '172.24.4.77', version: 4, 'OS-EXT-IPS:type': 'fixed' }] },
  };
  assert.equal(await ensureFloatingIpForServer(ctx, onPublic, FloatingIPMode.FLOATING_IP_MODE_AUTO), undefined);
  const forced = await ensureFloatingIpForServer(ctx, onPublic, FloatingIPMode.FLOATING_IP_MODE_ALWAYS);
  assert.equal(forced?.serverId, server.id);
  assert.equal(await deleteFloatingIpsOfServer(ctx, server.id), 1);
});

test('floating_ip_source None: AUTO gives none, ALWAYS is FAILED_PRECONDITION; requires_floating_ip: false gives none', async () => {
  const server = await direct.server('auto-3');
  const noFips = regionContext(h, direct, 'alpha', (rc) => ({ ...rc, floatingIpSource: null }));
  const posts = count('POST /floatingips');
  assert.equal(await ensureFloatingIpForServer(noFips, server, FloatingIPMode.FLOATING_IP_MODE_AUTO), undefined);
  await assert.rejects(
    ensureFloatingIpForServer(noFips, server, FloatingIPMode.FLOATING_IP_MODE_ALWAYS),
    (e: any) => e.grpcCode === Status.FAILED_PRECONDITION,
  );
  const notRequired = regionContext(h, direct, 'alpha', (rc) => ({ ...rc, requiresFloatingIp: false }));
  assert.equal(await ensureFloatingIpForServer(notRequired, server, FloatingIPMode.FLOATING_IP_MODE_AUTO), undefined);
  assert.equal(count('POST /floatingips'), posts, 'nothing was created');
});

test('a nat_destination that does not exist is FAILED_PRECONDITION naming it', async () => {
  const server = await direct.server('auto-4');
  const wrong = regionContext(h, direct, 'alpha', (rc) => ({ ...rc, natDestination: 'no-such-net' }));
  // A separate session: the classification cache is per session and region.
  const other = new Direct(h, 'alpha', 'RegionOne');
  try {
    await other.session.authenticate();
    const wrongCtx = { ...wrong, session: other.session };
    await assert.rejects(
      ensureFloatingIpForServer(wrongCtx, server, FloatingIPMode.FLOATING_IP_MODE_AUTO),
      (e: any) => e.grpcCode === Status.FAILED_PRECONDITION && /no-such-net/.test(e.message),
    );
  } finally {
    other.close();
  }
});

test('findNetwork and findImage: by name, by id, NOT_FOUND, and INVALID_ARGUMENT naming candidates', async () => {
  const priv = await findNetwork(ctx, 'private');
  assert.equal((await findNetwork(ctx, priv.id)).name, 'private');
  await assert.rejects(findNetwork(ctx, 'nope'), (e: any) => e.grpcCode === Status.NOT_FOUND);
  await direct.body('network', 'POST', '/networks', { network: { name: 'twin' } });
  await direct.body('network', 'POST', '/networks', { network: { name: 'twin' } });
  await assert.rejects(
    findNetwork(ctx, 'twin'),
    (e: any) => e.grpcCode === Status.INVALID_ARGUMENT && /2 networks match "twin"/.test(e.message),
  );
  const image = await findImage(ctx, 'cirros-0.6.2-x86_64-disk');
  assert.equal(image.status, 'active');
  assert.equal(image.minDiskGb, 0);
  assert.equal((await findImage(ctx, image.id)).name, 'cirros-0.6.2-x86_64-disk');
  await assert.rejects(findImage(ctx, 'nope'), (e: any) => e.grpcCode === Status.NOT_FOUND);
});
