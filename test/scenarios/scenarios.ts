// The contract scenarios: one list, run against the simulator (npm test) and a real OpenStack (npm run test:real),
// so the two cannot drift. Each scenario goes through a real oaktree node over gRPC and cleans up after itself.
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { CreateServerStage, FloatingIPMode, ServerStatus } from '../../src/gen/oaktree/v1/compute.ts';
import { ImageStatus, type UploadImageRequest } from '../../src/gen/oaktree/v1/image.ts';
import { VolumeStatus } from '../../src/gen/oaktree/v1/volume.ts';
import { collect } from '../support/node.ts';
import { WRONG_PASSWORD, type ScenarioTarget } from './target.ts';

const objects = <T>(items: any[], key: string): T[] =>
  items.filter((i) => i.item?.$case === key).map((i) => i.item.value as T);
const errors = (items: any[]) => items.filter((i) => i.item?.$case === 'error').map((i) => i.item.value);

/** Runs `fn` and ignores failures: cleanup must not hide the real assertion. */
async function quietly(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch {
    // already gone, or never made
  }
}

export function defineScenarios(label: string, target: () => ScenarioTarget) {
  describe(`contract scenarios on ${label}`, { concurrency: false }, () => {
    test('the cloud under test is a listed location', async () => {
      const t = target();
      const items = await collect(t.api.location.listLocations({ location: t.where }));
      const locations = objects<any>(items, 'location');
      assert.equal(locations.length, 1);
      assert.equal(locations[0].cloud, t.cloud);
      assert.ok(locations[0].project.id, 'the project id comes from the token');
    });

    test('flavors: list and get by name, normalized', async () => {
      const t = target();
      const flavors = objects<any>(
        await collect(t.api.compute.listFlavors({ location: t.where, strict: true })),
        'flavor',
      );
      assert.ok(
        flavors.some((f) => f.name === t.flavor),
        `${t.flavor} is listed`,
      );
      const { flavor } = await t.api.compute.getFlavor({ location: t.where, nameOrId: t.flavor });
      assert.equal(flavor?.name, t.flavor);
      assert.ok(flavor!.vcpus > 0 && flavor!.ramMb > 0);
      assert.equal(flavor?.location?.cloud, t.cloud);
      assert.equal(flavor?.location?.zone, '', 'flavors live at region level');
    });

    test('images: list and get by name', async () => {
      const t = target();
      const images = objects<any>(await collect(t.api.image.listImages({ location: t.where, strict: true })), 'image');
      assert.ok(images.some((i) => i.name === t.image));
      const { image } = await t.api.image.getImage({ location: t.where, nameOrId: t.image });
      assert.equal(image?.status, ImageStatus.IMAGE_STATUS_ACTIVE);
      assert.ok(image?.diskFormat);
    });

    test('images: upload with checksums, download the same bytes, delete', async () => {
      const t = target();
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const md5 = createHash('md5').update(data).digest('hex');
      const sha256 = createHash('sha256').update(data).digest('hex');
      const name = `${t.prefix}-upload`;
      async function* upload(): AsyncGenerator<UploadImageRequest> {
        yield {
          part: {
            $case: 'header',
            value: {
              location: t.where,
              name,
              diskFormat: 'raw',
              containerFormat: 'bare',
              md5,
              sha256,
              sizeBytes: BigInt(data.length),
            } as any,
          },
        };
        for (let offset = 0; offset < data.length; offset += 1024 * 1024) {
          yield { part: { $case: 'chunk', value: data.subarray(offset, offset + 1024 * 1024) } };
        }
      }
      const result = await t.api.image.uploadImage(upload());
      const image = result.results[0]?.image;
      assert.ok(image?.id, JSON.stringify(result.results[0]?.error));
      try {
        assert.equal(result.bytesReceived, BigInt(data.length));
        const parts = await collect(t.api.image.downloadImage({ location: t.where, nameOrId: image.id }));
        const chunks = parts.filter((p) => p.part?.$case === 'chunk').map((p) => (p.part as any).value as Uint8Array);
        const trailer = parts.find((p) => p.part?.$case === 'trailer')?.part as any;
        assert.ok(Buffer.concat(chunks).equals(data), 'downloaded bytes equal uploaded bytes');
        assert.ok(
          chunks.every((c) => c.length <= 4 * 1024 * 1024),
          'bounded chunks',
        );
        assert.equal(trailer?.value.md5, md5);
        assert.equal(trailer?.value.sha256, sha256);
      } finally {
        await t.api.image.deleteImage({ location: t.where, nameOrId: image.id });
      }
      await assert.rejects(
        t.api.image.getImage({ location: t.where, nameOrId: image.id }),
        (e: ServerError) => e.code === Status.NOT_FOUND,
      );
    });

    test('keypairs: create (generated), list, refuse a duplicate, delete', async () => {
      const t = target();
      const name = `${t.prefix}-key`;
      const created = await t.api.compute.createKeypair({ location: t.where, name });
      try {
        assert.match(created.privateKey, /PRIVATE KEY/);
        assert.match(created.keypair!.publicKey, /^ssh-/);
        const listed = objects<any>(
          await collect(t.api.compute.listKeypairs({ location: t.where, strict: true })),
          'keypair',
        );
        assert.ok(listed.some((k) => k.name === name));
        await assert.rejects(
          t.api.compute.createKeypair({ location: t.where, name, publicKey: created.keypair!.publicKey }),
          (e: ServerError) => e.code === Status.ALREADY_EXISTS,
        );
      } finally {
        await t.api.compute.deleteKeypair({ location: t.where, name });
      }
      const after = objects<any>(
        await collect(t.api.compute.listKeypairs({ location: t.where, strict: true })),
        'keypair',
      );
      assert.ok(!after.some((k) => k.name === name));
    });

    test('networks and subnets: external and internal, with CIDRs', async () => {
      const t = target();
      const networks = objects<any>(
        await collect(t.api.network.listNetworks({ location: t.where, strict: true })),
        'network',
      );
      const external = networks.find((n) => n.name === t.externalNetwork);
      const internal = networks.find((n) => n.name === t.network);
      assert.equal(external?.isExternal, true);
      assert.equal(internal?.isExternal, false);
      const subnets = objects<any>(
        await collect(t.api.network.listSubnets({ location: t.where, networkId: internal.id, strict: true })),
        'subnet',
      );
      assert.ok(subnets.length >= 1 && subnets.every((s) => s.networkId === internal.id && s.cidr));
    });

    test('limits and availability zones', async () => {
      const t = target();
      const limits = objects<any>(
        await collect(t.api.limits.listLimits({ location: t.where, strict: true })),
        'limits',
      );
      assert.equal(limits.length, 1);
      assert.ok(limits[0].compute.maxInstances !== 0, 'compute quota reported');
      const zones = objects<any>(
        await collect(t.api.compute.listAvailabilityZones({ location: t.where, strict: true })),
        'availabilityZone',
      );
      assert.ok(zones.some((z) => z.available && z.name));
    });

    test('capabilities: services and image formats', async () => {
      const t = target();
      const caps = objects<any>(
        await collect(t.api.capabilities.listCapabilities({ location: t.where, strict: true })),
        'capabilities',
      );
      assert.equal(caps.length, 1);
      const types = caps[0].services.map((s: any) => s.type);
      for (const type of ['compute', 'image', 'network']) assert.ok(types.includes(type), `${type} in ${types}`);
      assert.ok(caps[0].image.diskFormats.includes('raw') || caps[0].image.diskFormats.includes('qcow2'));
    });

    test('servers: boot and wait for ACTIVE, floating IP create/detach/attach/delete, volume attach, delete with cleanup', async () => {
      const t = target();
      const name = `${t.prefix}-vm`;
      const stages: number[] = [];
      let server: any;
      try {
        for await (const message of t.api.compute.createServer({
          location: t.where,
          name,
          image: t.image,
          flavor: t.flavor,
          networks: [t.network],
          floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
          wait: true,
        })) {
          stages.push(message.stage);
          server = message.server;
        }
        assert.equal(stages[0], CreateServerStage.CREATE_SERVER_STAGE_ACCEPTED);
        assert.equal(stages.at(-1), CreateServerStage.CREATE_SERVER_STAGE_READY);
        assert.equal(server.status, ServerStatus.SERVER_STATUS_ACTIVE);
        assert.ok(server.privateV4, 'a fixed IPv4 address');
        assert.equal(server.location.cloud, t.cloud);

        const got = await t.api.compute.getServer({ location: t.where, nameOrId: name });
        assert.equal(got.server?.id, server.id);
        const ports = objects<any>(
          await collect(t.api.network.listPorts({ location: t.where, deviceId: server.id, strict: true })),
          'port',
        );
        assert.ok(ports.length >= 1 && ports[0].fixedIps.length >= 1);

        // Floating IP: created attached to the server's port in one call.
        const { floatingIp } = await t.api.network.createFloatingIP({ location: t.where, server: server.id });
        assert.ok(floatingIp?.isAttached && floatingIp.floatingIpAddress);
        const withIp = await t.api.compute.getServer({ location: t.where, nameOrId: server.id, fresh: true });
        assert.equal(withIp.server?.publicV4, floatingIp!.floatingIpAddress);
        const detached = await t.api.network.detachFloatingIP({ location: t.where, floatingIp: floatingIp!.id });
        assert.equal(detached.floatingIp?.isAttached, false);
        const attached = await t.api.network.attachFloatingIP({
          location: t.where,
          floatingIp: floatingIp!.floatingIpAddress,
          server: name,
        });
        assert.equal(attached.floatingIp?.isAttached, true);

        // An unattached floating IP is what DeleteUnattachedFloatingIPs removes, and nothing else.
        const spare = await t.api.network.createFloatingIP({ location: t.where, network: t.externalNetwork });
        const cleaned = await t.api.network.deleteUnattachedFloatingIPs({ location: t.where });
        const cleanedIds = cleaned.deleted.map((f) => f.id);
        assert.ok(cleanedIds.includes(spare.floatingIp!.id));
        assert.ok(!cleanedIds.includes(floatingIp!.id), 'the attached one stays');

        // Volume: create, attach, detach, delete.
        const volume = (
          await t.api.volume.createVolume({ location: t.where, name: `${t.prefix}-vol`, sizeGb: 1, wait: true })
        ).volume!;
        try {
          assert.equal(volume.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
          const inUse = await t.api.volume.attachVolume({
            location: t.where,
            volume: volume.id,
            server: server.id,
            wait: true,
          });
          assert.equal(inUse.volume?.status, VolumeStatus.VOLUME_STATUS_IN_USE);
          assert.equal(inUse.volume?.attachments[0]?.serverId, server.id);
          const free = await t.api.volume.detachVolume({
            location: t.where,
            volume: volume.id,
            server: server.id,
            wait: true,
          });
          assert.equal(free.volume?.status, VolumeStatus.VOLUME_STATUS_AVAILABLE);
        } finally {
          await t.api.volume.deleteVolume({ location: t.where, nameOrId: volume.id, wait: true });
        }

        const deleted = await t.api.compute.deleteServer({
          location: t.where,
          nameOrId: server.id,
          deleteFloatingIps: true,
          wait: true,
        });
        assert.equal(deleted.floatingIpsDeleted, 1);
        server = undefined;
        await assert.rejects(
          t.api.compute.getServer({ location: t.where, nameOrId: name, fresh: true }),
          (e: ServerError) => e.code === Status.NOT_FOUND,
        );
        const leftover = objects<any>(
          await collect(t.api.network.listFloatingIPs({ location: t.where, strict: true })),
          'floatingIp',
        );
        assert.ok(!leftover.some((f) => f.id === floatingIp!.id), 'its floating IP went with it');
      } finally {
        if (server)
          await quietly(() =>
            t.api.compute.deleteServer({ location: t.where, nameOrId: server.id, deleteFloatingIps: true, wait: true }),
          );
      }
    });

    test('a wrong password is an in-band UNAUTHENTICATED item that never shows the password', async () => {
      const t = target();
      const items = await collect(t.api.compute.listFlavors({}));
      const failed = errors(items);
      assert.equal(failed.length, 1, JSON.stringify(failed));
      assert.equal(failed[0].location.cloud, t.badCloud);
      assert.equal(failed[0].code, Status.UNAUTHENTICATED);
      assert.ok(!failed[0].message.includes(WRONG_PASSWORD));
      assert.ok(objects<any>(items, 'flavor').length > 0, 'the good cloud still answered');
    });
  });
}
