// Flavors, keypairs, zones, limits and capabilities end to end, on two clouds configured differently.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import type { ClientError } from 'nice-grpc';
import { createPublicKey } from 'node:crypto';
import { KeypairType } from '../../../src/gen/oaktree/v1/compute.ts';
import { FloatingIPSource } from '../../../src/gen/oaktree/v1/capabilities.ts';
import { collect, startHarness, type Harness } from './harness.ts';

const alpha1 = { cloud: 'alpha', region: 'RegionOne', zone: '', project: undefined };
const beta1 = { cloud: 'beta', region: 'RegionOne', zone: '', project: undefined };

function values<T>(items: Array<{ item?: { $case: string; value: any } }>, kind: string): T[] {
  return items.map((i) =>
    i.item?.$case === kind ? (i.item.value as T) : assert.fail(`expected ${kind}: ${JSON.stringify(i.item)}`),
  );
}

describe('compute resources over the simulator', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      clouds: [
        {
          name: 'alpha',
          regions: ['RegionOne', 'RegionTwo'],
          diskFormats: ['raw', 'qcow2'],
          importMethods: ['glance-direct', 'web-download'],
        },
        { name: 'beta', regions: ['RegionOne'], diskFormats: ['qcow2', 'vhd'], containerFormats: ['bare', 'ovf'] },
      ],
      editCloudsYaml(yaml) {
        yaml.clouds.alpha.image_format = 'raw';
        yaml.clouds.beta.image_format = 'vhd';
        yaml.clouds.beta.floating_ip_source = 'None';
      },
    });
  });
  after(() => h?.close());

  test('flavors: every location, filters, by name or id', async () => {
    const all = values<any>(await collect(h.clients.compute.listFlavors({})), 'flavor');
    const perLocation = all.filter((f) => f.location.cloud === 'beta').length;
    assert.ok(perLocation >= 5);
    assert.equal(all.length, perLocation * 3, 'every location answers with the same flavors');
    const big = values<any>(
      await collect(h.clients.compute.listFlavors({ location: alpha1, minRamMb: 4096, minVcpus: 4 })),
      'flavor',
    );
    assert.deepEqual(big.map((f) => f.name).sort(), ['m1.large', 'm1.xlarge']);
    const byName = await h.clients.compute.getFlavor({ location: alpha1, nameOrId: 'm1.small' });
    assert.equal(byName.flavor?.id, '2');
    assert.equal(byName.flavor?.ramMb, 2048);
    assert.equal(byName.flavor?.location?.zone, '');
    assert.equal(byName.flavor?.isPublic, true);
    const byId = await h.clients.compute.getFlavor({ location: alpha1, nameOrId: '3' });
    assert.equal(byId.flavor?.name, 'm1.medium');
    await assert.rejects(
      h.clients.compute.getFlavor({ location: alpha1, nameOrId: 'm9.none' }),
      (e: ClientError) => e.code === Status.NOT_FOUND,
    );
  });

  test('keypairs: generate (private key once), import, ALREADY_EXISTS, list, delete, NOT_FOUND', async () => {
    const made = await h.clients.compute.createKeypair({ location: alpha1, name: 'gen' });
    assert.match(made.privateKey, /BEGIN (RSA )?PRIVATE KEY/);
    assert.match(made.keypair?.publicKey ?? '', /^ssh-rsa /);
    assert.ok(made.keypair?.fingerprint);
    assert.equal(made.keypair?.type, KeypairType.KEYPAIR_TYPE_SSH);

    const pub = createPublicKey(made.privateKey).export({ format: 'jwk' });
    assert.ok(pub.n, 'the private key is a real key');

    const imported = await h.clients.compute.createKeypair({
      location: alpha1,
      name: 'imported',
      publicKey: made.keypair!.publicKey,
    });
    assert.equal(imported.privateKey, '');
    assert.equal(imported.keypair?.fingerprint, made.keypair?.fingerprint);

    await assert.rejects(
      h.clients.compute.createKeypair({ location: alpha1, name: 'gen' }),
      (e: ClientError) => e.code === Status.ALREADY_EXISTS && /gen/.test(e.details),
    );

    const listed = values<any>(await collect(h.clients.compute.listKeypairs({ location: alpha1 })), 'keypair');
    assert.deepEqual(listed.map((k) => k.name).sort(), ['gen', 'imported']);
    assert.ok(listed.every((k) => k.location.project.name === 'demo'));
    const one = values<any>(
      await collect(h.clients.compute.listKeypairs({ location: alpha1, nameOrId: 'gen' })),
      'keypair',
    );
    assert.equal(one.length, 1);

    const gone = await h.clients.compute.deleteKeypair({ location: alpha1, name: 'gen' });
    assert.equal(gone.location?.cloud, 'alpha');
    await assert.rejects(
      h.clients.compute.deleteKeypair({ location: alpha1, name: 'gen' }),
      (e: ClientError) => e.code === Status.NOT_FOUND,
    );
  });

  test('availability zones: one per region, internal zone left out', async () => {
    const zones = values<any>(await collect(h.clients.compute.listAvailabilityZones({})), 'availabilityZone');
    assert.equal(zones.length, 3);
    assert.ok(zones.every((z) => z.name === 'nova' && z.available && z.location.zone === 'nova'));
  });

  test('limits: compute and volume per location', async () => {
    const limits = values<any>(await collect(h.clients.limits.listLimits({ location: beta1 })), 'limits');
    assert.equal(limits.length, 1);
    assert.ok(limits[0].compute.maxInstances > 0);
    assert.equal(limits[0].compute.usedInstances, 0);
    assert.ok(limits[0].volume.maxVolumes > 0);
    assert.equal(limits[0].location.cloud, 'beta');
  });

  test('capabilities differ between two clouds configured differently', async () => {
    const caps = values<any>(await collect(h.clients.capabilities.listCapabilities({})), 'capabilities');
    assert.equal(caps.length, 3);
    const alpha = caps.find((c) => c.location.cloud === 'alpha')!;
    const beta = caps.find((c) => c.location.cloud === 'beta')!;

    const types = (c: any) => c.services.map((s: any) => s.type).sort();
    assert.deepEqual(types(alpha), ['block-storage', 'compute', 'identity', 'image', 'network', 'object-store']);
    const compute = alpha.services.find((s: any) => s.type === 'compute');
    assert.equal(compute.microversion, '2.79');
    assert.equal(compute.maxMicroversion, '2.93');

    assert.deepEqual(alpha.image.diskFormats, ['raw', 'qcow2']);
    assert.deepEqual(beta.image.diskFormats, ['qcow2', 'vhd']);
    assert.deepEqual(beta.image.containerFormats, ['bare', 'ovf']);
    assert.equal(alpha.image.preferredDiskFormat, 'raw');
    assert.equal(beta.image.preferredDiskFormat, 'vhd');
    assert.deepEqual(alpha.image.importMethods, ['glance-direct', 'web-download']);

    assert.equal(alpha.network.floatingIpSource, FloatingIPSource.FLOATING_IP_SOURCE_NEUTRON);
    assert.deepEqual(alpha.network.floatingIpNetworks, ['public']);
    assert.equal(alpha.network.floatingIpRequiredForPublicAccess, true);
    assert.equal(beta.network.floatingIpSource, FloatingIPSource.FLOATING_IP_SOURCE_NONE);
    assert.deepEqual(beta.network.floatingIpNetworks, []);

    assert.equal(alpha.volume.available, true);
    assert.deepEqual(alpha.volume.volumeTypes, ['__DEFAULT__']);
    assert.deepEqual(alpha.compute.availabilityZones, ['nova']);
    assert.equal(alpha.compute.serverTags, true);
    assert.ok(alpha.limits.compute.maxInstances > 0);

    h.sim.stats().reset();
    await collect(h.clients.capabilities.listCapabilities({ location: alpha1 }));
    const schemaReads = h.sim.stats().entries.filter((e) => e.route === 'GET /schemas/image').length;
    assert.equal(schemaReads, 0, 'Glance schemas are cached per region');
  });
});
