// Nova limits, availability zones and volume attachments.
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import { AVAILABILITY_ZONE } from '../store.ts';
import { ApiError, badRequest, isoSeconds } from '../util.ts';
import { quotaOverride } from './quotas.ts';
import { settleBuilds } from './lifecycle.ts';
import { attachVolume, detachVolume, getServer } from './servers.ts';

function limits(ctx: Ctx): Reply {
  settleBuilds(ctx.region);
  let instances = 0,
    cores = 0,
    ram = 0;
  const flavors = ctx.cloud.data.flavors;
  for (const s of ctx.region.serversOf(ctx.projectId).values()) {
    if (s.status === 'DELETED') continue;
    const f = flavors.get(s.flavorId);
    instances++;
    cores += f?.vcpus ?? 0;
    ram += f?.ram ?? 0;
  }
  const scale = Math.max(1, Math.ceil(instances / 500));
  const absolute: Record<string, number> = {
    maxTotalInstances: quotaOverride(ctx, ctx.projectId, 'instances') ?? 1000 * scale,
    totalInstancesUsed: instances,
    maxTotalCores: quotaOverride(ctx, ctx.projectId, 'cores') ?? 2000 * scale,
    totalCoresUsed: cores,
    maxTotalRAMSize: quotaOverride(ctx, ctx.projectId, 'ram') ?? 5_120_000 * scale,
    totalRAMUsed: ram,
    maxServerMeta: 128,
    maxTotalKeypairs: 100,
    maxServerGroups: 10,
    maxServerGroupMembers: 10,
    totalServerGroupsUsed: 0,
  };
  // Image metadata limits left the compute API with the image proxy (microversion 2.39).
  if (!atLeast(ctx.microversion, 2, 39)) absolute.maxImageMeta = 128;
  if (!atLeast(ctx.microversion, 2, 57)) Object.assign(absolute, { maxPersonality: 5, maxPersonalitySize: 10240 });
  if (!atLeast(ctx.microversion, 2, 36)) {
    Object.assign(absolute, {
      maxSecurityGroups: 10,
      maxSecurityGroupRules: 20,
      maxTotalFloatingIps: 10,
      totalSecurityGroupsUsed: 1,
      totalFloatingIpsUsed: 0,
    });
  }
  return { status: 200, body: { limits: { rate: [], absolute } } };
}

function zones(detail: boolean) {
  return (): Reply => {
    const updated = isoSeconds(Date.now()).replace('Z', '.000000');
    const info: unknown[] = [
      {
        zoneName: AVAILABILITY_ZONE,
        zoneState: { available: true },
        hosts: detail
          ? { 'sim-compute-1': { 'nova-compute': { available: true, active: true, updated_at: updated } } }
          : null,
      },
    ];
    if (detail)
      info.unshift({
        zoneName: 'internal',
        zoneState: { available: true },
        hosts: {
          'sim-controller': {
            'nova-scheduler': { available: true, active: true, updated_at: updated },
            'nova-conductor': { available: true, active: true, updated_at: updated },
          },
        },
      });
    return { status: 200, body: { availabilityZoneInfo: info } };
  };
}

function attachmentView(volumeId: string, serverId: string, device: string) {
  return { id: volumeId, serverId, volumeId, device };
}

async function createAttachment(ctx: Ctx): Promise<Reply> {
  const server = getServer(ctx, ctx.params.id);
  const spec = (await readJson(ctx)).volumeAttachment;
  if (!spec || typeof spec.volumeId !== 'string')
    throw badRequest("Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property");
  if (server.status !== 'ACTIVE' && server.status !== 'SHUTOFF') {
    throw new ApiError(
      409,
      `Cannot 'attach_volume' instance ${server.id} while it is in vm_state ${server.status === 'BUILD' ? 'building' : server.status.toLowerCase()}`,
    );
  }
  const volume = ctx.region.volumes.get(spec.volumeId);
  if (!volume || volume.projectId !== ctx.projectId)
    throw new ApiError(404, `Volume ${spec.volumeId} could not be found.`);
  if (volume.status !== 'available')
    throw badRequest(`Invalid volume: volume ${volume.id} status must be 'available'. Currently in '${volume.status}'`);
  const device = attachVolume(ctx, volume, server.id, typeof spec.device === 'string' ? spec.device : undefined);
  server.volumeIds = [...(server.volumeIds ?? []), volume.id];
  server.updated = Date.now();
  return { status: 200, body: { volumeAttachment: attachmentView(volume.id, server.id, device) } };
}

function listAttachments(ctx: Ctx): Reply {
  const server = getServer(ctx, ctx.params.id);
  const out = (server.volumeIds ?? []).map((id) => {
    const att = ctx.region.volumes.get(id)?.attachments.find((a) => a.serverId === server.id);
    return attachmentView(id, server.id, att?.device ?? '');
  });
  return { status: 200, body: { volumeAttachments: out } };
}

function deleteAttachment(ctx: Ctx): Reply {
  const server = getServer(ctx, ctx.params.id);
  const volumeId = ctx.params.volumeId;
  if (!server.volumeIds?.includes(volumeId)) throw new ApiError(404, `volume_id not found: ${volumeId}`);
  const volume = ctx.region.volumes.get(volumeId);
  if (volume) detachVolume(volume, server.id);
  server.volumeIds = server.volumeIds.filter((id) => id !== volumeId);
  server.updated = Date.now();
  return { status: 202 };
}

export function registerMiscRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/limits', limits)
    .add('GET', '/os-availability-zone', zones(false))
    .add('GET', '/os-availability-zone/detail', zones(true))
    .add('GET', '/servers/{id}/os-volume_attachments', listAttachments)
    .add('POST', '/servers/{id}/os-volume_attachments', createAttachment)
    .add('GET', '/servers/{id}/os-volume_attachments/{volumeId}', (ctx) => {
      const server = getServer(ctx, ctx.params.id);
      const att = ctx.region.volumes.get(ctx.params.volumeId)?.attachments.find((a) => a.serverId === server.id);
      if (!att) throw new ApiError(404, `Instance ${server.id} is not attached to volume ${ctx.params.volumeId}.`);
      return { status: 200, body: { volumeAttachment: attachmentView(ctx.params.volumeId, server.id, att.device) } };
    })
    .add('DELETE', '/servers/{id}/os-volume_attachments/{volumeId}', deleteAttachment);
}
