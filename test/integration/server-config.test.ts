// Issue 14 part 2 through a mesh hop (edge -> leaf -> simulated clouds): ListServers filters give the same servers
// whether nova filters or oaktree does (a nova that ignores every list filter stands beside one that applies them),
// and a cloud at an old microversion refuses tags, create options and group rules naming the microversion they need.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { createOpenStackBackend } from '../../src/backends/openstack/backend.ts';
import { loadCloudsConfig } from '../../src/config/clouds/index.ts';
import {
  FloatingIPMode,
  type ListServersRequest,
  type Server,
  ServerGroupPolicy,
  ServerStatus,
} from '../../src/gen/oaktree/v1/compute.ts';
import type { LocationSelector } from '../../src/gen/oaktree/v1/location.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { startMesh, type Mesh } from '../support/mesh.ts';
import { clients, collect } from '../support/node.ts';
import { within } from '../support/wait.ts';

const FILTERS = 'sim-filters';
const IGNORES = 'sim-ignores';
const OLD = 'sim-old';
const ADMIN = 'sim-filters-admin';
/** Every server list filter the simulated nova knows, ignored by the IGNORES cloud. */
const ALL_FILTERS = ['name', 'status', 'flavor', 'image', 'tags', 'tags-any', 'changes-since'];

let simulator: Simulator;
let mesh: Mesh;
let api: ReturnType<typeof clients>;
let dir: string;

const at = (cloud: string): LocationSelector => ({ cloud, region: 'RegionOne', zone: '', project: undefined });
const servers = (items: any[]): Server[] => items.filter((i) => i.item?.$case === 'server').map((i) => i.item.value);
const code = (expected: Status, message: RegExp) => (e: ServerError) => {
  assert.equal(e.code, expected, e.message);
  assert.match(e.details, message);
  return true;
};

before(async () => {
  simulator = await startSimulator({
    clouds: [
      { name: FILTERS, bootDelayMs: 50 },
      { name: IGNORES, bootDelayMs: 50, ignoredServerFilters: ALL_FILTERS },
      { name: OLD, bootDelayMs: 50 },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'oaktree-server-config-'));
  // The FILTERS cloud once more, as its admin (all_projects).
  const doc = parse(simulator.cloudsYaml());
  const member = doc.clouds[FILTERS];
  const info = simulator.clouds.find((c) => c.name === FILTERS)!;
  doc.clouds[ADMIN] = {
    ...member,
    auth: { ...member.auth, username: info.adminUsername, password: info.adminPassword, project_name: 'admin' },
  };
  await writeFile(join(dir, 'clouds.yaml'), stringify(doc));
  const { clouds } = await loadCloudsConfig({ file: join(dir, 'clouds.yaml'), env: {} });
  const logger = silentLogger();
  const backends = clouds.map((cloud) =>
    createOpenStackBackend(cloud, {
      logger,
      // OLD is spoken to as a Mitaka-era nova would be: no tags, no descriptions, no soft policies or rules.
      session: cloud.name === OLD ? { computeMicroversions: { min: '2.1', max: '2.14' } } : undefined,
    }),
  );
  mesh = await startMesh([
    { id: 'edge', peers: ['leaf'] },
    { id: 'leaf', backends },
  ]);
  api = clients(mesh.address('edge'));
});

after(async () => {
  api?.close();
  await mesh?.close();
  await simulator?.close();
  await rm(dir, { recursive: true, force: true });
});

async function boot(cloud: string, fields: Record<string, unknown>): Promise<Server> {
  let server: Server | undefined;
  for await (const message of api.compute.createServer({
    location: at(cloud),
    image: 'cirros-0.6.2-x86_64-disk',
    flavor: 'm1.tiny',
    floatingIp: FloatingIPMode.FLOATING_IP_MODE_NONE,
    wait: true,
    ...fields,
  } as any))
    server = message.server;
  return server!;
}

describe('ListServers filters: the same servers whether nova filters or oaktree does', { timeout: 60_000 }, () => {
  let started: Date;
  before(async () => {
    started = new Date(Date.now() - 2000);
    for (const cloud of [FILTERS, IGNORES]) {
      await boot(cloud, { name: 'alpha', tags: ['red', 'warm'], metadata: { role: 'web' } });
      await boot(cloud, { name: 'Beta', tags: ['blue'], metadata: { role: 'db' }, flavor: 'm1.small' });
      await boot(cloud, { name: 'gamma-1' });
    }
  });

  const cases: Array<[string, Partial<ListServersRequest>, string[]]> = [
    ['no filter', {}, ['Beta', 'alpha', 'gamma-1']],
    ['tags, all of', { tags: ['red', 'warm'] }, ['alpha']],
    ['tags, all of, none has both', { tags: ['red', 'blue'] }, []],
    ['tags, any of', { tagsAny: ['red', 'blue'] }, ['Beta', 'alpha']],
    ['metadata key and value', { metadata: { role: 'db' } }, ['Beta']],
    ['metadata key, any value', { metadata: { role: '' } }, ['Beta', 'alpha']],
    ['name regex, case-insensitive search', { nameRegex: 'HA$' }, ['alpha']],
    ['name regex, anchored', { nameRegex: '^(alpha|beta)$' }, ['Beta', 'alpha']],
    // MySQL's POSIX class (nova hands the pattern to its database); JavaScript would read it as a set of characters.
    ['name regex, a POSIX class as MySQL reads it', { nameRegex: '^GAMMA-[[:digit:]]+$' }, ['gamma-1']],
    ['exact name', { nameOrId: 'gamma-1' }, ['gamma-1']],
    ['flavor by name', { flavor: 'm1.small' }, ['Beta']],
    ['image by name', { image: 'cirros-0.6.2-x86_64-disk' }, ['Beta', 'alpha', 'gamma-1']],
    ['unknown image', { image: 'no-such-image' }, []],
    ['status', { status: ServerStatus.SERVER_STATUS_ACTIVE }, ['Beta', 'alpha', 'gamma-1']],
    ['status nobody has', { status: ServerStatus.SERVER_STATUS_STOPPED }, []],
    ['changes-since, in the future', { changesSince: new Date(Date.now() + 3_600_000) }, []],
    ['several at once', { tagsAny: ['red', 'blue'], metadata: { role: 'web' }, flavor: 'm1.tiny' }, ['alpha']],
  ];
  for (const [what, filters, expected] of cases) {
    test(what, async () => {
      const names = async (cloud: string) =>
        servers(await collect(api.compute.listServers({ location: at(cloud), strict: true, ...filters })))
          .map((s) => s.name)
          .sort();
      assert.deepEqual(await names(FILTERS), expected, 'nova filtered');
      assert.deepEqual(await names(IGNORES), expected, 'oaktree filtered');
    });
  }
  test('all_projects: PERMISSION_DENIED for a member; an admin sees every project, each in its Location', async () => {
    await assert.rejects(
      collect(api.compute.listServers({ location: at(FILTERS), strict: true, allProjects: true })),
      code(Status.PERMISSION_DENIED, /get_all_tenants/),
    );
    const own = servers(await collect(api.compute.listServers({ location: at(ADMIN), strict: true })));
    assert.equal(own.length, 0, 'the admin project has no servers of its own');
    const all = servers(
      await collect(api.compute.listServers({ location: at(ADMIN), strict: true, allProjects: true, tags: ['red'] })),
    );
    assert.deepEqual(
      all.map((s) => s.name),
      ['alpha'],
    );
    const demo = servers(
      await collect(api.compute.listServers({ location: at(FILTERS), strict: true, nameOrId: 'alpha' })),
    );
    assert.equal(all[0].location?.project?.id, demo[0].location?.project?.id, "the server's own project");
  });

  test('changes-since, before the servers were made', async () => {
    for (const cloud of [FILTERS, IGNORES]) {
      const found = servers(
        await collect(api.compute.listServers({ location: at(cloud), strict: true, changesSince: started })),
      );
      assert.equal(found.length, 3, cloud);
    }
  });
});

describe('a cloud at an old microversion (2.14) refuses what it lacks, naming the microversion', () => {
  let server: Server;
  before(async () => {
    server = await boot(OLD, { name: 'old-one' });
  });

  test('tags: filters, set and delete are FAILED_PRECONDITION naming 2.26; servers carry none', async () => {
    await assert.rejects(
      collect(api.compute.listServers({ location: at(OLD), strict: true, tags: ['red'] })),
      code(Status.FAILED_PRECONDITION, /speaks compute microversion 2\.14; filtering servers by tag needs 2\.26/),
    );
    await assert.rejects(
      api.compute.setServerTags({ location: at(OLD), nameOrId: server.id, tags: ['red'] }),
      code(Status.FAILED_PRECONDITION, /server tags need 2\.26/),
    );
    await assert.rejects(
      api.compute.deleteServerTags({ location: at(OLD), nameOrId: server.id, all: true }),
      code(Status.FAILED_PRECONDITION, /server tags need 2\.26/),
    );
    assert.deepEqual(server.tags, []);
    // Metadata has no microversion: it works on any cloud.
    const set = await api.compute.setServerMetadata({ location: at(OLD), nameOrId: 'old-one', metadata: { a: '1' } });
    assert.deepEqual(set.metadata, { a: '1' });
  });

  test('CreateServer options: tags need 2.52, a description 2.19; nothing is created', async () => {
    await assert.rejects(
      boot(OLD, { name: 'old-tagged', tags: ['red'] }),
      code(Status.FAILED_PRECONDITION, /microversion 2\.14; tags at create needs 2\.52/),
    );
    await assert.rejects(
      boot(OLD, { name: 'old-described', description: 'x' }),
      code(Status.FAILED_PRECONDITION, /a server description needs 2\.19/),
    );
    const names = servers(await collect(api.compute.listServers({ location: at(OLD), strict: true }))).map(
      (s) => s.name,
    );
    assert.deepEqual(names, ['old-one']);
  });

  test('server groups: soft policies need 2.15, rules 2.64; plain policies work', async () => {
    await assert.rejects(
      api.compute.createServerGroup({
        location: at(OLD),
        name: 'soft',
        policy: ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_AFFINITY,
      }),
      code(Status.INVALID_ARGUMENT, /soft-affinity policy needs 2\.15/),
    );
    await assert.rejects(
      api.compute.createServerGroup({
        location: at(OLD),
        name: 'ruled',
        policy: ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY,
        maxServerPerHost: 2,
      }),
      code(Status.INVALID_ARGUMENT, /max_server_per_host needs 2\.64/),
    );
    const { serverGroup } = await api.compute.createServerGroup({
      location: at(OLD),
      name: 'plain',
      policy: ServerGroupPolicy.SERVER_GROUP_POLICY_AFFINITY,
    });
    assert.equal(serverGroup?.policy, ServerGroupPolicy.SERVER_GROUP_POLICY_AFFINITY);
    assert.equal(serverGroup?.location?.cloud, OLD);
    await api.compute.deleteServerGroup({ location: at(OLD), nameOrId: 'plain' });
  });

  test('capabilities follow the microversion', async () => {
    const items = await collect(api.capabilities.listCapabilities({ location: at(OLD), strict: true }));
    const compute = (items[0].item as any).value.compute;
    assert.equal(compute.serverTags, false);
    assert.equal(compute.tagsAtCreate, false);
    assert.equal(compute.serverDescription, false);
    assert.equal(compute.serverGroupRules, false);
    assert.deepEqual(compute.serverGroupPolicies, ['affinity', 'anti-affinity']);
    assert.ok(!compute.cloudServerFilters.includes('tags'));
    assert.equal(compute.flavorExtraSpecsInList, false);
    assert.equal(compute.maxServerTags, 0);
  });

  test('skip_extra_specs saves the per-flavor extra-spec call before 2.61', async () => {
    const extraSpecCalls = () =>
      Object.entries(simulator.stats().byRoute)
        .filter(([route]) => route.startsWith(`${OLD}/compute`) && route.endsWith('/os-extra_specs'))
        .reduce((sum, [, n]) => sum + n, 0);
    const before = extraSpecCalls();
    await collect(api.compute.listFlavors({ location: at(OLD), strict: true, nameOrId: 'm1.tiny' }));
    assert.equal(extraSpecCalls(), before + 1, 'a lookup by name fetches the extra specs');
    await collect(
      api.compute.listFlavors({ location: at(OLD), strict: true, nameOrId: 'm1.tiny', skipExtraSpecs: true }),
    );
    assert.equal(extraSpecCalls(), before + 1, 'skip_extra_specs makes no such call');
  });
});

describe("anti-affinity on the simulator's one host", () => {
  test("the second member of a strict anti-affinity group fails to build, as nova's scheduler fails it", async () => {
    const { serverGroup } = await api.compute.createServerGroup({
      location: at(FILTERS),
      name: 'apart',
      policy: ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY,
    });
    const first = await boot(FILTERS, { name: 'apart-1', serverGroup: 'apart' });
    assert.equal(first.status, ServerStatus.SERVER_STATUS_ACTIVE);
    await assert.rejects(
      boot(FILTERS, { name: 'apart-2', serverGroup: serverGroup!.id }),
      code(Status.ABORTED, /No valid host was found/),
    );
    const group = await api.compute.getServerGroup({ location: at(FILTERS), nameOrId: 'apart' });
    assert.equal(group.serverGroup?.memberIds.length, 2, 'the failed server is a member, as in nova');
  });
});

describe("nova's 409 for a server's state is FAILED_PRECONDITION naming the state", { timeout: 90_000 }, () => {
  const action = (nameOrId: string, value: any) =>
    collect(api.compute.runServerAction({ location: at(FILTERS), nameOrId, action: value, wait: true }));

  test('a locked server refuses metadata changes and delete to its project; tags, rename and an admin pass', async () => {
    const server = await boot(FILTERS, { name: 'locked-one' });
    await action(server.id, { $case: 'lock', value: { reason: '' } });
    const where = { location: at(FILTERS), nameOrId: server.id };
    await assert.rejects(
      api.compute.setServerMetadata({ ...where, metadata: { a: '1' } }),
      code(
        Status.FAILED_PRECONDITION,
        /^cannot change the metadata of server locked-one \(.+\) in .+: it is ACTIVE, locked; the cloud says: Instance .+ is locked$/,
      ),
    );
    await assert.rejects(
      api.compute.deleteServerMetadata({ ...where, keys: ['a'] }),
      code(Status.FAILED_PRECONDITION, /cannot change the metadata of server locked-one .*locked/),
    );
    await assert.rejects(
      api.compute.deleteServer(where),
      code(Status.FAILED_PRECONDITION, /^cannot delete server locked-one .*: it is ACTIVE, locked;/),
    );
    // Nova checks the lock for neither tags nor the name.
    assert.deepEqual((await api.compute.setServerTags({ ...where, tags: ['kept'] })).tags, ['kept']);
    assert.equal((await api.compute.updateServer({ ...where, name: 'locked-renamed' })).server?.name, 'locked-renamed');
    // An admin passes the lock (nova's check_instance_lock).
    const admin = await api.compute.setServerMetadata({
      location: at(ADMIN),
      nameOrId: server.id,
      metadata: { a: '1' },
    });
    assert.deepEqual(admin.metadata, { a: '1' });

    await action(server.id, { $case: 'unlock', value: {} });
    await api.compute.deleteServer({ ...where, wait: true });
  });

  test('a rescued server refuses metadata and tag changes, naming RESCUE', async () => {
    const server = await boot(FILTERS, { name: 'rescued-one' });
    await action(server.id, { $case: 'rescue', value: { image: '' } });
    const where = { location: at(FILTERS), nameOrId: server.id };
    await assert.rejects(
      api.compute.setServerMetadata({ ...where, metadata: { a: '1' } }),
      code(
        Status.FAILED_PRECONDITION,
        /^cannot change the metadata of server rescued-one .*: it is RESCUE; the cloud says: Cannot 'update metadata' instance .+ while it is in vm_state rescued$/,
      ),
    );
    await assert.rejects(
      api.compute.setServerTags({ ...where, tags: ['x'] }),
      code(Status.FAILED_PRECONDITION, /^cannot change the tags of server rescued-one .*vm_state rescued$/),
    );
    await assert.rejects(
      api.compute.deleteServerTags({ ...where, all: true }),
      code(Status.FAILED_PRECONDITION, /cannot change the tags of server rescued-one .*'delete tags'/),
    );
    await action(server.id, { $case: 'unrescue', value: {} });
    const set = await api.compute.setServerMetadata({ ...where, metadata: { a: '1' } });
    assert.deepEqual(set.metadata, { a: '1' }, 'ACTIVE again: the change is taken');
    await api.compute.deleteServer({ ...where, wait: true });
  });
});

describe('SetServerTags adds', { timeout: 60_000 }, () => {
  test('concurrent adds all land: each tag is its own PUT, not a rewrite of the list', async () => {
    const server = await boot(FILTERS, { name: 'tagged-together', tags: ['first'] });
    const where = { location: at(FILTERS), nameOrId: server.id };
    const added = Array.from({ length: 8 }, (_, i) => `t${i}`);
    const answers = await Promise.all(added.map((tag) => api.compute.setServerTags({ ...where, tags: [tag] })));
    answers.forEach((answer, i) => assert.ok(answer.tags.includes(added[i]), `the answer to adding ${added[i]}`));
    const { server: after } = await api.compute.getServer(where);
    assert.deepEqual([...(after?.tags ?? [])].sort(), ['first', ...added].sort());
    // Past the limit nothing is added, and replace still sets the whole list.
    await assert.rejects(
      api.compute.setServerTags({ ...where, tags: Array.from({ length: 45 }, (_, i) => `more${i}`) }),
      code(Status.INVALID_ARGUMENT, /would carry 54 tags; a server carries at most 50/),
    );
    const replaced = await api.compute.setServerTags({ ...where, tags: ['only'], replace: true });
    assert.deepEqual(replaced.tags, ['only']);
    await api.compute.deleteServer({ ...where, wait: true });
  });
});

describe('WatchServers with a metadata filter', { timeout: 60_000 }, () => {
  test('shows only matching servers; one that stops matching gets one last event, then none', async () => {
    await boot(FILTERS, { name: 'watch-me' });
    const abort = new AbortController();
    const stream = api.compute
      .watchServers({ location: at(FILTERS), metadata: { watched: 'yes' } }, { signal: abort.signal })
      [Symbol.asyncIterator]();
    const next = async () => {
      for (;;) {
        const { value } = await within(stream.next(), 20_000, 'the next watch message');
        if (value.item?.$case === 'event') return value.item.value;
        if (value.item?.$case === 'checkpoint' && value.item.value.initialStateComplete) return 'synced';
      }
    };
    try {
      assert.equal(await next(), 'synced', 'no server matches yet: the snapshot is empty');
      const set = (metadata: Record<string, string>) =>
        api.compute.setServerMetadata({ location: at(FILTERS), nameOrId: 'watch-me', metadata });

      await set({ watched: 'yes' });
      const started = (await next()) as any;
      assert.equal(started.server.name, 'watch-me');
      assert.equal(started.server.metadata.watched, 'yes');

      await set({ watched: 'no' });
      const stopped = (await next()) as any;
      assert.equal(stopped.server.metadata.watched, 'no', 'the last event shows why it no longer matches');

      await set({ other: '1' }); // not told: watch-me does not match
      await set({ watched: 'yes' });
      const again = (await next()) as any;
      assert.equal(again.server.metadata.watched, 'yes', 'the change while not matching was not told');
    } finally {
      abort.abort(); // ends the call; the client's pending read then rejects with AbortError, which is expected
    }
  });

  test('a bad filter is INVALID_ARGUMENT at the edge', async () => {
    await assert.rejects(
      collect(api.compute.watchServers({ location: at(FILTERS), tags: ['a,b'] })),
      code(Status.INVALID_ARGUMENT, /tags\[0\] is not a valid tag/),
    );
  });
});
