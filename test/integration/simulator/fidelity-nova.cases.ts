// Nova's admin APIs and leftovers (flavor management and access, extra specs, aggregates, hypervisors, services,
// quota sets, /extensions, the image proxy), as the simulator and the real cloud must both answer them.
import { eventually } from '../../support/wait.ts';
import {
  type FidelityCase,
  type FidelityTarget,
  type Observation,
  observe,
  type Session,
} from '../../support/fidelity.ts';

const FORBIDDEN = ['forbidden.code', 'forbidden.message'];

function nova(
  t: FidelityTarget,
  who: Session,
  label: string,
  status: number,
  path: string,
  opts: { method?: string; body?: unknown; microversion?: string } = {},
  extra: Partial<Observation> = {},
) {
  return observe(t, who, 'compute', label, status, { path, ...opts }, extra);
}

export const novaCases: FidelityCase[] = [
  {
    name: 'a member is refused the admin APIs and reads its own quotas, the extensions and the image proxy',
    async run(t) {
      const m = t.member;
      const out: Observation[] = [];
      for (const [path, rule] of [
        ['/os-hypervisors', 'list'],
        ['/os-hypervisors/detail', 'list-detail'],
        ['/os-services', 'list'],
        ['/os-aggregates', 'index'],
      ])
        out.push(await nova(t, m, `${path} (${rule})`, 403, path, {}, { same: FORBIDDEN }));
      out.push(
        await nova(
          t,
          m,
          'create a flavor',
          403,
          '/flavors',
          { method: 'POST', body: { flavor: { name: `${t.prefix}-nope`, ram: 64, vcpus: 1, disk: 0 } } },
          { same: FORBIDDEN },
        ),
      );
      out.push(
        await nova(
          t,
          m,
          "another project's quotas",
          403,
          `/os-quota-sets/${t.admin.projectId}`,
          {},
          { same: FORBIDDEN },
        ),
      );
      out.push(
        await nova(
          t,
          m,
          'update own quotas',
          403,
          `/os-quota-sets/${m.projectId}`,
          { method: 'PUT', body: { quota_set: { instances: 5 } } },
          { same: FORBIDDEN },
        ),
      );
      for (const mv of ['2.1', '2.36', '2.57']) {
        out.push(
          await nova(t, m, `own quotas at ${mv}`, 200, `/os-quota-sets/${m.projectId}`, { microversion: mv }, {}),
        );
        out.push(
          await nova(
            t,
            m,
            `quota defaults at ${mv}`,
            200,
            `/os-quota-sets/${m.projectId}/defaults`,
            { microversion: mv },
            {},
          ),
        );
        out.push(
          await nova(
            t,
            m,
            `quota detail at ${mv}`,
            200,
            `/os-quota-sets/${m.projectId}/detail`,
            { microversion: mv },
            { same: ['quota_set.key_pairs.reserved'] },
          ),
        );
      }
      out.push(
        await nova(t, m, 'extensions', 200, '/extensions', {}, { same: ['extensions[].alias', 'extensions[].name'] }),
      );
      out.push(await nova(t, m, 'one extension', 200, '/extensions/os-keypairs', {}, { same: ['extension'] }));
      out.push(await nova(t, m, 'image proxy list', 200, '/images', {}, { ignore: ['images[].metadata'] }));
      // Only snapshots carry "server"; whether the real cloud holds one depends on the day.
      out.push(
        await nova(
          t,
          m,
          'image proxy detail',
          200,
          '/images/detail',
          {},
          { ignore: ['images[].metadata', 'images[].server'] },
        ),
      );
      out.push(
        await nova(t, m, 'image proxy: a missing image', 404, '/images/s3-sim-missing', {}, { same: ['itemNotFound'] }),
      );
      out.push(
        await nova(
          t,
          m,
          'image proxy is gone at 2.36',
          404,
          '/images/detail',
          { microversion: '2.36' },
          { same: ['itemNotFound.code'] },
        ),
      );
      return out;
    },
  },
  {
    name: 'an admin reads hypervisors and services per microversion',
    async run(t) {
      const a = t.admin;
      const out: Observation[] = [];
      for (const mv of ['2.1', '2.28', '2.53', '2.88']) {
        const list = await nova(
          t,
          a,
          `hypervisors at ${mv}`,
          200,
          '/os-hypervisors',
          { microversion: mv },
          { same: ['hypervisors[].state', 'hypervisors[].status'] },
        );
        out.push(list);
        out.push(
          await nova(
            t,
            a,
            `hypervisor detail at ${mv}`,
            200,
            '/os-hypervisors/detail',
            { microversion: mv },
            { same: ['hypervisors[].hypervisor_type'] },
          ),
        );
        const id = list.answer.body?.hypervisors?.[0]?.id;
        out.push(await nova(t, a, `one hypervisor at ${mv}`, 200, `/os-hypervisors/${id}`, { microversion: mv }));
        out.push(
          await nova(
            t,
            a,
            `services at ${mv}`,
            200,
            '/os-services',
            { microversion: mv },
            // nova lists services in the order they first registered, which differs between two installs.
            { sameInAnyOrder: ['services[].binary', 'services[].zone', 'services[].status'] },
          ),
        );
      }
      out.push(
        await nova(t, a, 'a missing hypervisor', 404, '/os-hypervisors/987654', {}, { same: ['itemNotFound.code'] }),
      );
      // Both clouds' compute hosts have "compute" in their names.
      out.push(
        await nova(t, a, 'search (2.1)', 200, '/os-hypervisors/compute/search', {}, { same: ['hypervisors[].state'] }),
      );
      out.push(
        await nova(
          t,
          a,
          'search finds nothing (2.1)',
          404,
          '/os-hypervisors/s3-sim-none/search',
          {},
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'hostname pattern (2.53)',
          200,
          '/os-hypervisors?hypervisor_hostname_pattern=compute',
          { microversion: '2.53' },
          { same: ['hypervisors[].status'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'hostname pattern finds nothing (2.53)',
          404,
          '/os-hypervisors/detail?hypervisor_hostname_pattern=s3-sim-none',
          { microversion: '2.53' },
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'with servers (2.75)',
          200,
          '/os-hypervisors?with_servers=true',
          { microversion: '2.75' },
          { ignore: ['hypervisors[].servers[]'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'uptime of the fake driver',
          501,
          '/os-hypervisors/1/uptime',
          {},
          { same: ['notImplemented'] },
        ),
      );
      const nohost = { host: `${t.prefix}-nohost`, binary: 'nova-compute' };
      out.push(
        await nova(
          t,
          a,
          'disable a service of a missing host (2.1)',
          404,
          '/os-services/disable',
          { method: 'PUT', body: nohost },
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'an unknown service action (2.1)',
          404,
          '/os-services/bogus',
          { method: 'PUT', body: nohost },
          { same: ['itemNotFound'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'update a missing service (2.53)',
          404,
          '/os-services/00000000-0000-0000-0000-000000000000',
          { method: 'PUT', microversion: '2.53', body: { status: 'enabled' } },
          { same: ['itemNotFound'] },
        ),
      );
      return out;
    },
  },
  {
    name: 'an admin manages a private flavor: create, 409, access, extra specs, description, delete',
    async run(t) {
      const a = t.admin;
      const name = `${t.prefix}-flavor`;
      const out: Observation[] = [];
      const created = await nova(
        t,
        a,
        'create',
        200,
        '/flavors',
        {
          method: 'POST',
          microversion: '2.61',
          body: { flavor: { name, ram: 64, vcpus: 1, disk: 0, 'os-flavor-access:is_public': false } },
        },
        {
          same: [
            'flavor.name',
            'flavor.ram',
            'flavor.vcpus',
            'flavor.disk',
            'flavor.swap',
            'flavor.os-flavor-access:is_public',
            'flavor.description',
            'flavor.extra_specs',
          ],
        },
      );
      out.push(created);
      const id = created.answer.body?.flavor?.id;
      t.cleanup(() => t.call(a, 'compute', 'DELETE', `/flavors/${id}`));
      const path = `/flavors/${id}`;
      out.push(
        await nova(
          t,
          a,
          'duplicate name',
          409,
          '/flavors',
          { method: 'POST', body: { flavor: { name, ram: 64, vcpus: 1, disk: 0 } } },
          { same: ['conflictingRequest'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'bad ram',
          400,
          '/flavors',
          { method: 'POST', body: { flavor: { name: `${name}-bad`, ram: 'lots', vcpus: 1, disk: 0 } } },
          { same: ['badRequest.code'] },
        ),
      );
      out.push(await nova(t, t.member, 'a member does not see it', 404, path, {}, { same: ['itemNotFound.code'] }));
      out.push(await nova(t, a, 'empty access list', 200, `${path}/os-flavor-access`, {}, { same: ['flavor_access'] }));
      const add = { addTenantAccess: { tenant: t.member.projectId } };
      out.push(
        await nova(
          t,
          t.member,
          'a member without access reads the access list',
          404,
          `${path}/os-flavor-access`,
          {},
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(
        await nova(t, a, 'give the member project access', 200, `${path}/action`, { method: 'POST', body: add }, {}),
      );
      out.push(
        await nova(
          t,
          a,
          'give it again',
          409,
          `${path}/action`,
          { method: 'POST', body: add },
          { same: ['conflictingRequest.code'] },
        ),
      );
      out.push(await nova(t, t.member, 'the member reads the access list', 200, `${path}/os-flavor-access`, {}, {}));
      out.push(
        await nova(
          t,
          t.member,
          'the member sees it',
          200,
          path,
          { microversion: '2.61' },
          { same: ['flavor.name', 'flavor.os-flavor-access:is_public'] },
        ),
      );
      out.push(
        await nova(
          t,
          t.member,
          'a member may not set extra specs',
          403,
          `${path}/os-extra_specs`,
          { method: 'POST', body: { extra_specs: { a: 'b' } } },
          { same: FORBIDDEN },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'set extra specs',
          200,
          `${path}/os-extra_specs`,
          { method: 'POST', body: { extra_specs: { 'hw:cpu_policy': 'dedicated', 'hw_rng:allowed': 'True' } } },
          { same: ['extra_specs'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'update one spec',
          200,
          `${path}/os-extra_specs/hw:cpu_policy`,
          { method: 'PUT', body: { 'hw:cpu_policy': 'shared' } },
          { same: ['hw:cpu_policy'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'body and URI mismatch',
          400,
          `${path}/os-extra_specs/hw:cpu_policy`,
          { method: 'PUT', body: { 'hw:mem_page_size': 'large' } },
          { same: ['badRequest'] },
        ),
      );
      out.push(await nova(t, a, 'read the specs', 200, `${path}/os-extra_specs`, {}, { same: ['extra_specs'] }));
      out.push(await nova(t, a, 'delete one spec', 200, `${path}/os-extra_specs/hw:cpu_policy`, { method: 'DELETE' }));
      out.push(
        await nova(
          t,
          a,
          'delete it again',
          404,
          `${path}/os-extra_specs/hw:cpu_policy`,
          { method: 'DELETE' },
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'describe it (2.55)',
          200,
          path,
          { method: 'PUT', microversion: '2.55', body: { flavor: { description: 'fidelity' } } },
          { same: ['flavor.description'] },
        ),
      );
      const remove = { removeTenantAccess: { tenant: t.member.projectId } };
      out.push(
        await nova(
          t,
          a,
          'take the access back',
          200,
          `${path}/action`,
          { method: 'POST', body: remove },
          { same: ['flavor_access'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'take it back again',
          404,
          `${path}/action`,
          { method: 'POST', body: remove },
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(
        await nova(t, t.member, 'a member may not delete it', 403, path, { method: 'DELETE' }, { same: FORBIDDEN }),
      );
      out.push(await nova(t, a, 'delete', 202, path, { method: 'DELETE' }));
      out.push(await nova(t, a, 'delete again', 404, path, { method: 'DELETE' }, { same: ['itemNotFound.code'] }));
      return out;
    },
  },
  {
    name: 'an admin manages an aggregate: create, 409, hosts, metadata, rename, delete',
    async run(t) {
      const a = t.admin;
      const name = `${t.prefix}-aggregate`;
      const out: Observation[] = [];
      const hosts = await t.call(a, 'compute', 'GET', '/os-hypervisors');
      const host = hosts.body.hypervisors[0].hypervisor_hostname;
      const created = await nova(
        t,
        a,
        'create',
        200,
        '/os-aggregates',
        { method: 'POST', body: { aggregate: { name, availability_zone: null } } },
        { same: ['aggregate.name', 'aggregate.availability_zone', 'aggregate.deleted', 'aggregate.updated_at'] },
      );
      out.push(created);
      const id = created.answer.body?.aggregate?.id;
      const path = `/os-aggregates/${id}`;
      t.cleanup(async () => {
        await t.call(a, 'compute', 'POST', `${path}/action`, { remove_host: { host } });
        return t.call(a, 'compute', 'DELETE', path);
      });
      out.push(
        await nova(
          t,
          a,
          'duplicate',
          409,
          '/os-aggregates',
          { method: 'POST', body: { aggregate: { name } } },
          { same: ['conflictingRequest'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'add the compute host',
          200,
          `${path}/action`,
          { method: 'POST', body: { add_host: { host } } },
          { same: ['aggregate.name', 'aggregate.metadata'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'add a missing host',
          404,
          `${path}/action`,
          { method: 'POST', body: { add_host: { host: `${t.prefix}-nohost` } } },
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'set metadata (2.41)',
          200,
          `${path}/action`,
          { method: 'POST', microversion: '2.41', body: { set_metadata: { metadata: { fidelity: 'yes' } } } },
          { same: ['aggregate.metadata'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'rename',
          200,
          path,
          { method: 'PUT', body: { aggregate: { name: `${name}-2` } } },
          { same: ['aggregate.name'] },
        ),
      );
      out.push(await nova(t, a, 'show', 200, path, {}, { same: ['aggregate.name', 'aggregate.metadata'] }));
      out.push(await nova(t, a, 'list', 200, '/os-aggregates'));
      out.push(
        await nova(
          t,
          a,
          'remove the host',
          200,
          `${path}/action`,
          { method: 'POST', body: { remove_host: { host } } },
          { same: ['aggregate.hosts'] },
        ),
      );
      out.push(
        await nova(
          t,
          a,
          'remove it again',
          404,
          `${path}/action`,
          { method: 'POST', body: { remove_host: { host } } },
          { same: ['itemNotFound.code'] },
        ),
      );
      out.push(await nova(t, a, 'delete', 200, path, { method: 'DELETE' }));
      out.push(await nova(t, a, 'delete again', 404, path, { method: 'DELETE' }, { same: ['itemNotFound.code'] }));
      return out;
    },
  },
  {
    name: "an admin sets and reverts a new project's quotas",
    async run(t) {
      const a = t.admin;
      const project = await t.call(a, 'identity', 'POST', '/projects', { project: { name: `${t.prefix}-quota` } });
      const projectId = project.body.project.id;
      t.cleanup(() => t.call(a, 'identity', 'DELETE', `/projects/${projectId}`));
      const path = `/os-quota-sets/${projectId}`;
      return [
        await nova(
          t,
          a,
          'update',
          200,
          path,
          { method: 'PUT', body: { quota_set: { instances: 7, cores: 9 } } },
          { same: ['quota_set.instances', 'quota_set.cores'] },
        ),
        await nova(t, a, 'show', 200, path, {}, { same: ['quota_set.instances', 'quota_set.cores'] }),
        await nova(
          t,
          a,
          'a bad value',
          400,
          path,
          { method: 'PUT', body: { quota_set: { instances: 'many' } } },
          { same: ['badRequest.code'] },
        ),
        await nova(
          t,
          a,
          'an unknown quota',
          400,
          path,
          { method: 'PUT', body: { quota_set: { gizmos: 1 } } },
          { same: ['badRequest.code'] },
        ),
        await nova(t, a, 'revert', 202, path, { method: 'DELETE' }),
      ];
    },
  },
  {
    name: 'a server booted with config_drive: the admin-only attributes per microversion, the member view',
    async run(t) {
      const m = t.member;
      const images = (await t.call(m, 'image', 'GET', '/v2/images?status=active&visibility=public')).body.images;
      const flavors = (await t.call(m, 'compute', 'GET', '/flavors/detail')).body.flavors;
      const flavor = flavors.sort((x: { ram: number }, y: { ram: number }) => x.ram - y.ram)[0];
      const request = {
        server: {
          name: `${t.prefix}-server`,
          imageRef: images[0].id,
          flavorRef: flavor.id,
          networks: 'none',
          config_drive: true,
        },
      };
      const created = await nova(
        t,
        m,
        'boot with config_drive',
        202,
        '/servers',
        { method: 'POST', microversion: '2.37', body: request },
        { ignore: ['server.adminPass'] },
      );
      const id = created.answer.body?.server?.id;
      t.cleanup(() => t.call(m, 'compute', 'DELETE', `/servers/${id}`));
      await eventually(
        async () => (await t.call(m, 'compute', 'GET', `/servers/${id}`)).body?.server?.status === 'ACTIVE',
        `${t.label}: server ${id} ACTIVE`,
        { timeoutMs: 60_000, everyMs: 250 },
      );
      const out: Observation[] = [created];
      const attrs = (mv: string) => ({ microversion: mv });
      // Only the attributes of this slice are compared; the rest of the server view belongs to other cases.
      const pick = (o: Observation): Observation => {
        const server = o.answer.body?.server ?? {};
        const body = {
          server: Object.fromEntries(
            Object.entries(server).filter(
              ([k]) => k.startsWith('OS-EXT-SRV-ATTR:') || k === 'config_drive' || k === 'host_status',
            ),
          ),
        };
        return { ...o, answer: { ...o.answer, body } };
      };
      for (const mv of ['2.1', '2.3', '2.16', '2.90']) {
        out.push(
          pick(
            await nova(t, t.admin, `admin view at ${mv}`, 200, `/servers/${id}`, attrs(mv), {
              same: [
                'server.config_drive',
                'server.OS-EXT-SRV-ATTR:launch_index',
                'server.OS-EXT-SRV-ATTR:kernel_id',
                'server.OS-EXT-SRV-ATTR:ramdisk_id',
                'server.OS-EXT-SRV-ATTR:user_data',
                'server.OS-EXT-SRV-ATTR:hostname',
                'server.host_status',
              ],
            }),
          ),
        );
        out.push(
          pick(await nova(t, m, `member view at ${mv}`, 200, `/servers/${id}`, attrs(mv), { same: ['server'] })),
        );
      }
      return out;
    },
  },
];
