// Contract scenarios for issue 14 part 2: server metadata and tags, ListServers filters, server groups, the
// newer CreateServer options and ListFlavors filters/sorts, run against the simulator and the real cloud alike.
// Every name starts with the branch name (the real cloud is shared) and every test cleans up what it made.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import {
  FlavorSort,
  FloatingIPMode,
  type ListServersRequest,
  type Server,
  ServerGroupPolicy,
  ServerStatus,
} from '../../src/gen/oaktree/v1/compute.ts';
import { collect } from '../support/node.ts';
import { eventually } from '../support/wait.ts';
import { cloudRest } from './cloud-rest.ts';
import type { ScenarioTarget } from './target.ts';

const BRANCH = 's3-compute';

const objects = <T>(items: any[], key: string): T[] =>
  items.filter((i) => i.item?.$case === key).map((i) => i.item.value as T);

const code = (expected: Status, message?: RegExp) => (e: ServerError) => {
  assert.equal(e.code, expected, e.message);
  if (message) assert.match(e.details ?? e.message, message);
  return true;
};

async function quietly(fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch {
    // already gone, or never made
  }
}

/** Boots a server and waits until it is ACTIVE; the caller deletes it. */
async function boot(t: ScenarioTarget, fields: Record<string, unknown>): Promise<Server> {
  let server: Server | undefined;
  for await (const message of t.api.compute.createServer({
    location: t.where,
    image: t.image,
    flavor: t.flavor,
    networks: [t.network],
    floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
    wait: true,
    ...fields,
  } as any)) {
    server = message.server;
  }
  assert.ok(server, 'CreateServer answered');
  return server;
}

async function remove(t: ScenarioTarget, ...servers: Array<Server | undefined>) {
  await Promise.all(
    servers
      .filter((s): s is Server => !!s)
      .map((s) => quietly(() => t.api.compute.deleteServer({ location: t.where, nameOrId: s.id, wait: true }))),
  );
}

export function defineServerConfigScenarios(label: string, target: () => ScenarioTarget) {
  describe(`server configuration scenarios on ${label}`, { concurrency: false }, () => {
    const prefix = `${BRANCH}-${Date.now().toString(36)}`;

    test('CreateServer takes description, tags, hostname, admin password and a network with a fixed IP', async () => {
      const t = target();
      const [subnet] = objects<any>(
        await collect(t.api.network.listSubnets({ location: t.where, strict: true })),
        'subnet',
      ).filter((s) => s.ipVersion === 4 && s.networkId && s.cidr.endsWith('/24'));
      const network = subnet?.networkId ?? t.network;
      // A /24's high addresses are left alone by the allocators of both targets; one is taken at random.
      const fixedIp = subnet
        ? `${subnet.cidr.split('.').slice(0, 3).join('.')}.${200 + Math.floor(Math.random() * 50)}`
        : '';
      let server: Server | undefined;
      try {
        server = await boot(t, {
          name: `${prefix}-create`,
          networks: [],
          nics: [{ network, fixedIp, port: '' }],
          description: 'made by the server-config scenarios',
          tags: ['s3c-red', 's3c-blue'],
          hostname: `${prefix}-host`,
          adminPassword: 'Not-Logged-9f2',
          metadata: { role: 'web' },
        });
        assert.equal(server.status, ServerStatus.SERVER_STATUS_ACTIVE);
        assert.equal(server.description, 'made by the server-config scenarios');
        assert.deepEqual([...server.tags].sort(), ['s3c-blue', 's3c-red']);
        if (fixedIp)
          assert.ok(
            server.addresses.some((a) => a.address === fixedIp),
            `${fixedIp} is on the server`,
          );
        assert.ok(!JSON.stringify(server).includes('Not-Logged-9f2'), 'the admin password is never returned');
      } finally {
        await remove(t, server);
      }
    });

    test('CreateServer attaches an existing port by id; the port outlives the server', async () => {
      const t = target();
      const [network] = objects<any>(
        await collect(t.api.network.listNetworks({ location: t.where, strict: true, nameOrId: t.network })),
        'network',
      );
      const { port } = await (await cloudRest(t)).post('network', '/v2.0/ports', {
        port: { network_id: network.id, name: `${prefix}-port` },
      });
      let server: Server | undefined;
      try {
        server = await boot(t, {
          name: `${prefix}-onport`,
          networks: [],
          nics: [{ port: port.id, network: '', fixedIp: '' }],
        });
        const address = port.fixed_ips[0].ip_address;
        assert.ok(
          server.addresses.some((a) => a.address === address),
          `the port's address ${address} is on the server`,
        );
        await t.api.compute.deleteServer({ location: t.where, nameOrId: server.id, wait: true });
        server = undefined;
        await eventually(
          async () => {
            const ports = objects<any>(
              await collect(t.api.network.listPorts({ location: t.where, strict: true, fresh: true })),
              'port',
            );
            return ports.find((p) => p.id === port.id && !p.deviceId);
          },
          'the port is unbound and still there after the server is gone',
          { timeoutMs: 60_000, everyMs: 500 },
        );
      } finally {
        await remove(t, server);
        await quietly(() => t.api.network.deletePort({ location: t.where, id: port.id }));
      }
    });

    test('metadata and tags: merge, replace, delete, and the limits named', async () => {
      const t = target();
      let server: Server | undefined;
      try {
        server = await boot(t, { name: `${prefix}-meta`, metadata: { role: 'web' }, tags: ['s3c-one'] });
        const where = { location: t.where, nameOrId: `${prefix}-meta` };

        const merged = await t.api.compute.setServerMetadata({ ...where, metadata: { tier: '1' } });
        assert.deepEqual(merged.metadata, { role: 'web', tier: '1' });
        assert.equal(merged.serverId, server.id);
        assert.equal(merged.location?.cloud, t.cloud);
        const replaced = await t.api.compute.setServerMetadata({ ...where, metadata: { only: 'x' }, replace: true });
        assert.deepEqual(replaced.metadata, { only: 'x' });
        const emptied = await t.api.compute.deleteServerMetadata({ ...where, keys: ['only', 'never-there'] });
        assert.deepEqual(emptied.metadata, {});
        const tooMany = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
        await assert.rejects(
          t.api.compute.setServerMetadata({ ...where, metadata: tooMany }),
          code(Status.INVALID_ARGUMENT, /at most 128 metadata items/),
        );

        const added = await t.api.compute.setServerTags({ ...where, tags: ['s3c-two', 's3c-one'] });
        assert.deepEqual([...added.tags].sort(), ['s3c-one', 's3c-two']);
        const swapped = await t.api.compute.setServerTags({ ...where, tags: ['s3c-three'], replace: true });
        assert.deepEqual(swapped.tags, ['s3c-three']);
        const seen = await t.api.compute.getServer({ ...where, fresh: true });
        assert.deepEqual(seen.server?.tags, ['s3c-three'], 'Server carries its tags');
        const removed = await t.api.compute.deleteServerTags({ ...where, tags: ['s3c-three', 'never-there'] });
        assert.deepEqual(removed.tags, []);

        await assert.rejects(
          t.api.compute.setServerTags({ ...where, tags: ['a/b'] }),
          code(Status.INVALID_ARGUMENT, /tags\[0\] is not a valid tag/),
        );
        const thirty = (tag: string) => Array.from({ length: 30 }, (_, i) => `${tag}${i}`);
        await t.api.compute.setServerTags({ ...where, tags: thirty('a') });
        await assert.rejects(
          t.api.compute.setServerTags({ ...where, tags: thirty('b') }),
          code(Status.INVALID_ARGUMENT, /would carry 60 tags; a server carries at most 50/),
        );
        const cleared = await t.api.compute.deleteServerTags({ ...where, all: true });
        assert.deepEqual(cleared.tags, []);
        await assert.rejects(
          t.api.compute.setServerMetadata({ location: t.where, nameOrId: `${prefix}-absent`, metadata: { a: 'b' } }),
          code(Status.NOT_FOUND, /absent/),
        );
      } finally {
        await remove(t, server);
      }
    });

    test('ListServers filters by tags, metadata, name, flavor, image, status and changes-since', async () => {
      const t = target();
      const started = new Date(Date.now() - 2000);
      let red: Server | undefined;
      let blue: Server | undefined;
      try {
        [red, blue] = await Promise.all([
          boot(t, { name: `${prefix}-Filter-red`, tags: ['s3c-red', 's3c-warm'], metadata: { role: 'web' } }),
          boot(t, { name: `${prefix}-filter-blue`, tags: ['s3c-blue'], metadata: { role: 'db' } }),
        ]);
        // name_regex is case-insensitive, as nova's filter is on MySQL: the upper-case prefix finds both.
        const mine = `^${prefix.toUpperCase()}-FILTER-`;
        const names = async (filters: Partial<ListServersRequest>) =>
          objects<Server>(
            await collect(
              t.api.compute.listServers({ location: t.where, strict: true, fresh: true, nameRegex: mine, ...filters }),
            ),
            'server',
          )
            .map((s) => s.name.replace(`${prefix}-`, ''))
            .sort();
        const both = ['Filter-red', 'filter-blue'].sort();
        assert.deepEqual(await names({}), both);
        assert.deepEqual(await names({ tags: ['s3c-red', 's3c-warm'] }), ['Filter-red']);
        assert.deepEqual(await names({ tags: ['s3c-red', 's3c-blue'] }), []);
        assert.deepEqual(await names({ tagsAny: ['s3c-red', 's3c-blue'] }), both);
        assert.deepEqual(await names({ metadata: { role: 'db' } }), ['filter-blue']);
        assert.deepEqual(await names({ metadata: { role: '' } }), both);
        assert.deepEqual(await names({ metadata: { absent: '' } }), []);
        assert.deepEqual(await names({ flavor: t.flavor }), both);
        assert.deepEqual(await names({ image: t.image }), both);
        assert.deepEqual(await names({ image: `${prefix}-no-such-image` }), [], 'an unknown image matches nothing');
        assert.deepEqual(await names({ status: ServerStatus.SERVER_STATUS_ACTIVE }), both);
        assert.deepEqual(await names({ status: ServerStatus.SERVER_STATUS_STOPPED }), []);
        assert.deepEqual(await names({ changesSince: started }), both);
        assert.deepEqual(await names({ changesSince: new Date(Date.now() + 3_600_000) }), []);
        assert.deepEqual(await names({ nameRegex: `^${prefix}-filter-BLUE$` }), ['filter-blue']);
        await assert.rejects(
          collect(t.api.compute.listServers({ location: t.where, nameRegex: '(' })),
          code(Status.INVALID_ARGUMENT, /name_regex is not a valid regular expression/),
        );
        await assert.rejects(
          collect(t.api.compute.listServers({ location: t.where, strict: true, allProjects: true })),
          code(Status.PERMISSION_DENIED, /get_all_tenants/),
        );
      } finally {
        await remove(t, red, blue);
      }
    });

    test('server groups: create with a rule, list, get, boot into one, refuse what nova refuses, delete', async () => {
      const t = target();
      const name = `${prefix}-group`;
      const requestId = randomUUID();
      let member: Server | undefined;
      let groupId = '';
      try {
        const create = () =>
          t.api.compute.createServerGroup({
            location: t.where,
            name,
            policy: ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY,
            maxServerPerHost: 2,
            requestId,
          });
        const { serverGroup } = await create();
        groupId = serverGroup!.id;
        assert.equal(serverGroup?.policy, ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY);
        assert.equal(serverGroup?.maxServerPerHost, 2);
        assert.equal(serverGroup?.location?.cloud, t.cloud);
        assert.equal(serverGroup?.location?.zone, '');
        assert.equal((await create()).serverGroup?.id, groupId, 'a retried create makes one group');

        const listed = objects<any>(
          await collect(t.api.compute.listServerGroups({ location: t.where, strict: true })),
          'serverGroup',
        );
        assert.equal(listed.filter((g) => g.name === name).length, 1);
        const got = await t.api.compute.getServerGroup({ location: t.where, nameOrId: name });
        assert.equal(got.serverGroup?.id, groupId);

        await assert.rejects(
          t.api.compute.createServerGroup({
            location: t.where,
            name: `${prefix}-bad-group`,
            policy: ServerGroupPolicy.SERVER_GROUP_POLICY_AFFINITY,
            maxServerPerHost: 2,
          }),
          code(Status.INVALID_ARGUMENT, /ANTI_AFFINITY policy only/),
        );
        await assert.rejects(
          t.api.compute.createServerGroup({ location: t.where, name: `${prefix}-bad-group` }),
          code(Status.INVALID_ARGUMENT, /policy is required/),
        );

        member = await boot(t, {
          name: `${prefix}-grouped`,
          serverGroup: name,
          // nova passes hints it does not know to the scheduler filters, which ignore them.
          schedulerHints: [{ key: 's3c_note', values: ['scenario'] }],
        });
        const after = await t.api.compute.getServerGroup({ location: t.where, nameOrId: groupId });
        assert.deepEqual(after.serverGroup?.memberIds, [member.id]);

        await assert.rejects(
          boot(t, { name: `${prefix}-nowhere`, serverGroup: `${prefix}-no-such-group` }),
          code(Status.NOT_FOUND, /no server group named .*no-such-group.* in /),
        );
        await assert.rejects(
          boot(t, { name: `${prefix}-noport`, networks: [], nics: [{ port: randomUUID(), network: '', fixedIp: '' }] }),
          code(Status.NOT_FOUND, /no port named/),
        );
      } finally {
        await remove(t, member);
        if (groupId) await quietly(() => t.api.compute.deleteServerGroup({ location: t.where, nameOrId: groupId }));
      }
      await assert.rejects(t.api.compute.getServerGroup({ location: t.where, nameOrId: name }), code(Status.NOT_FOUND));
    });

    test('CreateServer attaches a new blank volume at boot (block device mapping)', async () => {
      const t = target();
      let server: Server | undefined;
      try {
        server = await boot(t, {
          name: `${prefix}-bdm`,
          blockDevices: [{ volume: '', sizeGb: 1, deleteOnTermination: true }],
        });
        assert.equal(server.volumes.length, 1);
        assert.equal(server.volumes[0].deleteOnTermination, true);
        const volumeId = server.volumes[0].id;
        await t.api.compute.deleteServer({ location: t.where, nameOrId: server.id, wait: true });
        server = undefined;
        await eventually(
          async () => {
            const left = objects<any>(
              await collect(t.api.volume.listVolumes({ location: t.where, strict: true, fresh: true })),
              'volume',
            );
            return !left.some((v) => v.id === volumeId);
          },
          'the boot-time volume is deleted with its server',
          { timeoutMs: 60_000, everyMs: 500 },
        );
      } finally {
        await remove(t, server);
      }
    });

    test('CreateServer boots from an existing volume, which outlives the server, and from a volume snapshot', async () => {
      const t = target();
      let server: Server | undefined;
      let volumeId = '';
      let snapshotId = '';
      try {
        // A blank volume marked bootable: the real cloud's fake cinder driver cannot copy an image into a volume.
        const { volume } = await t.api.volume.createVolume({
          location: t.where,
          name: `${prefix}-bootvol`,
          sizeGb: 1,
          wait: true,
        });
        volumeId = volume!.id;
        await assert.rejects(
          boot(t, { name: `${prefix}-notbootable`, image: '', bootVolume: volumeId }),
          code(Status.INVALID_ARGUMENT, /is not bootable/),
        );
        await (await cloudRest(t)).post('volumev3', `/volumes/${volumeId}/action`, {
          'os-set_bootable': { bootable: true },
        });
        server = await boot(t, { name: `${prefix}-fromvol`, image: '', bootVolume: `${prefix}-bootvol` });
        assert.equal(server.status, ServerStatus.SERVER_STATUS_ACTIVE);
        assert.equal(server.image?.id, '', 'booted from a volume, not an image');
        assert.deepEqual(
          server.volumes.map((v) => [v.id, v.deleteOnTermination]),
          [[volumeId, false]],
        );
        await t.api.compute.deleteServer({ location: t.where, nameOrId: server.id, wait: true });
        server = undefined;
        const kept = await eventually(
          async () => {
            const { volume: now } = await t.api.volume.getVolume({ location: t.where, nameOrId: volumeId });
            return now?.attachments.length === 0 ? now : undefined;
          },
          'the boot volume is detached from the deleted server',
          { timeoutMs: 60_000, everyMs: 500 },
        );
        assert.equal(kept?.id, volumeId);
        await assert.rejects(
          boot(t, { name: `${prefix}-novol`, image: '', bootVolume: `${prefix}-no-such-volume` }),
          code(Status.NOT_FOUND, /no-such-volume/),
        );

        // A snapshot of the (bootable) volume boots a server on a new volume that goes with the server.
        const { snapshot } = await t.api.volume.createVolumeSnapshot({
          location: t.where,
          volume: volumeId,
          name: `${prefix}-bootsnap`,
          wait: true,
        });
        snapshotId = snapshot!.id;
        server = await boot(t, { name: `${prefix}-fromsnap`, image: '', bootSnapshotId: snapshotId });
        assert.equal(server.status, ServerStatus.SERVER_STATUS_ACTIVE);
        assert.equal(server.volumes.length, 1);
        assert.notEqual(server.volumes[0].id, volumeId, 'a new volume made from the snapshot');
        assert.equal(server.volumes[0].deleteOnTermination, true);
        await t.api.compute.deleteServer({ location: t.where, nameOrId: server.id, wait: true });
        server = undefined;
        await assert.rejects(
          boot(t, { name: `${prefix}-nosnap`, image: '', bootSnapshotId: randomUUID() }),
          code(Status.NOT_FOUND, /no volume snapshot named/),
        );
      } finally {
        await remove(t, server);
        if (snapshotId)
          await quietly(() =>
            t.api.volume.deleteVolumeSnapshot({ location: t.where, nameOrId: snapshotId, wait: true }),
          );
        if (volumeId)
          await quietly(() => t.api.volume.deleteVolume({ location: t.where, nameOrId: volumeId, wait: true }));
      }
    });

    test('ListFlavors: name substring, sorts by ram / vcpus / disk, skip_extra_specs', async () => {
      const t = target();
      const flavors = async (fields: Record<string, unknown>) =>
        objects<any>(
          await collect(t.api.compute.listFlavors({ location: t.where, strict: true, ...fields })),
          'flavor',
        );
      const all = await flavors({});
      const fragment = t.flavor.slice(1, -1).toUpperCase();
      const named = await flavors({ nameContains: fragment });
      assert.ok(named.some((f) => f.name === t.flavor));
      assert.ok(named.every((f) => f.name.toLowerCase().includes(fragment.toLowerCase())));
      for (const [sortBy, key] of [
        [FlavorSort.FLAVOR_SORT_RAM, 'ramMb'],
        [FlavorSort.FLAVOR_SORT_VCPUS, 'vcpus'],
        [FlavorSort.FLAVOR_SORT_DISK, 'diskGb'],
      ] as const) {
        const up = (await flavors({ sortBy })).map((f) => f[key]);
        assert.equal(up.length, all.length);
        assert.deepEqual(
          up,
          [...up].sort((a, b) => a - b),
        );
        const down = (await flavors({ sortBy, sortDescending: true })).map((f) => f[key]);
        assert.deepEqual(down, [...up].reverse());
      }
      const [one] = await flavors({ nameOrId: t.flavor, skipExtraSpecs: true });
      assert.equal(one?.name, t.flavor);
    });

    test('capabilities say which server options and filters the location takes', async () => {
      const t = target();
      const [caps] = objects<any>(
        await collect(t.api.capabilities.listCapabilities({ location: t.where, strict: true })),
        'capabilities',
      );
      const compute = caps.compute;
      assert.equal(compute.serverGroups, true);
      assert.deepEqual([...compute.serverGroupPolicies].sort(), [
        'affinity',
        'anti-affinity',
        'soft-affinity',
        'soft-anti-affinity',
      ]);
      assert.equal(compute.serverGroupRules, true);
      assert.equal(compute.tagsAtCreate, true);
      assert.equal(compute.serverDescription, true);
      assert.equal(compute.hostnameAtCreate, true);
      assert.ok(compute.cloudServerFilters.includes('tags'));
      assert.deepEqual(compute.oaktreeServerFilters, ['metadata']);
      assert.equal(compute.maxServerTags, 50);
      assert.equal(compute.maxServerMetadataItems, 128);
    });
  });
}
