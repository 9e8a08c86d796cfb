// Cinder v3 beyond plain volumes, answered as a Zed Cinder answers (bodies and messages checked against one):
// volume metadata and actions (os-extend, os-set_bootable, os-update_readonly_flag, os-retype), snapshots,
// backups (this simulator runs a backup service), volume types (admin-only writes), and the admin's
// os-hosts and os-services; /extensions for everyone.
import type { Ctx, Reply } from './http.ts';
import { readJson } from './http.ts';
import type { RouteTable } from './router.ts';
import { AVAILABILITY_ZONE, type Volume } from './store.ts';
import { ApiError, badRequest, uuid } from './util.ts';
import {
  type Backup,
  cinderState,
  cinderTime,
  type Snapshot,
  settleBackup,
  settleSnapshot,
  type VolumeType,
} from './cinder-state.ts';
import { CINDER_EXTENSIONS } from './cinder-extensions.ts';

interface VolumeAccess {
  getVolume(ctx: Ctx, id?: string): Volume;
  view(ctx: Ctx, v: Volume, detail: boolean): Record<string, unknown>;
}

const forbidden = (rule: string) => new ApiError(403, `Policy doesn't allow ${rule} to be performed.`);
const requireAdmin = (ctx: Ctx, rule: string) => {
  if (!ctx.user?.isAdmin) throw forbidden(rule);
};
const ONLINE_EXTEND: [number, number] = [3, 42];
const atLeast = (v: [number, number], min: [number, number]) => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

function snapshotView(s: Snapshot) {
  return {
    id: s.id,
    created_at: cinderTime(s.createdAt),
    updated_at: s.updatedAt === null ? null : cinderTime(s.updatedAt),
    name: s.name,
    description: s.description,
    volume_id: s.volumeId,
    status: s.status,
    size: s.size,
    metadata: { ...s.metadata },
    'os-extended-snapshot-attributes:project_id': s.projectId,
    'os-extended-snapshot-attributes:progress': s.status === 'available' ? '100%' : '0%',
  };
}

function backupView(ctx: Ctx, b: Backup) {
  const self = `${ctx.apiBase}/backups/${b.id}`;
  return {
    id: b.id,
    status: b.status,
    size: b.size,
    object_count: b.status === 'available' ? 1 : 0,
    availability_zone: AVAILABILITY_ZONE,
    container: b.status === 'available' ? 'volumebackups' : null,
    created_at: cinderTime(b.createdAt),
    updated_at: cinderTime(b.updatedAt),
    name: b.name,
    description: b.description,
    fail_reason: null,
    volume_id: b.volumeId,
    links: [
      { rel: 'self', href: self },
      { rel: 'bookmark', href: `${ctx.serviceBase}/backups/${b.id}` },
    ],
    is_incremental: b.isIncremental,
    has_dependent_backups: false,
    snapshot_id: b.snapshotId,
    data_timestamp: cinderTime(b.createdAt),
    ...(atLeast(ctx.microversion, [3, 43]) ? { metadata: { ...b.metadata } } : {}),
  };
}

function typeView(t: VolumeType, admin: boolean) {
  return {
    id: t.id,
    name: t.name,
    is_public: t.isPublic,
    description: t.description,
    extra_specs: { ...t.extraSpecs },
    // The QoS id is for admins only in Zed's default policy.
    ...(admin ? { qos_specs_id: null } : {}),
    'os-volume-type-access:is_public': t.isPublic,
  };
}

function mine<T extends { projectId: string }>(ctx: Ctx, item: T | undefined, what: string, id: string): T {
  if (!item || (item.projectId !== ctx.projectId && !ctx.user?.isAdmin))
    throw new ApiError(404, `${what} ${id} could not be found.`);
  return item;
}

function body(spec: unknown, key: string): Record<string, any> {
  if (!spec || typeof spec !== 'object')
    throw badRequest(`Invalid input for field/attribute ${key}. '${key}' is a required property`);
  return spec as Record<string, any>;
}

async function volumeAction(ctx: Ctx, volumes: VolumeAccess): Promise<Reply> {
  const v = volumes.getVolume(ctx);
  const state = cinderState(ctx.region);
  const action = await readJson(ctx);
  const [name] = Object.keys(action);
  const args = action[name] ?? {};
  switch (name) {
    case 'os-extend': {
      const size = Number(args.new_size);
      if (!Number.isInteger(size) || size <= v.size)
        throw badRequest(
          `Invalid input received: New size for extend must be greater than current size. (current: ${v.size}, extended: ${args.new_size}).`,
        );
      const online = v.status === 'in-use' && atLeast(ctx.microversion, ONLINE_EXTEND);
      if (v.status !== 'available' && !online)
        throw badRequest(
          `Invalid volume: Volume ${v.id} status must be '${v.status === 'in-use' ? 'available' : 'available'}' to extend, currently ${v.status}.`,
        );
      state.extra(v.id).pending = { status: v.status, size, at: Date.now() + ctx.cloud.opts.volumeDelayMs };
      v.status = 'extending';
      v.updatedAt = Date.now();
      return { status: 202 };
    }
    case 'os-set_bootable':
      v.bootable = args.bootable === true || String(args.bootable).toLowerCase() === 'true';
      v.updatedAt = Date.now();
      return { status: 200 };
    case 'os-update_readonly_flag':
      if (v.status !== 'available')
        throw badRequest(
          `Invalid volume: Volume ${v.id} status must be available to update readonly flag, but current status is: ${v.status}.`,
        );
      state.extra(v.id).readOnly = args.readonly === true || String(args.readonly).toLowerCase() === 'true';
      v.updatedAt = Date.now();
      return { status: 202 };
    case 'os-retype': {
      const wanted = String(args.new_type ?? '');
      const type = [...state.types.values()].find((t) => t.name === wanted || t.id === wanted);
      if (!type) throw new ApiError(404, `Volume type with name ${wanted} could not be found.`);
      if ((v.status !== 'available' && v.status !== 'in-use') || type.name === v.volumeType)
        throw badRequest(
          'Invalid volume: Retype needs volume to be in available or in-use state, not be part of an active migration or a consistency group, requested type has to be different that the one from the volume, and for in-use volumes front-end qos specs cannot change.',
        );
      v.volumeType = type.name;
      v.updatedAt = Date.now();
      return { status: 202 };
    }
    default:
      throw badRequest(`There is no such action: ${name}`);
  }
}

async function setVolumeMetadata(ctx: Ctx, volumes: VolumeAccess): Promise<Reply> {
  const v = volumes.getVolume(ctx);
  const metadata = body((await readJson(ctx)).metadata, 'metadata');
  for (const [k, val] of Object.entries(metadata)) v.metadata[k] = String(val);
  v.updatedAt = Date.now();
  return { status: 200, body: { metadata: { ...v.metadata } } };
}

async function createSnapshot(ctx: Ctx, volumes: VolumeAccess): Promise<Reply> {
  const spec = body((await readJson(ctx)).snapshot, 'snapshot');
  const v = volumes.getVolume(ctx, String(spec.volume_id ?? ''));
  const force = spec.force === true || String(spec.force).toLowerCase() === 'true';
  if (v.status !== 'available' && !(force && v.status === 'in-use'))
    throw badRequest(`Invalid volume: Volume ${v.id} status must be available, but current status is: ${v.status}.`);
  const now = Date.now();
  const snapshot: Snapshot = {
    id: uuid(),
    name: spec.name ?? null,
    description: spec.description ?? null,
    volumeId: v.id,
    projectId: v.projectId,
    size: v.size,
    status: 'creating',
    metadata: Object.fromEntries(Object.entries(spec.metadata ?? {}).map(([k, val]) => [k, String(val)])),
    createdAt: now,
    updatedAt: null,
    readyAt: now + ctx.cloud.opts.volumeDelayMs,
  };
  cinderState(ctx.region).snapshots.add(snapshot);
  const {
    'os-extended-snapshot-attributes:project_id': _p,
    'os-extended-snapshot-attributes:progress': _g,
    ...shown
  } = snapshotView(snapshot);
  return { status: 202, body: { snapshot: shown } };
}

function getSnapshot(ctx: Ctx): Snapshot {
  const s = cinderState(ctx.region).snapshots.get(ctx.params.id);
  return settleSnapshot(mine(ctx, s, 'Snapshot', ctx.params.id));
}

function listSnapshots(detail: boolean) {
  return (ctx: Ctx): Reply => {
    const name = ctx.query.get('name');
    const volumeId = ctx.query.get('volume_id');
    const items = cinderState(ctx.region).snapshots.filter(
      (s) =>
        s.projectId === ctx.projectId &&
        (name === null || s.name === name) &&
        (volumeId === null || s.volumeId === volumeId),
      true,
    );
    return {
      status: 200,
      body: {
        snapshots: items.map((s) => {
          const full = snapshotView(settleSnapshot(s));
          return detail ? full : { id: s.id, name: s.name, links: [] };
        }),
      },
    };
  };
}

async function updateSnapshot(ctx: Ctx): Promise<Reply> {
  const s = getSnapshot(ctx);
  const spec = body((await readJson(ctx)).snapshot, 'snapshot');
  if (spec.name !== undefined) s.name = spec.name;
  if (spec.description !== undefined) s.description = spec.description;
  s.updatedAt = Date.now();
  return { status: 200, body: { snapshot: snapshotView(s) } };
}

function deleteSnapshot(ctx: Ctx, force: boolean): Reply {
  const s = getSnapshot(ctx);
  if (force) requireAdmin(ctx, 'volume_extension:snapshot_admin_actions:force_delete');
  else if (s.status !== 'available' && s.status !== 'error')
    throw badRequest(`Invalid snapshot: Snapshot status must be available or error and must not be part of a group.`);
  cinderState(ctx.region).snapshots.delete(s.id);
  return { status: 202 };
}

async function createBackup(ctx: Ctx, volumes: VolumeAccess): Promise<Reply> {
  const spec = body((await readJson(ctx)).backup, 'backup');
  const v = volumes.getVolume(ctx, String(spec.volume_id ?? ''));
  const force = spec.force === true || String(spec.force).toLowerCase() === 'true';
  if (v.status !== 'available' && !(force && v.status === 'in-use'))
    throw badRequest(
      `Invalid volume: Volume to be backed up must be available or in-use, but the current status is "${v.status}".`,
    );
  const state = cinderState(ctx.region);
  const snapshot = spec.snapshot_id
    ? mine(ctx, state.snapshots.get(String(spec.snapshot_id)), 'Snapshot', String(spec.snapshot_id))
    : undefined;
  const incremental = spec.incremental === true;
  if (incremental && !state.backups.filter((b) => b.volumeId === v.id && b.status === 'available').length)
    throw badRequest('Invalid backup: No backups available to do an incremental backup.');
  const now = Date.now();
  const backup: Backup = {
    id: uuid(),
    name: spec.name ?? null,
    description: spec.description ?? null,
    volumeId: v.id,
    snapshotId: snapshot?.id ?? null,
    projectId: v.projectId,
    size: v.size,
    status: 'creating',
    isIncremental: incremental,
    metadata: atLeast(ctx.microversion, [3, 43])
      ? Object.fromEntries(Object.entries(spec.metadata ?? {}).map(([k, val]) => [k, String(val)]))
      : {},
    createdAt: now,
    updatedAt: now,
    readyAt: now + ctx.cloud.opts.volumeDelayMs,
  };
  state.backups.add(backup);
  const self = `${ctx.apiBase}/backups/${backup.id}`;
  return {
    status: 202,
    body: {
      backup: {
        id: backup.id,
        name: backup.name,
        links: [
          { rel: 'self', href: self },
          { rel: 'bookmark', href: `${ctx.serviceBase}/backups/${backup.id}` },
        ],
      },
    },
  };
}

function getBackup(ctx: Ctx): Backup {
  return settleBackup(mine(ctx, cinderState(ctx.region).backups.get(ctx.params.id), 'Backup', ctx.params.id));
}

function listBackups(detail: boolean) {
  return (ctx: Ctx): Reply => {
    const name = ctx.query.get('name');
    const volumeId = ctx.query.get('volume_id');
    const items = cinderState(ctx.region).backups.filter(
      (b) =>
        b.projectId === ctx.projectId &&
        (name === null || b.name === name) &&
        (volumeId === null || b.volumeId === volumeId),
      true,
    );
    return {
      status: 200,
      body: {
        backups: items.map((b) => {
          const full = backupView(ctx, settleBackup(b));
          return detail ? full : { id: b.id, name: b.name, links: full.links };
        }),
      },
    };
  };
}

async function restoreBackup(ctx: Ctx, volumes: VolumeAccess): Promise<Reply> {
  const b = getBackup(ctx);
  const spec = (await readJson(ctx)).restore ?? {};
  if (b.status !== 'available') throw badRequest(`Invalid backup: Backup status must be available but is ${b.status}.`);
  const now = Date.now();
  let target: Volume;
  if (spec.volume_id) {
    target = volumes.getVolume(ctx, String(spec.volume_id));
    if (target.status !== 'available') throw badRequest(`Invalid volume: Volume to be restored to must be available`);
    if (target.size < b.size)
      throw badRequest(`Invalid volume: volume size ${target.size} is too small to restore backup of size ${b.size}.`);
  } else {
    target = {
      id: uuid(),
      name: spec.name ?? `restore_backup_${b.id}`,
      projectId: ctx.projectId,
      userId: ctx.token!.userId,
      size: b.size,
      status: 'creating',
      az: AVAILABILITY_ZONE,
      createdAt: now,
      updatedAt: now,
      readyAt: now,
      description: null,
      volumeType: '__DEFAULT__',
      bootable: false,
      imageId: null,
      attachments: [],
      metadata: {},
    };
    ctx.region.volumes.add(target);
  }
  const state = cinderState(ctx.region);
  state.extra(target.id).pending = { status: 'available', size: target.size, at: now + ctx.cloud.opts.volumeDelayMs };
  target.status = 'restoring-backup';
  b.status = 'restoring';
  b.readyAt = now + ctx.cloud.opts.volumeDelayMs;
  return { status: 202, body: { restore: { backup_id: b.id, volume_id: target.id, volume_name: target.name } } };
}

function deleteBackup(ctx: Ctx, force: boolean): Reply {
  const b = getBackup(ctx);
  if (force) requireAdmin(ctx, 'volume_extension:backup_admin_actions:force_delete');
  else if (b.status !== 'available' && b.status !== 'error')
    throw badRequest('Invalid backup: Backup status must be available or error');
  cinderState(ctx.region).backups.delete(b.id);
  return { status: 202 };
}

async function createType(ctx: Ctx): Promise<Reply> {
  requireAdmin(ctx, 'volume_extension:type_create');
  const spec = body((await readJson(ctx)).volume_type, 'volume_type');
  const name = String(spec.name ?? '').trim();
  if (!name) throw badRequest("Invalid input for field/attribute name. Value: None. None is not of type 'string'");
  const state = cinderState(ctx.region);
  if ([...state.types.values()].some((t) => t.name === name))
    throw new ApiError(409, `Volume Type ${name} already exists.`);
  const type: VolumeType = {
    id: uuid(),
    name,
    description: spec.description ?? null,
    isPublic: spec['os-volume-type-access:is_public'] !== false,
    extraSpecs: Object.fromEntries(Object.entries(spec.extra_specs ?? {}).map(([k, v]) => [k, String(v)])),
  };
  state.types.add(type);
  return { status: 200, body: { volume_type: typeView(type, true) } };
}

function services(ctx: Ctx) {
  const updated = `${cinderTime(Date.now()).slice(0, 19)}.000000`;
  return ['cinder-scheduler', 'cinder-volume', 'cinder-backup'].map((binary) => ({
    binary,
    host: binary === 'cinder-volume' ? `${ctx.cloud.opts.name}@sim` : ctx.cloud.opts.name,
    zone: AVAILABILITY_ZONE,
    status: 'enabled',
    state: 'up',
    updated_at: updated,
    disabled_reason: null,
    ...(binary === 'cinder-volume' ? { replication_status: 'disabled', active_backend_id: null, frozen: false } : {}),
  }));
}

export function addStorageRoutes(routes: RouteTable, volumes: VolumeAccess): void {
  routes
    .add('POST', '/volumes/{id}/action', (ctx) => volumeAction(ctx, volumes))
    .add('GET', '/volumes/{id}/metadata', (ctx) => ({
      status: 200,
      body: { metadata: { ...volumes.getVolume(ctx).metadata } },
    }))
    .add('POST', '/volumes/{id}/metadata', (ctx) => setVolumeMetadata(ctx, volumes))
    .add('DELETE', '/volumes/{id}/metadata/{key}', (ctx) => {
      const v = volumes.getVolume(ctx);
      if (!(ctx.params.key in v.metadata))
        throw new ApiError(404, `Volume ${v.id} has no metadata with key ${ctx.params.key}.`);
      delete v.metadata[ctx.params.key];
      return { status: 200 };
    })
    .add('GET', '/snapshots', listSnapshots(false))
    .add('GET', '/snapshots/detail', listSnapshots(true))
    .add('POST', '/snapshots', (ctx) => createSnapshot(ctx, volumes))
    .add('GET', '/snapshots/{id}', (ctx) => ({ status: 200, body: { snapshot: snapshotView(getSnapshot(ctx)) } }))
    .add('PUT', '/snapshots/{id}', updateSnapshot)
    .add('DELETE', '/snapshots/{id}', (ctx) => deleteSnapshot(ctx, false))
    .add('POST', '/snapshots/{id}/action', async (ctx) => {
      const action = await readJson(ctx);
      if (!('os-force_delete' in action)) throw badRequest(`There is no such action: ${Object.keys(action)[0]}`);
      return deleteSnapshot(ctx, true);
    })
    .add('POST', '/snapshots/{id}/metadata', async (ctx) => {
      const s = getSnapshot(ctx);
      const metadata = body((await readJson(ctx)).metadata, 'metadata');
      for (const [k, v] of Object.entries(metadata)) s.metadata[k] = String(v);
      return { status: 200, body: { metadata: { ...s.metadata } } };
    })
    .add('GET', '/backups', listBackups(false))
    .add('GET', '/backups/detail', listBackups(true))
    .add('POST', '/backups', (ctx) => createBackup(ctx, volumes))
    .add('GET', '/backups/{id}', (ctx) => ({ status: 200, body: { backup: backupView(ctx, getBackup(ctx)) } }))
    .add('DELETE', '/backups/{id}', (ctx) => deleteBackup(ctx, false))
    .add('POST', '/backups/{id}/action', async (ctx) => {
      const action = await readJson(ctx);
      if (!('os-force_delete' in action)) throw badRequest(`There is no such action: ${Object.keys(action)[0]}`);
      return deleteBackup(ctx, true);
    })
    .add('POST', '/backups/{id}/restore', (ctx) => restoreBackup(ctx, volumes))
    .add('GET', '/types', (ctx) => ({
      status: 200,
      body: {
        volume_types: [...cinderState(ctx.region).types.values()]
          .filter((t) => t.isPublic || ctx.user?.isAdmin)
          .map((t) => typeView(t, !!ctx.user?.isAdmin)),
      },
    }))
    .add('POST', '/types', createType)
    .add('GET', '/types/{id}', (ctx) => {
      const t = cinderState(ctx.region).types.get(ctx.params.id);
      if (!t || (!t.isPublic && !ctx.user?.isAdmin))
        throw new ApiError(404, `Volume type ${ctx.params.id} could not be found.`);
      return { status: 200, body: { volume_type: typeView(t, !!ctx.user?.isAdmin) } };
    })
    .add('GET', '/os-services', (ctx) => {
      requireAdmin(ctx, 'volume_extension:services:index');
      const binary = ctx.query.get('binary');
      return { status: 200, body: { services: services(ctx).filter((s) => binary === null || s.binary === binary) } };
    })
    .add('GET', '/os-hosts', (ctx) => {
      requireAdmin(ctx, 'volume_extension:hosts');
      return {
        status: 200,
        body: {
          hosts: services(ctx).map((s) => ({
            host_name: s.host,
            service: s.binary,
            zone: s.zone,
            'service-status': 'available',
            'service-state': 'enabled',
            'last-update': s.updated_at,
          })),
        },
      };
    })
    .add('GET', '/extensions', () => ({ status: 200, body: { extensions: CINDER_EXTENSIONS } }));
}
