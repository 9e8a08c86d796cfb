// Cinder v3: volumes (creating -> available, in-use when attached through nova), limits, AZs, version discovery.
import type { ServiceModule } from './cloud-runtime.ts';
import { intParam, nextHref, readJson, type Ctx, type Reply } from './http.ts';
import { formatVersion, VOLUME_VERSIONS } from './microversion.ts';
import { registerCinderQuotaRoutes } from './cinder-quotas.ts';
import { RouteTable } from './router.ts';
import { AVAILABILITY_ZONE, type Volume } from './store.ts';
import { ApiError, badRequest, uuid } from './util.ts';
import { addStorageRoutes } from './cinder-storage.ts';
import { cinderState, cinderTime, type CinderState } from './cinder-state.ts';

/** Lazily finish "creating" volumes (and pending extends and restores) whose delay has passed. */
export function settle(v: Volume, state?: CinderState): Volume {
  if (v.status === 'creating' && v.readyAt <= Date.now()) {
    v.status = 'available';
    v.updatedAt = v.readyAt;
  }
  state?.settle(v);
  return v;
}

export function view(ctx: Ctx, v: Volume, detail: boolean) {
  const extra = cinderState(ctx.region).extra(v.id);
  const links = [
    { rel: 'self', href: `${ctx.apiBase}/volumes/${v.id}` },
    { rel: 'bookmark', href: `${ctx.serviceBase}/volumes/${v.id}` },
  ];
  if (!detail) return { id: v.id, name: v.name, links };
  return {
    id: v.id,
    name: v.name,
    status: v.status,
    size: v.size,
    availability_zone: v.az,
    created_at: cinderTime(v.createdAt),
    updated_at: cinderTime(v.updatedAt),
    description: v.description,
    volume_type: v.volumeType,
    snapshot_id: extra.snapshotId,
    source_volid: extra.sourceVolid,
    // Cinder shows the read-only flag (admin metadata) among the metadata once it was set.
    metadata: { ...v.metadata, ...(extra.readOnly ? { readonly: 'True' } : {}) },
    links,
    user_id: v.userId,
    bootable: String(v.bootable),
    encrypted: false,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: false,
    'os-vol-tenant-attr:tenant_id': v.projectId,
    // Admin-only in cinder's default policy: a member never sees these.
    ...(ctx.user?.isAdmin ? { 'os-vol-mig-status-attr:migstat': null, 'os-vol-mig-status-attr:name_id': null } : {}),
    attachments: v.attachments.map((a) => ({
      id: v.id,
      attachment_id: a.id,
      volume_id: v.id,
      server_id: a.serverId,
      host_name: null,
      device: a.device,
      attached_at: cinderTime(a.attachedAt),
    })),
    ...(v.imageId ? { volume_image_metadata: { image_id: v.imageId } } : {}),
  };
}

export function getVolume(ctx: Ctx, id = ctx.params.id): Volume {
  const v = ctx.region.volumes.get(id);
  if (!v || (v.projectId !== ctx.projectId && !ctx.user?.isAdmin))
    throw new ApiError(404, `Volume ${id} could not be found.`);
  return settle(v, cinderState(ctx.region));
}

function listVolumes(detail: boolean) {
  return (ctx: Ctx): Reply => {
    const max = ctx.cloud.opts.maxPageSize;
    const limit = Math.min(intParam(ctx, 'limit') ?? max, max);
    const name = ctx.query.get('name');
    const status = ctx.query.get('status');
    const state = cinderState(ctx.region);
    const marker = ctx.query.get('marker') ?? undefined;
    const page = ctx.region.volumes.page({
      marker,
      limit,
      descending: true,
      where: (v) =>
        v.projectId === ctx.projectId &&
        (name === null || v.name === name) &&
        (status === null || settle(v, state).status === status),
    });
    if (!page) throw new ApiError(404, `Marker ${marker} could not be found.`);
    const body: Record<string, unknown> = { volumes: page.items.map((v) => view(ctx, settle(v, state), detail)) };
    if (page.more)
      body.volumes_links = [
        {
          rel: 'next',
          href: nextHref(
            ctx,
            `${ctx.apiBase}/volumes${detail ? '/detail' : ''}`,
            page.items[page.items.length - 1].id,
            limit,
          ),
        },
      ];
    return { status: 200, body };
  };
}

async function createVolume(ctx: Ctx): Promise<Reply> {
  const spec = (await readJson(ctx)).volume;
  if (!spec || typeof spec !== 'object')
    throw badRequest("Invalid input for field/attribute volume. 'volume' is a required property");
  const state = cinderState(ctx.region);
  const snapshot = spec.snapshot_id ? state.snapshots.get(String(spec.snapshot_id)) : undefined;
  if (spec.snapshot_id && (!snapshot || snapshot.projectId !== ctx.projectId))
    throw new ApiError(404, `Snapshot ${spec.snapshot_id} could not be found.`);
  const source = spec.source_volid ? getVolume(ctx, String(spec.source_volid)) : undefined;
  const size = Number(spec.size ?? snapshot?.size ?? source?.size);
  if (snapshot && snapshot.status !== 'available')
    throw badRequest(`Invalid snapshot: Originating snapshot status must be one of 'available' values`);
  if (!Number.isInteger(size) || size < 1)
    throw badRequest(`Invalid input for field/attribute size. Value: ${spec.size}.`);
  if (spec.imageRef && !ctx.region.images.get(spec.imageRef))
    throw badRequest(`Invalid image identifier or unable to access requested image.`);
  const used = usage(ctx);
  if (used.volumes + 1 > QUOTA.volumes) {
    throw new ApiError(
      413,
      `VolumeLimitExceeded: Maximum number of volumes allowed (${QUOTA.volumes}) exceeded for quota 'volumes'.`,
    );
  }
  if (used.gigabytes + size > QUOTA.gigabytes) {
    // Cinder's words for a request over the project's gigabytes quota.
    throw new ApiError(
      413,
      `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${QUOTA.gigabytes}G and ${used.gigabytes}G has been consumed.`,
    );
  }
  const now = Date.now();
  const volume: Volume = {
    id: uuid(),
    name: spec.name ?? null,
    projectId: ctx.projectId,
    userId: ctx.token!.userId,
    size,
    status: 'creating',
    az: spec.availability_zone ?? AVAILABILITY_ZONE,
    createdAt: now,
    updatedAt: now,
    readyAt: now + ctx.cloud.opts.volumeDelayMs,
    description: spec.description ?? null,
    volumeType: spec.volume_type ?? '__DEFAULT__',
    bootable: !!spec.imageRef,
    imageId: spec.imageRef ?? null,
    attachments: [],
    metadata: { ...(spec.metadata ?? {}) },
  };
  ctx.region.volumes.add(volume);
  Object.assign(state.extra(volume.id), { snapshotId: snapshot?.id ?? null, sourceVolid: source?.id ?? null });
  return { status: 202, body: { volume: view(ctx, volume, true) } };
}

function deleteVolume(ctx: Ctx): Reply {
  const v = getVolume(ctx);
  if (v.status === 'in-use' || v.attachments.length)
    throw badRequest(
      `Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`,
    );
  if (v.status === 'creating') throw badRequest(`Invalid volume: Volume ${v.id} is still being created.`);
  const state = cinderState(ctx.region);
  if (state.snapshots.filter((s) => s.volumeId === v.id).length)
    throw badRequest(
      `Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.`,
    );
  ctx.region.volumes.delete(v.id);
  state.forget(v.id);
  return { status: 202 };
}

/** The project quota every simulated region enforces (Cinder's defaults are similar). */
const QUOTA = { volumes: 1000, gigabytes: 10000 };

function usage(ctx: Ctx): { volumes: number; gigabytes: number } {
  let volumes = 0,
    gigabytes = 0;
  for (const v of ctx.region.volumes.values())
    if (v.projectId === ctx.projectId) {
      volumes++;
      gigabytes += v.size;
    }
  return { volumes, gigabytes };
}

function limits(ctx: Ctx): Reply {
  const { volumes, gigabytes } = usage(ctx);
  const state = cinderState(ctx.region);
  const mine = (o: { projectId: string }) => o.projectId === ctx.projectId;
  const backups = state.backups.filter(mine);
  return {
    status: 200,
    body: {
      limits: {
        rate: [],
        absolute: {
          maxTotalVolumes: QUOTA.volumes,
          totalVolumesUsed: volumes,
          maxTotalVolumeGigabytes: QUOTA.gigabytes,
          totalGigabytesUsed: gigabytes,
          maxTotalSnapshots: 1000,
          totalSnapshotsUsed: state.snapshots.filter(mine).length,
          maxTotalBackups: 100,
          totalBackupsUsed: backups.length,
          maxTotalBackupGigabytes: 10000,
          totalBackupGigabytesUsed: backups.reduce((sum, b) => sum + b.size, 0),
        },
      },
    },
  };
}

const routes: RouteTable = new RouteTable()
  .add('GET', '/volumes', listVolumes(false))
  .add('GET', '/volumes/detail', listVolumes(true))
  .add('POST', '/volumes', createVolume)
  .add('GET', '/volumes/{id}', (ctx) => ({ status: 200, body: { volume: view(ctx, getVolume(ctx), true) } }))
  .add('PUT', '/volumes/{id}', async (ctx) => {
    const v = getVolume(ctx);
    const spec = (await readJson(ctx)).volume ?? {};
    if (spec.name !== undefined) v.name = spec.name;
    if (spec.description !== undefined) v.description = spec.description;
    v.updatedAt = Date.now();
    return { status: 200, body: { volume: view(ctx, v, true) } };
  })
  .add('DELETE', '/volumes/{id}', deleteVolume)
  .add('GET', '/limits', limits)
  .add('GET', '/os-availability-zone', () => ({
    status: 200,
    body: { availabilityZoneInfo: [{ zoneName: AVAILABILITY_ZONE, zoneState: { available: true } }] },
  }));
addStorageRoutes(routes, { getVolume, view });

registerCinderQuotaRoutes(routes);

function versionDoc(base: string) {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: formatVersion(VOLUME_VERSIONS.max),
    min_version: formatVersion(VOLUME_VERSIONS.min),
    updated: '2023-08-31T00:00:00Z',
    links: [
      { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
      { rel: 'self', href: `${base}/v3/` },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

export const cinderService: ServiceModule = {
  name: 'volume',
  prefix: 'volume',
  requiresAuth: true,
  versions: VOLUME_VERSIONS,
  routes,
  resolve(rest, cloud) {
    if (rest === '' || rest === '/')
      return { discovery: (ctx) => ({ status: 300, body: { versions: [versionDoc(ctx.serviceBase)] } }) };
    // As a real cinder (Zed) answers: ".../v3" redirects to ".../v3/", which has the version document; the
    // project-scoped catalog URL itself has none (404).
    if (rest === '/v3')
      return { discovery: (ctx) => ({ status: 302, body: '', headers: { Location: `${ctx.serviceBase}/v3/` } }) };
    if (rest === '/v3/')
      return { discovery: (ctx) => ({ status: 200, body: { versions: [versionDoc(ctx.serviceBase)] } }) };
    const m = /^\/v3\/([^/]+)(\/.*)?$/.exec(rest);
    if (!m) return undefined;
    // The catalog carries /v3/{project_id}; bare /v3/... works too, as in newer cinder.
    if (cloud.data.projects.has(m[1])) {
      if (!m[2] || m[2] === '/')
        return {
          discovery: () => ({
            status: 404,
            body: { itemNotFound: { code: 404, message: 'The resource could not be found.' } },
          }),
        };
      return { path: m[2], versionRoot: `/v3/${m[1]}` };
    }
    return { path: rest.slice(3), versionRoot: '/v3' };
  },
};
