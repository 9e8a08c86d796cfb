// Nova servers: create (with networks and boot-from-volume), show, list with filters and markers, delete, metadata, actions.
import { RE2JS } from 're2js';
import { intParam, nextHref, readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import { attachServerNetworks, releaseServerPorts, resolveRequestedNetworks } from '../network-ops.ts';
import { Collection } from '../collection.ts';
import { cinderState, settleSnapshot } from '../cinder-state.ts';
import type { RouteTable } from '../router.ts';
import { AVAILABILITY_ZONE, type Server, type Volume } from '../store.ts';
import { ApiError, badRequest, hexId, uuid } from '../util.ts';
import { purgeDeleted, settleBuilds } from './lifecycle.ts';
import { refuseIfLocked } from './transitions.ts';
import { checkServerQuota } from './quotas.ts';
import { parseCreateExtras } from './server-admin-view.ts';
import { links, serverBrief, serverDetail } from './views.ts';
import { checkMetadataQuota, metadataFrom } from './metadata.ts';
import { createExtras, tagFilters } from './server-options.ts';
import { joinServerGroup, leaveServerGroup } from './server-groups.ts';

const notFound = (id: string) => new ApiError(404, `Instance ${id} could not be found.`);

export function getServer(ctx: Ctx, id: string): Server {
  settleBuilds(ctx.region);
  // Admins reach any project's server by id, as in nova.
  const server = ctx.user?.isAdmin ? ctx.region.findServer(id) : ctx.region.serversOf(ctx.projectId).get(id);
  if (!server || server.status === 'DELETED') throw notFound(id);
  return server;
}

function parseTime(raw: string, name: string): number {
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw badRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' is not a 'date-time'`);
  return ms;
}

/** The project's servers, or with all_tenants (admins only, as nova's policy says) every project's. */
function serverTableFor(ctx: Ctx): Collection<Server> {
  const allTenants = ctx.query.get('all_tenants');
  if (allTenants === null || /^(0|false|off|no)$/i.test(allTenants)) return ctx.region.serversOf(ctx.projectId);
  const verb = ctx.url.pathname.endsWith('/detail') ? 'detail' : 'index';
  if (!ctx.user?.isAdmin)
    throw new ApiError(403, `Policy doesn't allow os_compute_api:servers:${verb}:get_all_tenants to be performed.`);
  const all = new Collection<Server>();
  const servers = [...ctx.region.servers.values()].flatMap((table) => [...table.values()]);
  for (const server of servers.sort((a, b) => a.created - b.created)) all.add(server);
  return all;
}

function listServers(detail: boolean) {
  return (ctx: Ctx): Reply => {
    settleBuilds(ctx.region);
    purgeDeleted(ctx.region, ctx.cloud.opts.deletedRetentionMs);
    const table = serverTableFor(ctx);
    const max = ctx.cloud.opts.maxPageSize;
    const limit = Math.min(intParam(ctx, 'limit') ?? max, max);
    const q = new URLSearchParams(ctx.query);
    for (const ignored of ctx.cloud.opts.ignoredServerFilters) q.delete(ignored);
    const conditions: Array<(s: Server) => boolean> = [];
    const since = q.get('changes-since');
    if (since !== null) {
      const t = parseTime(since, 'changes-since');
      const now = Date.now();
      conditions.push(
        (s) =>
          !(s.status === 'BUILD' && (s.unsavedUntil ?? 0) > now) &&
          (s.updated >= t || (s.deletedAt !== null && s.deletedAt >= t)),
      );
    } else conditions.push((s) => s.status !== 'DELETED');
    const before = q.get('changes-before');
    if (before !== null) {
      if (!atLeast(ctx.microversion, 2, 66)) throw badRequest(`Invalid filter field: changes-before.`);
      const t = parseTime(before, 'changes-before');
      conditions.push((s) => s.updated <= t);
    }
    const name = q.get('name');
    if (name !== null) {
      let re: RE2JS;
      try {
        // nova on MySQL: REGEXP under a case-insensitive collation (seen on the real cloud), POSIX classes such
        // as [[:digit:]] included; RE2 reads those as MySQL does and never backtracks.
        re = RE2JS.compile(name, RE2JS.CASE_INSENSITIVE);
      } catch {
        throw badRequest(`Invalid regular expression in name filter: ${name}`);
      }
      conditions.push((s) => re.matcher(s.name).find());
    }
    const status = q.get('status');
    if (status !== null) conditions.push((s) => s.status === status.toUpperCase());
    const flavor = q.get('flavor');
    if (flavor !== null) conditions.push((s) => s.flavorId === flavor);
    const image = q.get('image');
    if (image !== null) conditions.push((s) => s.imageId === image);
    conditions.push(...tagFilters(ctx.microversion, q));
    const where = (s: Server) => conditions.every((c) => c(s));
    const marker = q.get('marker') ?? undefined;
    const page = table.page({ marker, limit, descending: true, where });
    if (!page) throw badRequest(`marker [${marker}] not found`);
    const body: Record<string, unknown> = {
      servers: page.items.map((s) => (detail ? serverDetail(ctx, s) : serverBrief(ctx, s))),
    };
    if (page.more) {
      const last = page.items[page.items.length - 1];
      body.servers_links = [
        { rel: 'next', href: nextHref(ctx, `${ctx.apiBase}/servers${detail ? '/detail' : ''}`, last.id, limit) },
      ];
    }
    return { status: 200, body };
  };
}

function showServer(ctx: Ctx): Reply {
  return { status: 200, body: { server: serverDetail(ctx, getServer(ctx, ctx.params.id)) } };
}

async function createServer(ctx: Ctx): Promise<Reply> {
  const body = await readJson(ctx);
  const spec = body.server;
  if (!spec || typeof spec !== 'object')
    throw badRequest("Invalid input for field/attribute server. Value: None. 'server' is a required property");
  if (typeof spec.name !== 'string' || spec.name.trim() === '' || spec.name.length > 255) {
    throw badRequest(
      `Invalid input for field/attribute name. Value: ${JSON.stringify(spec.name)}. 'name' is a required property`,
    );
  }
  const region = ctx.region;
  const data = ctx.cloud.data;
  const flavorRef = String(spec.flavorRef ?? '')
    .split('/')
    .pop() as string;
  if (!spec.flavorRef) throw badRequest("Invalid input for field/attribute server. 'flavorRef' is a required property");
  const flavor = data.flavors.get(flavorRef) ?? [...data.flavors.values()].find((f) => f.name === flavorRef);
  if (!flavor) throw badRequest(`Flavor ${flavorRef} could not be found.`);

  const bdms: any[] = Array.isArray(spec.block_device_mapping_v2) ? spec.block_device_mapping_v2 : [];
  if (spec.block_device_mapping_v2 !== undefined && !Array.isArray(spec.block_device_mapping_v2))
    throw badRequest('Invalid input for field/attribute block_device_mapping_v2.');
  const bootBdm = bdms.find((b) => Number(b?.boot_index) === 0 && b?.destination_type === 'volume');
  // nova (seen on the real cloud): a mapping must hold the boot disk, even when imageRef names the image.
  if (bdms.length && !bdms.some((b) => b?.boot_index !== null && Number(b?.boot_index) === 0))
    throw badRequest(
      'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.',
    );
  const imageRef = typeof spec.imageRef === 'string' ? (spec.imageRef.split('/').pop() as string) : '';
  if (!imageRef && !bootBdm)
    throw badRequest(
      'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.',
    );
  const visibleImage = (id: string) => {
    const image = region.images.get(id);
    return image && (image.visibility !== 'private' || image.owner === ctx.projectId) ? image : undefined;
  };
  if (imageRef && !visibleImage(imageRef)) throw badRequest(`Image ${imageRef} could not be found.`);
  if (imageRef && visibleImage(imageRef)?.status !== 'active') throw badRequest(`Image ${imageRef} is not active.`);

  let keyName: string | null = null;
  if (spec.key_name !== undefined && spec.key_name !== null) {
    if (!region.keypairs.get(ctx.token!.userId)?.has(spec.key_name)) throw badRequest('Invalid key_name provided.');
    keyName = spec.key_name;
  }
  const securityGroups: string[] = [];
  for (const sg of Array.isArray(spec.security_groups) ? spec.security_groups : [{ name: 'default' }]) {
    const wanted = String(sg?.name ?? '');
    const group = [...region.securityGroups.values()].find(
      (g) => g.projectId === ctx.projectId && (g.name === wanted || g.id === wanted),
    );
    if (!group) throw badRequest(`Unable to find security_group with name or id '${wanted}'`);
    securityGroups.push(group.name);
  }
  if (spec.networks === undefined && atLeast(ctx.microversion, 2, 37))
    throw badRequest("Invalid input for field/attribute server. Value: ... 'networks' is a required property");
  const nics = resolveRequestedNetworks(region, ctx.projectId, spec.networks, false);
  const metadata = metadataFrom(spec.metadata, 'metadata');
  checkMetadataQuota(metadata);
  const extras = createExtras(ctx, spec, body);
  const adminExtras = parseCreateExtras(spec);
  checkServerQuota(ctx, flavor);
  const az =
    typeof spec.availability_zone === 'string' && spec.availability_zone
      ? spec.availability_zone.split(':')[0]
      : AVAILABILITY_ZONE;
  if (az !== AVAILABILITY_ZONE) throw badRequest(`The requested availability zone is not available`);

  // Volumes for the boot disk and extra block devices.
  const volumeIds: string[] = [];
  const deleteOnTermination: string[] = [];
  for (const bdm of bdms) {
    if (bdm?.destination_type !== 'volume') continue;
    let volume: Volume | undefined;
    if (bdm.source_type === 'volume') {
      volume = region.volumes.get(bdm.uuid);
      if (!volume || volume.projectId !== ctx.projectId)
        throw badRequest(`Block Device Mapping is Invalid: failed to get volume ${bdm.uuid}.`);
      if (volume.status !== 'available')
        throw badRequest(`Block Device Mapping is Invalid: Volume ${volume.id} status must be available.`);
      // nova (seen on the real cloud): only a bootable volume can be the boot disk.
      if (Number(bdm.boot_index) === 0 && !volume.bootable)
        throw badRequest(`Block Device ${volume.id} is not bootable.`);
    } else if (bdm.source_type === 'snapshot') {
      volume = volumeFromSnapshot(ctx, bdm);
    } else if (bdm.source_type === 'image' || bdm.source_type === 'blank') {
      if (bdm.source_type === 'image' && !visibleImage(bdm.uuid))
        throw badRequest(`Image ${bdm.uuid} could not be found.`);
      const size = Number(bdm.volume_size ?? flavor.disk);
      if (!Number.isInteger(size) || size < 1)
        throw badRequest('Block Device Mapping is Invalid: volume_size must be a positive integer.');
      volume = newVolume(ctx, size, bdm.source_type === 'image' ? bdm.uuid : null);
    } else throw badRequest(`Block Device Mapping is Invalid: unsupported source_type ${bdm.source_type}.`);
    volumeIds.push(volume.id);
    if (bdm.delete_on_termination) deleteOnTermination.push(volume.id);
  }

  const now = Date.now();
  const server: Server = {
    id: uuid(),
    name: spec.name,
    projectId: ctx.projectId,
    userId: ctx.token!.userId,
    flavorId: flavor.id,
    imageId: bootBdm && !imageRef ? '' : imageRef,
    keyName,
    status: 'BUILD',
    created: now,
    updated: now,
    readyAt: now + ctx.cloud.opts.bootDelayMs,
    unsavedUntil: now + ctx.cloud.opts.unsavedMs,
    launchedAt: null,
    deletedAt: null,
    az,
    securityGroups,
    portIds: [],
    failMessage: ctx.cloud.faults.serverFailure(ctx.cloud.name, region.name, spec.name),
  };
  if (Object.keys(metadata).length) server.metadata = metadata;
  server.extras = adminExtras;
  Object.assign(server, extras);
  server.failMessage ??= joinServerGroup(ctx, body['os:scheduler_hints']?.group, server);
  if (volumeIds.length) {
    server.volumeIds = volumeIds;
    server.deleteOnTermination = deleteOnTermination;
    for (const id of volumeIds) attachVolume(ctx, region.volumes.get(id) as Volume, server.id);
  }
  region.serversOf(ctx.projectId).add(server);
  attachServerNetworks(region, server, nics);
  region.building.add(server);
  const reply: Record<string, unknown> = {
    id: server.id,
    links: links(ctx, 'servers', server.id),
    'OS-DCF:diskConfig': 'MANUAL',
    security_groups: securityGroups.map((name) => ({ name })),
  };
  // nova returns the password it set: the caller's, or one it made up.
  reply.adminPass = typeof spec.adminPass === 'string' && spec.adminPass ? spec.adminPass : hexId().slice(0, 12);
  return { status: 202, body: { server: reply }, headers: { Location: `${ctx.apiBase}/servers/${server.id}` } };
}

/** A new volume from a volume snapshot (source_type snapshot), as big as the snapshot unless volume_size says more. */
function volumeFromSnapshot(ctx: Ctx, bdm: Record<string, any>): Volume {
  const found = cinderState(ctx.region).snapshots.get(String(bdm.uuid));
  const snapshot = found && found.projectId === ctx.projectId ? settleSnapshot(found) : undefined;
  if (!snapshot) throw badRequest(`Block Device Mapping is Invalid: failed to get snapshot ${bdm.uuid}.`);
  if (snapshot.status !== 'available')
    throw badRequest(`Block Device Mapping is Invalid: Snapshot ${snapshot.id} status must be available.`);
  const size = Number(bdm.volume_size ?? snapshot.size);
  if (!Number.isInteger(size) || size < snapshot.size)
    throw badRequest('Block Device Mapping is Invalid: volume_size must be at least the snapshot size.');
  const source = ctx.region.volumes.get(snapshot.volumeId);
  const volume = newVolume(ctx, size, source?.imageId ?? null);
  volume.bootable = source?.bootable ?? false;
  return volume;
}

export function newVolume(ctx: Ctx, size: number, imageId: string | null): Volume {
  const now = Date.now();
  const volume: Volume = {
    id: uuid(),
    name: '',
    projectId: ctx.projectId,
    userId: ctx.token!.userId,
    size,
    status: 'available',
    az: AVAILABILITY_ZONE,
    createdAt: now,
    updatedAt: now,
    readyAt: now,
    description: null,
    volumeType: '__DEFAULT__',
    bootable: !!imageId,
    imageId,
    attachments: [],
    metadata: {},
  };
  ctx.region.volumes.add(volume);
  return volume;
}

export function attachVolume(ctx: Ctx, volume: Volume, serverId: string, device?: string): string {
  const used = volume.attachments.length;
  const dev = device ?? `/dev/vd${String.fromCharCode(98 + used + countAttachments(ctx, serverId))}`;
  volume.attachments.push({ id: uuid(), serverId, device: dev, attachedAt: Date.now() });
  volume.status = 'in-use';
  volume.updatedAt = Date.now();
  return dev;
}

function countAttachments(ctx: Ctx, serverId: string): number {
  let n = 0;
  for (const v of ctx.region.volumes.values()) n += v.attachments.filter((a) => a.serverId === serverId).length;
  return n;
}

export function detachVolume(volume: Volume, serverId: string): void {
  volume.attachments = volume.attachments.filter((a) => a.serverId !== serverId);
  if (volume.attachments.length === 0) volume.status = 'available';
  volume.updatedAt = Date.now();
}

function deleteServer(ctx: Ctx): Reply {
  const server = getServer(ctx, ctx.params.id);
  refuseIfLocked(server, !!ctx.user?.isAdmin); // nova checks the lock only: delete works in any state or task
  const now = Date.now();
  releaseServerPorts(ctx.region, server);
  leaveServerGroup(ctx.region, server);
  for (const id of server.volumeIds ?? []) {
    const volume = ctx.region.volumes.get(id);
    if (!volume) continue;
    detachVolume(volume, server.id);
    if (server.deleteOnTermination?.includes(id)) ctx.region.volumes.delete(id);
  }
  server.volumeIds = undefined;
  ctx.region.building.delete(server);
  server.status = 'DELETED';
  server.deletedAt = now;
  server.updated = now;
  server.portIds = [];
  return { status: 204 };
}

async function updateServer(ctx: Ctx): Promise<Reply> {
  const server = getServer(ctx, ctx.params.id);
  const spec = (await readJson(ctx)).server;
  if (!spec || typeof spec !== 'object') throw badRequest("'server' is a required property");
  if (spec.name !== undefined) {
    if (typeof spec.name !== 'string' || !spec.name.trim()) throw badRequest('Invalid input for field/attribute name.');
    server.name = spec.name;
  }
  server.updated = Date.now();
  return { status: 200, body: { server: serverDetail(ctx, server) } };
}

/** Actions nova/actions.ts does not take (console output); `given` is the body it has already read. */
export async function serverAction(ctx: Ctx, given?: Record<string, any>): Promise<Reply> {
  const server = getServer(ctx, ctx.params.id);
  const body = given ?? (await readJson(ctx));
  const [action] = Object.keys(body);
  const conflictState = (what: string) =>
    new ApiError(409, `Cannot '${what}' instance ${server.id} while it is in vm_state ${server.status.toLowerCase()}`);
  switch (action) {
    case 'os-getConsoleOutput': {
      const length = body[action]?.length;
      const lines = [
        `Simulated console of ${server.name} (${server.id})`,
        "login as 'cirros' user. default password: 'gocubsgo'. use 'sudo' for root.",
        `${server.name} login: `,
      ];
      const n = length === undefined || length === null ? lines.length : Number(length);
      if (!Number.isInteger(n) || n < -1) throw badRequest('Invalid input for field/attribute length.');
      return { status: 200, body: { output: `${(n === -1 ? lines : lines.slice(-n || lines.length)).join('\n')}\n` } };
    }
    case 'os-stop':
      if (server.status !== 'ACTIVE') throw conflictState('stop');
      server.status = 'SHUTOFF';
      break;
    case 'os-start':
      if (server.status !== 'SHUTOFF') throw conflictState('start');
      server.status = 'ACTIVE';
      break;
    case 'reboot':
      if (server.status !== 'ACTIVE' && server.status !== 'SHUTOFF') throw conflictState('reboot');
      server.status = 'ACTIVE';
      break;
    default:
      throw badRequest(`There is no such action: ${action}`);
  }
  server.updated = Date.now();
  return { status: 202 };
}

export function registerServerRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/servers', listServers(false))
    .add('GET', '/servers/detail', listServers(true))
    .add('POST', '/servers', createServer)
    .add('GET', '/servers/{id}', showServer)
    .add('PUT', '/servers/{id}', updateServer)
    .add('DELETE', '/servers/{id}', deleteServer)
    .add('POST', '/servers/{id}/action', serverAction);
}
