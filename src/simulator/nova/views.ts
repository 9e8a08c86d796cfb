// JSON views of nova objects, shaped by the negotiated microversion.
import type { Ctx } from '../http.ts';
import { atLeast } from '../microversion.ts';
import { serverAddresses } from '../network-ops.ts';
import type { Flavor, Server } from '../store.ts';
import { isoSeconds } from '../util.ts';
import { powerState, vmState } from './lifecycle.ts';
import { configDriveOf, extendedServerAttributes } from './server-admin-view.ts';
import { defaultHostname } from './server-options.ts';
import { isLocked, lockedReason, taskStateOf } from './transitions.ts';

export function links(ctx: Ctx, kind: string, id: string) {
  return [
    { rel: 'self', href: `${ctx.apiBase}/${kind}/${id}` },
    { rel: 'bookmark', href: `${ctx.serviceBase}/${kind}/${id}` },
  ];
}

export function flavorBrief(ctx: Ctx, f: Flavor) {
  const out: Record<string, unknown> = { id: f.id, links: links(ctx, 'flavors', f.id), name: f.name };
  if (atLeast(ctx.microversion, 2, 55)) out.description = f.description ?? null;
  return out;
}

export function flavorDetail(ctx: Ctx, f: Flavor) {
  const out: Record<string, unknown> = {
    id: f.id,
    name: f.name,
    ram: f.ram,
    disk: f.disk,
    vcpus: f.vcpus,
    swap: atLeast(ctx.microversion, 2, 75) ? f.swap : f.swap || '',
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral,
    'OS-FLV-DISABLED:disabled': false,
    'os-flavor-access:is_public': f.isPublic ?? true,
    rxtx_factor: 1.0,
    links: links(ctx, 'flavors', f.id),
  };
  if (atLeast(ctx.microversion, 2, 55)) out.description = f.description ?? null;
  if (atLeast(ctx.microversion, 2, 61)) out.extra_specs = { ...f.extraSpecs };
  return out;
}

export function serverBrief(ctx: Ctx, s: Server) {
  return { id: s.id, links: links(ctx, 'servers', s.id), name: s.name };
}

export function serverDetail(ctx: Ctx, s: Server) {
  const mv = ctx.microversion;
  const region = ctx.region;
  const flavor = ctx.cloud.data.flavors.get(s.flavorId);
  const deleted = s.status === 'DELETED';
  const out: Record<string, unknown> = {
    id: s.id,
    name: s.name,
    status: s.status,
    tenant_id: s.projectId,
    user_id: s.userId,
    metadata: { ...(s.metadata ?? {}) },
    hostId: deleted ? '' : region.hostIdFor(s.projectId),
    image: s.imageId
      ? { id: s.imageId, links: [{ rel: 'bookmark', href: `${ctx.serviceBase}/images/${s.imageId}` }] }
      : '',
    flavor:
      atLeast(mv, 2, 47) && flavor
        ? {
            vcpus: flavor.vcpus,
            ram: flavor.ram,
            disk: flavor.disk,
            ephemeral: flavor.ephemeral,
            swap: flavor.swap,
            original_name: flavor.name,
            extra_specs: { ...flavor.extraSpecs },
          }
        : { id: s.flavorId, links: [{ rel: 'bookmark', href: `${ctx.serviceBase}/flavors/${s.flavorId}` }] },
    created: isoSeconds(s.created),
    updated: isoSeconds(s.updated),
    addresses: deleted ? {} : serverAddresses(region, s),
    accessIPv4: '',
    accessIPv6: '',
    links: links(ctx, 'servers', s.id),
    'OS-DCF:diskConfig': 'MANUAL',
    // Most drivers report progress only while building or migrating; an ACTIVE server shows 0, as on a real cloud.
    progress: 0,
    'OS-EXT-AZ:availability_zone': s.az,
    config_drive: configDriveOf(s),
    key_name: s.keyName,
    'OS-SRV-USG:launched_at': s.launchedAt ? new Date(s.launchedAt).toISOString().replace('Z', '000') : null,
    'OS-SRV-USG:terminated_at': s.deletedAt ? new Date(s.deletedAt).toISOString().replace('Z', '000') : null,
    'OS-EXT-STS:task_state': taskStateOf(s),
    'OS-EXT-STS:vm_state': vmState(s),
    'OS-EXT-STS:power_state': powerState(s),
    'os-extended-volumes:volumes_attached': (s.volumeIds ?? []).map((id) =>
      atLeast(mv, 2, 3) ? { id, delete_on_termination: s.deleteOnTermination?.includes(id) ?? false } : { id },
    ),
  };
  if (!deleted && s.securityGroups.length) out.security_groups = s.securityGroups.map((name) => ({ name }));
  if (s.fault) out.fault = { code: s.fault.code, message: s.fault.message, created: isoSeconds(s.fault.created) };
  if (atLeast(mv, 2, 9)) out.locked = isLocked(s);
  if (atLeast(mv, 2, 19)) out.description = s.description ?? null;
  if (atLeast(mv, 2, 26)) out.tags = [...(s.tags ?? [])];
  if (atLeast(mv, 2, 63)) out.trusted_image_certificates = null;
  if (atLeast(mv, 2, 73)) out.locked_reason = lockedReason(s);
  if (atLeast(mv, 2, 71)) out.server_groups = s.serverGroupId ? [s.serverGroupId] : [];
  if (atLeast(mv, 2, 90)) out['OS-EXT-SRV-ATTR:hostname'] = s.hostname ?? defaultHostname(s.name);
  Object.assign(out, extendedServerAttributes(ctx, s));
  return out;
}
