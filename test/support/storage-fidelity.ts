// Cinder and Glance fidelity (issue 21): the same raw requests to the simulator (test/integration) and to the real
// cloud (test/real), compared field by field there: status codes, error bodies with ids blanked, and the keys of
// every object.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

export interface Api {
  label: string;
  call(service: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export async function connect(label: string, cloudsYaml: string, cloud: string): Promise<Api> {
  const entry = parse(await readFile(cloudsYaml, 'utf8')).clouds[cloud];
  const a = entry.auth;
  const base = String(a.auth_url).replace(/\/$/, '');
  const res = await fetch(`${base.endsWith('/v3') ? base : `${base}/v3`}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: a.username, domain: { name: a.user_domain_name ?? 'Default' }, password: a.password },
          },
        },
        scope: { project: { name: a.project_name, domain: { name: a.project_domain_name ?? 'Default' } } },
      },
    }),
  });
  assert.equal(res.status, 201, `${label}: authenticated`);
  const token = res.headers.get('x-subject-token')!;
  const catalog = ((await res.json()) as any).token.catalog as any[];
  const url = (type: string) =>
    catalog
      .find((s) => s.type === type)
      .endpoints.find((e: any) => e.interface === 'public' && (!entry.region_name || e.region === entry.region_name))
      .url.replace(/\/$/, '') as string;
  return {
    label,
    async call(service, method, path, body) {
      const r = await fetch(`${url(service)}${path}`, {
        method,
        headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: compared as text
      }
      return { status: r.status, body: parsed };
    },
  };
}

/** An answer with ids, times and hosts blanked, so two clouds' answers compare equal when they mean the same. */
function blank(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value ?? null)
      .replace(UUID, '<id>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?/g, '<time>'),
  );
}
const keys = (o: Record<string, unknown>) => Object.keys(o).sort();

async function waitFor(api: Api, path: string, key: string, status: string) {
  for (let i = 0; i < 100; i++) {
    const r = await api.call('volumev3', 'GET', path);
    if (r.body?.[key]?.status === status) return r.body[key];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${api.label}: ${path} never became ${status}`);
}

/** What both clouds are asked; each returns the answers to compare. */
async function cinderAnswers(api: Api, prefix: string) {
  const out: Record<string, unknown> = {};
  const created = await api.call('volumev3', 'POST', '/volumes', { volume: { name: `${prefix}-v`, size: 1 } });
  const id = created.body.volume.id as string;
  try {
    await waitFor(api, `/volumes/${id}`, 'volume', 'available');
    out.typeCreateAsMember = await api.call('volumev3', 'POST', '/types', { volume_type: { name: `${prefix}-t` } });
    out.hostsAsMember = await api.call('volumev3', 'GET', '/os-hosts');
    out.servicesAsMember = await api.call('volumev3', 'GET', '/os-services');
    const ext = await api.call('volumev3', 'GET', '/extensions');
    out.extensions = { status: ext.status, aliases: ext.body.extensions.map((e: any) => e.alias).sort() };
    const types = await api.call('volumev3', 'GET', '/types');
    out.typeKeys = types.body.volume_types.map(keys);
    out.extendSameSize = await api.call('volumev3', 'POST', `/volumes/${id}/action`, { 'os-extend': { new_size: 1 } });
    out.retypeUnknown = await api.call('volumev3', 'POST', `/volumes/${id}/action`, {
      'os-retype': { new_type: `${prefix}-nope`, migration_policy: 'never' },
    });
    out.retypeSame = await api.call('volumev3', 'POST', `/volumes/${id}/action`, {
      'os-retype': { new_type: '__DEFAULT__', migration_policy: 'never' },
    });
    out.metadataMissingKey = await api.call('volumev3', 'DELETE', `/volumes/${id}/metadata/nope`);
    out.readonly = (
      await api.call('volumev3', 'POST', `/volumes/${id}/action`, {
        'os-update_readonly_flag': { readonly: true },
      })
    ).status;
    out.readonlyShown = (await api.call('volumev3', 'GET', `/volumes/${id}`)).body.volume.metadata;
    out.snapshotOfMissingVolume = await api.call('volumev3', 'POST', '/snapshots', {
      snapshot: { volume_id: '00000000-0000-0000-0000-000000000000' },
    });
    const snap = await api.call('volumev3', 'POST', '/snapshots', {
      snapshot: { volume_id: id, name: `${prefix}-s`, metadata: { a: 'b' } },
    });
    out.snapshotCreate = { status: snap.status, keys: keys(snap.body.snapshot) };
    const snapshot = await waitFor(api, `/snapshots/${snap.body.snapshot.id}`, 'snapshot', 'available');
    out.snapshotKeys = keys(snapshot);
    const listed = await api.call('volumev3', 'GET', `/snapshots/detail?volume_id=${id}`);
    out.snapshotList = listed.body.snapshots.map(keys);
    out.deleteWithSnapshot = await api.call('volumev3', 'DELETE', `/volumes/${id}`);
    out.snapshotDelete = (await api.call('volumev3', 'DELETE', `/snapshots/${snapshot.id}`)).status;
    for (let i = 0; i < 100; i++) {
      if ((await api.call('volumev3', 'GET', `/snapshots/${snapshot.id}`)).status === 404) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await api.call('volumev3', 'DELETE', `/volumes/${id}`);
  }
  return blank(out) as Record<string, unknown>;
}

/** The same Glance requests: member schemas, sharing, image actions and import filtering. */
async function glanceAnswers(api: Api, prefix: string) {
  const out: Record<string, unknown> = {};
  out.memberSchema = await api.call('image', 'GET', '/v2/schemas/member');
  out.membersSchema = await api.call('image', 'GET', '/v2/schemas/members');
  const created = await api.call('image', 'POST', '/v2/images', {
    name: `${prefix}-img`,
    disk_format: 'raw',
    container_format: 'bare',
    visibility: 'shared',
  });
  const id = created.body.id as string;
  try {
    const member = `${prefix.replace(/[^a-z0-9]/g, '')}member`;
    const added = await api.call('image', 'POST', `/v2/images/${id}/members`, { member });
    out.memberAdd = { status: added.status, keys: keys(added.body), status_: added.body.status };
    out.memberDuplicate = await api.call('image', 'POST', `/v2/images/${id}/members`, { member });
    const listed = await api.call('image', 'GET', `/v2/images/${id}/members`);
    out.memberList = { status: listed.status, keys: keys(listed.body), member: keys(listed.body.members[0]) };
    out.memberAcceptByOwner = await api.call('image', 'PUT', `/v2/images/${id}/members/${member}`, {
      status: 'accepted',
    });
    out.memberRemove = (await api.call('image', 'DELETE', `/v2/images/${id}/members/${member}`)).status;
    out.memberRemoveAgain = (await api.call('image', 'DELETE', `/v2/images/${id}/members/${member}`)).status;
    out.deactivateQueued = await api.call('image', 'POST', `/v2/images/${id}/actions/deactivate`);
    out.importFiltered = await api.call('image', 'POST', `/v2/images/${id}/import`, {
      method: { name: 'web-download', uri: 'http://127.0.0.1:1/nothing' },
    });
  } finally {
    await api.call('image', 'DELETE', `/v2/images/${id}`);
  }
  return blank(out) as Record<string, unknown>;
}

/** Read-only admin answers (nothing is created with the admin credential on the shared real cloud). */
async function adminAnswers(api: Api) {
  const hosts = await api.call('volumev3', 'GET', '/os-hosts');
  const services = await api.call('volumev3', 'GET', '/os-services?binary=cinder-volume');
  const types = await api.call('volumev3', 'GET', '/types');
  return blank({
    adminHosts: { status: hosts.status, keys: keys(hosts.body.hosts[0]) },
    adminServices: { status: services.status, keys: keys(services.body.services[0]) },
    adminTypeKeys: types.body.volume_types.map(keys),
  }) as Record<string, unknown>;
}

/** The answers compared, in the order they are asked. */
export const STORAGE_FIELDS = [
  'typeCreateAsMember',
  'hostsAsMember',
  'servicesAsMember',
  'extensions',
  'typeKeys',
  'extendSameSize',
  'retypeUnknown',
  'retypeSame',
  'metadataMissingKey',
  'readonly',
  'readonlyShown',
  'snapshotOfMissingVolume',
  'snapshotCreate',
  'snapshotKeys',
  'snapshotList',
  'deleteWithSnapshot',
  'snapshotDelete',
  'memberSchema',
  'membersSchema',
  'memberAdd',
  'memberDuplicate',
  'memberList',
  'memberAcceptByOwner',
  'memberRemove',
  'memberRemoveAgain',
  'deactivateQueued',
  'importFiltered',
  'adminHosts',
  'adminServices',
  'adminTypeKeys',
];

/** Every answer of one cloud: `member` and `admin` are entries of `cloudsYaml`. */
export async function storageAnswers(
  label: string,
  cloudsYaml: string,
  member: string,
  admin: string,
  prefix: string,
): Promise<Record<string, unknown>> {
  const api = await connect(label, cloudsYaml, member);
  const adminApi = await connect(`${label} admin`, cloudsYaml, admin);
  return {
    ...(await cinderAnswers(api, prefix)),
    ...(await glanceAnswers(api, prefix)),
    ...(await adminAnswers(adminApi)),
  };
}

/** The simulator's answers, from a simulator started for this and closed after. */
export async function simulatorStorageAnswers(prefix: string): Promise<Record<string, unknown>> {
  const simulator: Simulator = await startSimulator({
    clouds: [{ name: 'fid-storage', regions: ['RegionOne'], bootDelayMs: 0 }],
  });
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-storage-fidelity-'));
  try {
    await simulator.writeCloudsYaml(join(dir, 'clouds.yaml'));
    const doc = parse(await readFile(join(dir, 'clouds.yaml'), 'utf8'));
    const info = simulator.clouds[0];
    const entry = doc.clouds['fid-storage'];
    doc.clouds['fid-admin'] = {
      ...entry,
      auth: { ...entry.auth, username: info.adminUsername, password: info.adminPassword },
    };
    await writeFile(join(dir, 'clouds.yaml'), stringify(doc));
    return await storageAnswers('simulator', join(dir, 'clouds.yaml'), 'fid-storage', 'fid-admin', prefix);
  } finally {
    await simulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
