// The CreateServer options beyond image, flavor and networks: server group and scheduler hints, ports and fixed
// IPs, boot from an existing volume or a volume snapshot, extra volumes at boot, description, tags, hostname and
// the admin password. Each refers to things by name or id; whatever does not exist is NOT_FOUND naming it and the
// location, and an option the cloud's microversion lacks is FAILED_PRECONDITION naming the microversion it needs.
import type { CreateServerRequest } from '../../../gen/oaktree/v1/compute.ts';
import { OaktreeError, toStatus } from '../../../core/errors.ts';
import { echo } from '../../../core/bounded-text.ts';
import { describeLocation } from '../../../core/location.ts';
import { findNetwork } from '../network/find.ts';
import { neutronGet } from '../network/neutron.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { findVolumeRaw } from '../volume/cinder.ts';
import { isNotFound, mvAtLeast, type Raw } from './nova.ts';
import { findServerGroupRaw } from './server-groups.ts';

/** The microversion CreateServer asks for on the one call that sets a hostname. */
export const HOSTNAME_MICROVERSION = '2.90';

/** What the options add to POST /servers. */
export interface ServerOptions {
  /** Fields of `server`. */
  server: Raw;
  /** Network entries (ports, fixed IPs), after those named in `networks`. */
  networks: Raw[];
  /** Block device mappings: the boot volume first when there is one. */
  blockDevices: Raw[];
  /** os:scheduler_hints, when any. */
  schedulerHints?: Raw;
  /** A microversion for this one call, when an option needs more than the negotiated one. */
  microversion?: string;
}

function needs(ctx: RegionContext, mv: string, wanted: string, what: string): never {
  throw new OaktreeError(
    GrpcStatus.FAILED_PRECONDITION,
    `${describeLocation(ctx.location)} speaks compute microversion ${mv}; ${what} needs ${wanted}`,
  );
}

function notFound(ctx: RegionContext, kind: string, nameOrId: string, hint: string): OaktreeError {
  return new OaktreeError(
    GrpcStatus.NOT_FOUND,
    `no ${kind} named "${echo(nameOrId)}" (or with that id) in ${describeLocation(ctx.location)} (${hint})`,
  );
}

async function orNotFound<T>(find: () => Promise<T>, error: () => OaktreeError): Promise<T> {
  try {
    return await find();
  } catch (cause) {
    if (isNotFound(cause)) throw error();
    throw cause;
  }
}

async function nicEntries(ctx: RegionContext, request: CreateServerRequest, signal: AbortSignal): Promise<Raw[]> {
  const entries: Raw[] = [];
  for (const nic of request.nics) {
    if (nic.port) {
      const port = await neutronGet(ctx, 'port', 'ports', nic.port, signal);
      if (!port) throw notFound(ctx, 'port', nic.port, 'see ListPorts');
      entries.push({ port: String(port.id) });
      continue;
    }
    const net = await orNotFound(
      () => findNetwork(ctx, nic.network, signal),
      () => notFound(ctx, 'network', nic.network, 'see ListNetworks'),
    );
    entries.push(nic.fixedIp ? { uuid: net.id, fixed_ip: nic.fixedIp } : { uuid: net.id });
  }
  return entries;
}

async function bootDevice(ctx: RegionContext, request: CreateServerRequest, signal: AbortSignal): Promise<Raw[]> {
  if (request.bootVolume) {
    const volume = await orNotFound(
      () => findVolumeRaw(ctx, request.bootVolume, signal),
      () => notFound(ctx, 'volume', request.bootVolume, 'see ListVolumes'),
    );
    // Someone else's volume outlives the server unless the caller says otherwise: it is never ours to delete.
    return [
      {
        boot_index: 0,
        uuid: String(volume.id),
        source_type: 'volume',
        destination_type: 'volume',
        delete_on_termination: false,
      },
    ];
  }
  if (request.bootSnapshotId) {
    const snapshot = await ctx.session
      .request('block-storage', ctx.region, {
        method: 'GET',
        path: `/snapshots/${encodeURIComponent(request.bootSnapshotId)}`,
        signal,
      })
      .then(
        (res) => (res.body as Raw)?.snapshot as Raw,
        (error) => {
          if (isNotFound(error)) throw notFound(ctx, 'volume snapshot', request.bootSnapshotId, 'give its id');
          throw error;
        },
      );
    const device: Raw = {
      boot_index: 0,
      uuid: String(snapshot.id),
      source_type: 'snapshot',
      destination_type: 'volume',
      delete_on_termination: !request.keepBootVolume,
    };
    if (request.bootVolumeSizeGb) device.volume_size = request.bootVolumeSizeGb;
    return [device];
  }
  return [];
}

async function extraDevices(ctx: RegionContext, request: CreateServerRequest, signal: AbortSignal): Promise<Raw[]> {
  const devices: Raw[] = [];
  for (const device of request.blockDevices) {
    const base = { boot_index: -1, destination_type: 'volume', delete_on_termination: device.deleteOnTermination };
    if (!device.volume) {
      devices.push({ ...base, source_type: 'blank', volume_size: device.sizeGb });
      continue;
    }
    const volume = await orNotFound(
      () => findVolumeRaw(ctx, device.volume, signal),
      () => notFound(ctx, 'volume', device.volume, 'see ListVolumes'),
    );
    devices.push({ ...base, source_type: 'volume', uuid: String(volume.id) });
  }
  return devices;
}

async function hints(ctx: RegionContext, request: CreateServerRequest, signal: AbortSignal): Promise<Raw | undefined> {
  const out: Raw = {};
  for (const hint of request.schedulerHints)
    out[hint.key] = hint.values.length === 1 ? hint.values[0] : [...hint.values];
  if (request.serverGroup) {
    const group = await orNotFound(
      () => findServerGroupRaw(ctx, request.serverGroup, signal),
      () => notFound(ctx, 'server group', request.serverGroup, 'see ListServerGroups'),
    );
    out.group = String(group.id);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The options of a CreateServer request for POST /servers. `mv` is the negotiated microversion, `maxMv` the most
 * the cloud offers (a hostname is set by asking for 2.90 on this one call).
 */
export async function serverOptions(
  ctx: RegionContext,
  request: CreateServerRequest,
  mv: string,
  maxMv: string,
  signal: AbortSignal,
): Promise<ServerOptions> {
  const server: Raw = {};
  let microversion: string | undefined;
  if (request.description) {
    if (!mvAtLeast(mv, 2, 19)) needs(ctx, mv, '2.19', 'a server description');
    server.description = request.description;
  }
  if (request.tags.length) {
    if (!mvAtLeast(mv, 2, 52)) needs(ctx, mv, '2.52', 'tags at create');
    server.tags = [...new Set(request.tags)];
  }
  if (request.hostname) {
    if (!maxMv || !mvAtLeast(maxMv, 2, 90)) needs(ctx, maxMv || mv, HOSTNAME_MICROVERSION, 'a hostname at create');
    server.hostname = request.hostname;
    microversion = HOSTNAME_MICROVERSION;
  }
  if (request.adminPassword) server.adminPass = request.adminPassword;
  const [networks, boot, extra, schedulerHints] = await Promise.all([
    nicEntries(ctx, request, signal),
    bootDevice(ctx, request, signal),
    extraDevices(ctx, request, signal),
    hints(ctx, request, signal),
  ]);
  return { server, networks, blockDevices: [...boot, ...extra], schedulerHints, microversion };
}

/**
 * Nova's schema errors quote the whole `server` object it refused, admin password included: an error that carries
 * the password is rebuilt with the password masked, keeping its code.
 */
export function withoutSecret(error: unknown, secret: string): unknown {
  if (!secret) return error;
  const { code, message } = toStatus(error);
  if (!message.includes(secret)) return error;
  return new OaktreeError(code, message.split(secret).join('***'));
}
