// ListCapabilities: what one location supports, from the catalog, version discovery, Glance's schema and import
// info, clouds.yaml (vendor profile) and Neutron, so a user never has to read the cloud's documentation.
import { setMaxListeners } from 'node:events';
import type { CallContext } from '../../../core/call-context.ts';
import {
  Capabilities as CapabilitiesMessage,
  FloatingIPSource,
  type Capabilities,
  type ListCapabilitiesRequest,
  type ImageCapabilities,
  type NetworkCapabilities,
  type ServiceCapability,
  type VolumeCapabilities,
  VolumeBackupSupport,
} from '../../../gen/oaktree/v1/capabilities.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { interestingNetworks } from '../network/interesting-cache.ts';
import { networkExtensionCapabilities } from '../network/extensions.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { EndpointNotFoundError, type ServiceType } from '../transport/index.ts';
import { limitsOf } from './limits.ts';
import { objectStoreCapabilities } from '../object-store/capabilities.ts';
import { encodable } from '../encodable.ts';
import { microversion, mvAtLeast, type Raw } from './nova.ts';
import { cachedPerRegion } from './region-cache.ts';
import { serverActionCapabilities } from './actions-capabilities.ts';
import { availabilityZones } from './zones.ts';
import { serverConfigCapabilities } from './server-config-capabilities.ts';
import { backupSupport } from '../volume/backup-support.ts';

const PROBED: ServiceType[] = [
  'compute',
  'image',
  'network',
  'block-storage',
  'object-store',
  'placement',
  'dns',
  'load-balancer',
  'orchestration',
];
const GLANCE_CACHE_MS = 10 * 60_000;

async function serviceCapability(
  ctx: RegionContext,
  type: ServiceType,
  signal: AbortSignal,
): Promise<ServiceCapability | undefined> {
  try {
    const info = await ctx.session.service(type, ctx.region, signal);
    return {
      type,
      version: info.id.replace(/^v/, ''),
      minMicroversion: info.minMicroversion ?? '',
      maxMicroversion: info.maxMicroversion ?? '',
      microversion: type === 'compute' ? await microversion(ctx, signal) : '',
    };
  } catch (error) {
    if (error instanceof EndpointNotFoundError) return undefined;
    if (signal.aborted) throw error;
    // Listed in the catalog but discovery failed: the service exists, its version is unknown.
    ctx.logger.debug({ service: type, err: (error as Error).message }, 'version discovery failed');
    return { type, version: '', minMicroversion: '', maxMicroversion: '', microversion: '' };
  }
}

function enumOf(schema: Raw, field: string): string[] {
  const values = schema?.properties?.[field]?.enum;
  return Array.isArray(values)
    ? values.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase())
    : [];
}

/** Glance's image schema and import info, per region, kept for a while: they change with a deploy. */
function glanceInfo(
  ctx: RegionContext,
): Promise<{ diskFormats: string[]; containerFormats: string[]; importMethods: string[] }> {
  return cachedPerRegion(ctx, 'glance-info', GLANCE_CACHE_MS, async () => {
    const schema = (await ctx.session.request('image', ctx.region, { method: 'GET', path: '/schemas/image' }))
      .body as Raw;
    let importMethods: string[] = [];
    try {
      const info = (await ctx.session.request('image', ctx.region, { method: 'GET', path: '/info/import' }))
        .body as Raw;
      const value = info?.['import-methods']?.value;
      if (Array.isArray(value)) importMethods = value.filter((v): v is string => typeof v === 'string');
    } catch {
      // Glance before Queens has no import API.
    }
    return {
      diskFormats: enumOf(schema, 'disk_format'),
      containerFormats: enumOf(schema, 'container_format'),
      importMethods,
    };
  });
}

async function imageCapabilities(ctx: RegionContext, present: boolean): Promise<ImageCapabilities | undefined> {
  if (!present) return undefined;
  const info = await glanceInfo(ctx);
  return {
    diskFormats: info.diskFormats,
    containerFormats: info.containerFormats,
    preferredDiskFormat: ctx.regionConfig.imageFormat,
    importMethods: info.importMethods,
    maxImageSizeBytes: 0n,
    uploadMethod: ctx.regionConfig.imageApiUseTasks ? 'glance-direct' : 'put',
  };
}

function floatingIpSource(ctx: RegionContext, hasNetwork: boolean): FloatingIPSource {
  const source = ctx.regionConfig.floatingIpSource?.toLowerCase();
  if (!source || source === 'none') return FloatingIPSource.FLOATING_IP_SOURCE_NONE;
  if (source === 'nova') return FloatingIPSource.FLOATING_IP_SOURCE_NOVA;
  return hasNetwork ? FloatingIPSource.FLOATING_IP_SOURCE_NEUTRON : FloatingIPSource.FLOATING_IP_SOURCE_NONE;
}

async function networkCapabilities(
  ctx: RegionContext,
  hasNetwork: boolean,
  signal: AbortSignal,
): Promise<NetworkCapabilities> {
  const source = floatingIpSource(ctx, hasNetwork);
  const nets = hasNetwork ? await interestingNetworks(ctx, signal) : undefined;
  const floatingNetworks = nets?.floatingIpv4.map((n) => n.name || n.id) ?? [];
  const required =
    ctx.regionConfig.requiresFloatingIp ??
    (source !== FloatingIPSource.FLOATING_IP_SOURCE_NONE && floatingNetworks.length > 0);
  return {
    hasNetworkService: hasNetwork,
    floatingIpSource: source,
    floatingIpRequiredForPublicAccess: required,
    floatingIpNetworks: source === FloatingIPSource.FLOATING_IP_SOURCE_NONE ? [] : floatingNetworks,
    defaultNetwork: nets?.defaultNetwork ? nets.defaultNetwork.name || nets.defaultNetwork.id : '',
    ...(await networkExtensionCapabilities(ctx, hasNetwork, signal)),
  };
}

async function volumeCapabilities(
  ctx: RegionContext,
  present: boolean,
  signal: AbortSignal,
): Promise<VolumeCapabilities> {
  if (!present)
    return {
      available: false,
      volumeTypes: [],
      bootFromVolume: false,
      backups: VolumeBackupSupport.VOLUME_BACKUP_SUPPORT_ABSENT,
      backupsReason: 'no block storage',
    };
  const backups = backupSupport(ctx, signal);
  backups.catch(() => {}); // awaited below; only a cancel rejects it, and the types call then throws first
  let volumeTypes: string[] = [];
  try {
    const res = await ctx.session.request('block-storage', ctx.region, { method: 'GET', path: '/types', signal });
    const types = (res.body as Raw)?.volume_types;
    if (Array.isArray(types)) volumeTypes = types.map((t: Raw) => String(t.name ?? t.id ?? '')).filter(Boolean);
  } catch (error) {
    if (signal.aborted) throw error;
  }
  return { available: true, volumeTypes, bootFromVolume: true, ...(await backups) };
}

export async function capabilitiesOf(ctx: RegionContext, signal: AbortSignal): Promise<Capabilities> {
  setMaxListeners(64, signal); // a dozen lookups share the caller's signal at once
  const services = (await Promise.all(PROBED.map((t) => serviceCapability(ctx, t, signal)))).filter(
    (s): s is ServiceCapability => !!s,
  );
  services.unshift({
    type: 'identity',
    version: ctx.regionConfig.identityApiVersion || '3',
    minMicroversion: '',
    maxMicroversion: '',
    microversion: '',
  });
  const has = (type: string) => services.some((s) => s.type === type);
  const compute = services.find((s) => s.type === 'compute');
  const [image, network, volume, zones, limits, objectStore] = await Promise.all([
    imageCapabilities(ctx, has('image')),
    networkCapabilities(ctx, has('network'), signal),
    volumeCapabilities(ctx, has('block-storage'), signal),
    compute ? availabilityZones(ctx, signal) : Promise.resolve([]),
    compute ? limitsOf(ctx, signal) : Promise.resolve(undefined),
    objectStoreCapabilities(ctx, has('object-store'), signal),
  ]);
  const properties: Record<string, string> = {};
  if (ctx.cloud.profile) properties.profile = ctx.cloud.profile;
  return {
    location: ctx.location,
    services,
    image,
    network,
    volume,
    compute: compute
      ? {
          availabilityZones: zones.filter((z) => z.available).map((z) => z.name),
          consoleOutput: true,
          serverTags: mvAtLeast(compute.microversion, 2, 26),
          ...serverConfigCapabilities(compute.microversion, compute.maxMicroversion, limits),
          ...serverActionCapabilities(compute.microversion),
        }
      : undefined,
    limits,
    objectStore,
    properties,
  };
}

export function getCapabilitiesHandler(resolve: RegionResolver) {
  return async function* getCapabilities(
    _request: ListCapabilitiesRequest,
    target: Location,
    call: CallContext,
  ): AsyncGenerator<Capabilities> {
    yield encodable(CapabilitiesMessage, await capabilitiesOf(await resolve(target), call.signal), 'capabilities');
  };
}
