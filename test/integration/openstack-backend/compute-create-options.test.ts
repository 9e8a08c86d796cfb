// CreateServer's options end to end: boot from volume, user data, keypair, security groups, explicit networks,
// zone from the selector, floating IP failure cleanup, deadlines, and an old (2.1) compute microversion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import type { ClientError } from 'nice-grpc';
import { CreateServerStage, FloatingIPMode, ServerStatus } from '../../../src/gen/oaktree/v1/compute.ts';
import { collect, startHarness, type Harness } from './harness.ts';

const alpha1 = { cloud: 'alpha', region: 'RegionOne', zone: '', project: undefined };
const beta1 = { cloud: 'beta', region: 'RegionOne', zone: '', project: undefined };
const IMAGE = 'cirros-0.6.2-x86_64-disk';

describe('create server options', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      clouds: [
        { name: 'alpha', regions: ['RegionOne'], bootDelayMs: 100 },
        { name: 'beta', regions: ['RegionOne'], bootDelayMs: 100 },
      ],
      editCloudsYaml(yaml) {
        yaml.clouds.beta.floating_ip_source = 'None';
      },
    });
  });
  after(() => h?.close());

  test('boot from volume with keypair, user data, security group, network by name and zone from the selector', async () => {
    await h.clients.compute.createKeypair({ location: alpha1, name: 'k1' });
    const messages = await collect(
      h.clients.compute.createServer({
        location: { ...alpha1, zone: 'nova' },
        name: 'bfv',
        image: IMAGE,
        flavor: 'm1.small',
        bootFromVolume: true,
        bootVolumeSizeGb: 3,
        keyName: 'k1',
        userData: '#cloud-config\npackages: [nginx]\n',
        securityGroups: ['default'],
        networks: ['private'],
        floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
        wait: true,
      }),
    );
    const server = messages.at(-1)!.server!;
    assert.equal(messages.at(-1)!.stage, CreateServerStage.CREATE_SERVER_STAGE_READY);
    assert.equal(server.image?.id, '', 'booted from volume: no image');
    assert.equal(server.volumes.length, 1);
    assert.equal(server.volumes[0].deleteOnTermination, true);
    assert.equal(server.keyName, 'k1');
    assert.deepEqual(server.securityGroups, ['default']);
    assert.equal(server.location?.zone, 'nova');
    assert.equal(server.publicV4, '', 'NONE: no floating IP');
    assert.ok(server.addresses.every((a) => a.network === 'private'));
    const volumes = await collect(h.clients.volume.listVolumes({ location: alpha1 }));
    const vol = volumes.find((v) => v.item?.$case === 'volume' && v.item.value.id === server.volumes[0].id);
    if (vol?.item?.$case === 'volume') assert.equal(vol.item.value.sizeGb, 3);
  });

  test('an unknown zone or network is refused before anything is made', async () => {
    await assert.rejects(
      collect(
        h.clients.compute.createServer({
          location: alpha1,
          name: 'nz',
          image: IMAGE,
          flavor: 'm1.tiny',
          networks: ['no-such-net'],
        }),
      ),
      (e: ClientError) => e.code === Status.INVALID_ARGUMENT && /no-such-net/.test(e.details),
    );
    await assert.rejects(
      collect(
        h.clients.compute.createServer({
          location: alpha1,
          name: 'nz',
          image: IMAGE,
          flavor: 'm1.tiny',
          availabilityZone: 'mars',
        }),
      ),
      (e: ClientError) => e.code === Status.INVALID_ARGUMENT,
    );
    assert.equal((await collect(h.clients.compute.listServers({ location: alpha1, nameOrId: 'nz' }))).length, 0);
  });

  test('ALWAYS on a cloud without floating IPs: the server made for the call is deleted and the error says so', async () => {
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const m of h.clients.compute.createServer({
          location: beta1,
          name: 'needs-ip',
          image: IMAGE,
          flavor: 'm1.tiny',
          floatingIp: FloatingIPMode.FLOATING_IP_MODE_ALWAYS,
          wait: true,
        }))
          seen.push(m.stage);
      })(),
      (e: ClientError) =>
        /floating IP/.test(e.details) && /server .* was deleted/.test(e.details) && e.code !== Status.UNKNOWN,
    );
    assert.ok(seen.includes(CreateServerStage.CREATE_SERVER_STAGE_ATTACHING_FLOATING_IP));
    const left = await collect(h.clients.compute.listServers({ location: beta1, nameOrId: 'needs-ip' }));
    assert.equal(left.length, 0);
  });

  test('a client that cancels during the wait stops the polling; the server remains', async () => {
    h.sim.faults.add({ kind: 'latency', ms: 30, cloud: 'alpha', service: 'compute' });
    const abort = new AbortController();
    const call = (async () => {
      for await (const m of h.clients.compute.createServer(
        {
          location: alpha1,
          name: 'slow',
          image: IMAGE,
          flavor: 'm1.tiny',
          wait: true,
          floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
        },
        { signal: abort.signal },
      )) {
        if (m.stage === CreateServerStage.CREATE_SERVER_STAGE_ACCEPTED) abort.abort();
      }
    })();
    await assert.rejects(call, (e: Error) => e.name === 'AbortError');
    h.sim.faults.clear();
    await new Promise((r) => setTimeout(r, 150)); // requests already on the wire land (nothing announces them)
    const polls = () =>
      h.sim
        .stats()
        .entries.filter((e) => e.cloud === 'alpha' && e.route === 'GET /servers/{id}')
        .reduce((n, e) => n + e.count, 0);
    const before = polls();
    assert.ok(before > 0, 'the wait polled the server before the cancel');
    await new Promise((r) => setTimeout(r, 700)); // a quiet window longer than the poll interval: the behaviour under test
    assert.equal(polls(), before, 'no polling after the client went away');
    const left = await collect(h.clients.compute.listServers({ location: alpha1, nameOrId: 'slow' }));
    assert.equal(left.length, 1);
  });
});

describe('compute at microversion 2.1', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      clouds: [{ name: 'old', regions: ['RegionOne'], bootDelayMs: 100, seedServers: 2 }],
      backend: {
        session: {
          computeMicroversions: { min: '2.1', max: '2.1' },
          retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 100 },
        },
      },
    });
  });
  after(() => h?.close());
  const old1 = { cloud: 'old', region: 'RegionOne', zone: '', project: undefined };

  test('servers name only a flavor id: its details come from the flavor list', async () => {
    const items = await collect(h.clients.compute.listServers({ location: old1 }));
    assert.equal(items.length, 2);
    for (const i of items) {
      assert.equal(i.item?.$case, 'server');
      const s = i.item!.value as any;
      assert.ok(s.flavor.id, 'the flavor id is given');
      assert.ok(s.flavor.name && s.flavor.ramMb > 0, JSON.stringify(s.flavor));
    }
  });

  test('flavors asked by name get extra specs through os-extra_specs; create without networks works', async () => {
    h.sim.stats().reset();
    const flavor = await h.clients.compute.getFlavor({ location: old1, nameOrId: 'm1.tiny' });
    assert.equal(flavor.flavor?.name, 'm1.tiny');
    assert.ok(
      h.sim.stats().entries.some((e) => /os-extra_specs/.test(e.route)),
      'extra specs were fetched',
    );
    const messages = await collect(
      h.clients.compute.createServer({
        location: old1,
        name: 'legacy',
        image: IMAGE,
        flavor: 'm1.tiny',
        wait: true,
        floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
      }),
    );
    assert.equal(messages.at(-1)?.stage, CreateServerStage.CREATE_SERVER_STAGE_READY);
    assert.equal(messages.at(-1)?.server?.status, ServerStatus.SERVER_STATUS_ACTIVE);
    const kp = await h.clients.compute.createKeypair({ location: old1, name: 'old-key' });
    assert.ok(kp.privateKey);
  });
});
