// How each kind of object looks in a table, and its JSON form for -f json|yaml.
import {
  imageStatusName,
  imageVisibilityName,
  networkStatusName,
  serverStatusName,
  volumeStatusName,
} from '../../client/index.ts';
import { Capabilities } from '../../gen/oaktree/v1/capabilities.ts';
import { AvailabilityZone, Flavor, Keypair, Server } from '../../gen/oaktree/v1/compute.ts';
import { Image } from '../../gen/oaktree/v1/image.ts';
import { Limits } from '../../gen/oaktree/v1/limits.ts';
import { Location } from '../../gen/oaktree/v1/location.ts';
import { Route } from '../../gen/oaktree/mesh/v1/mesh.ts';
import { FloatingIP, Network, Port, SecurityGroup, Subnet } from '../../gen/oaktree/v1/network.ts';
import { Volume } from '../../gen/oaktree/v1/volume.ts';
import { formatBytes, type View } from './output.ts';

const cloud = { header: 'CLOUD', value: (o: { location?: Location | undefined }) => o.location?.cloud };
const region = { header: 'REGION', value: (o: { location?: Location | undefined }) => o.location?.region };
const zone = { header: 'ZONE', value: (o: { location?: Location | undefined }) => o.location?.zone };

export const byPlace = (a: { location?: Location | undefined; name?: string }, b: typeof a) =>
  `${a.location?.cloud}\0${a.location?.region}\0${a.name}`.localeCompare(
    `${b.location?.cloud}\0${b.location?.region}\0${b.name}`,
  );

export const byRegion = (a: { location?: Location | undefined }, b: typeof a) =>
  `${a.location?.cloud}\0${a.location?.region}`.localeCompare(`${b.location?.cloud}\0${b.location?.region}`);

export const serverView: View<Server> = {
  columns: [
    cloud,
    region,
    zone,
    { header: 'NAME', value: (s) => s.name },
    { header: 'STATUS', value: (s) => serverStatusName(s.status) },
    { header: 'ADDRESS', value: (s) => s.interfaceIp },
    { header: 'FLAVOR', value: (s) => s.flavor?.name || s.flavor?.id },
    { header: 'IMAGE', value: (s) => s.image?.name || s.image?.id },
    { header: 'ID', value: (s) => s.id },
  ],
  long: [
    { header: 'PUBLIC V4', value: (s) => s.publicV4 },
    { header: 'PRIVATE V4', value: (s) => s.privateV4 },
    { header: 'KEY NAME', value: (s) => s.keyName },
    { header: 'SECURITY GROUPS', value: (s) => s.securityGroups.join(', ') },
    { header: 'CREATED', value: (s) => s.createTime?.toISOString() },
  ],
  toJSON: (s) => Server.toJSON(s),
};

export const flavorView: View<Flavor> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (f) => f.name },
    { header: 'VCPUS', value: (f) => f.vcpus },
    { header: 'RAM', value: (f) => formatBytes(f.ramMb * 1024 * 1024), sortKey: (f) => f.ramMb },
    { header: 'DISK', value: (f) => `${f.diskGb} GiB`, sortKey: (f) => f.diskGb },
    { header: 'PUBLIC', value: (f) => (f.isPublic ? 'yes' : 'no') },
    { header: 'ID', value: (f) => f.id },
  ],
  toJSON: (f) => Flavor.toJSON(f),
};

export const imageView: View<Image> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (i) => i.name },
    { header: 'STATUS', value: (i) => imageStatusName(i.status) },
    { header: 'FORMAT', value: (i) => i.diskFormat },
    { header: 'SIZE', value: (i) => formatBytes(i.sizeBytes), sortKey: (i) => Number(i.sizeBytes) },
    { header: 'VISIBILITY', value: (i) => imageVisibilityName(i.visibility) },
    { header: 'ID', value: (i) => i.id },
  ],
  toJSON: (i) => Image.toJSON(i),
};

export const keypairView: View<Keypair> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (k) => k.name },
    { header: 'FINGERPRINT', value: (k) => k.fingerprint },
  ],
  toJSON: (k) => Keypair.toJSON(k),
};

export const floatingIpView: View<FloatingIP> = {
  columns: [
    cloud,
    region,
    { header: 'ADDRESS', value: (f) => f.floatingIpAddress },
    { header: 'FIXED', value: (f) => f.fixedIpAddress },
    { header: 'SERVER', value: (f) => f.serverId },
    { header: 'ATTACHED', value: (f) => (f.isAttached ? 'yes' : 'no') },
    { header: 'ID', value: (f) => f.id },
  ],
  toJSON: (f) => FloatingIP.toJSON(f),
};

export const networkView: View<Network> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (n) => n.name },
    { header: 'STATUS', value: (n) => networkStatusName(n.status) },
    { header: 'EXTERNAL', value: (n) => (n.isExternal ? 'yes' : 'no') },
    { header: 'SHARED', value: (n) => (n.isShared ? 'yes' : 'no') },
    { header: 'ID', value: (n) => n.id },
  ],
  toJSON: (n) => Network.toJSON(n),
};

export const portView: View<Port> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (p) => p.name },
    { header: 'STATUS', value: (p) => networkStatusName(p.status) },
    { header: 'FIXED IPS', value: (p) => p.fixedIps.map((f) => f.ipAddress).join(', ') },
    { header: 'DEVICE', value: (p) => p.deviceOwner || p.deviceId },
    { header: 'ID', value: (p) => p.id },
  ],
  toJSON: (p) => Port.toJSON(p),
};

export const subnetView: View<Subnet> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (s) => s.name },
    { header: 'CIDR', value: (s) => s.cidr },
    { header: 'NETWORK', value: (s) => s.networkId },
    { header: 'ID', value: (s) => s.id },
  ],
  long: [
    { header: 'IP VERSION', value: (s) => s.ipVersion },
    { header: 'GATEWAY', value: (s) => s.gatewayIp },
    { header: 'DHCP', value: (s) => (s.isDhcpEnabled ? 'yes' : 'no') },
    { header: 'DNS', value: (s) => s.dnsNameservers.join(', ') },
  ],
  toJSON: (s) => Subnet.toJSON(s),
};

export const securityGroupView: View<SecurityGroup> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (g) => g.name },
    { header: 'DESCRIPTION', value: (g) => g.description },
    { header: 'RULES', value: (g) => g.rules.length },
    { header: 'ID', value: (g) => g.id },
  ],
  toJSON: (g) => SecurityGroup.toJSON(g),
};

export const volumeView: View<Volume> = {
  columns: [
    cloud,
    region,
    zone,
    { header: 'NAME', value: (v) => v.name },
    { header: 'STATUS', value: (v) => volumeStatusName(v.status) },
    { header: 'SIZE', value: (v) => `${v.sizeGb} GiB`, sortKey: (v) => v.sizeGb },
    { header: 'ATTACHED TO', value: (v) => v.attachments.map((a) => a.serverId).join(', ') },
    { header: 'ID', value: (v) => v.id },
  ],
  toJSON: (v) => Volume.toJSON(v),
};

export const locationView: View<Location> = {
  columns: [
    { header: 'CLOUD', value: (l) => l.cloud },
    { header: 'REGION', value: (l) => l.region },
    { header: 'PROJECT', value: (l) => l.project?.name || l.project?.id },
    { header: 'DOMAIN', value: (l) => l.project?.domainName || l.project?.domainId },
  ],
  toJSON: (l) => Location.toJSON(l),
};

export const routeView: View<Route> = {
  columns: [
    { header: 'CLOUD', value: (r) => r.location?.cloud },
    { header: 'REGION', value: (r) => r.location?.region },
    { header: 'PROJECT', value: (r) => r.location?.project?.name },
    { header: 'HOPS', value: (r) => r.hops },
    { header: 'PATH', value: (r) => r.path.join(' > ') },
  ],
  toJSON: (r) => Route.toJSON(r),
};

const quota = (used: number | undefined, max: number | undefined) =>
  max === undefined ? '-' : `${used ?? 0}/${max === -1 ? 'unlimited' : max}`;

export const limitsView: View<Limits> = {
  columns: [
    cloud,
    region,
    { header: 'SERVERS', value: (l) => quota(l.compute?.usedInstances, l.compute?.maxInstances) },
    { header: 'CORES', value: (l) => quota(l.compute?.usedCores, l.compute?.maxCores) },
    { header: 'RAM MiB', value: (l) => quota(l.compute?.usedRamMb, l.compute?.maxRamMb) },
    { header: 'VOLUMES', value: (l) => (l.volume ? quota(l.volume.usedVolumes, l.volume.maxVolumes) : '-') },
    { header: 'VOLUME GiB', value: (l) => (l.volume ? quota(l.volume.usedGigabytes, l.volume.maxGigabytes) : '-') },
  ],
  toJSON: (l) => Limits.toJSON(l),
};

export const capabilitiesView: View<Capabilities> = {
  columns: [
    cloud,
    region,
    { header: 'SERVICES', value: (c) => c.services.map((s) => s.type).join(', ') },
    { header: 'IMAGE FORMATS', value: (c) => c.image?.diskFormats.join(', ') },
    { header: 'PREFERRED', value: (c) => c.image?.preferredDiskFormat },
    { header: 'FLOATING IPS', value: (c) => (c.network?.floatingIpRequiredForPublicAccess ? 'required' : 'optional') },
    { header: 'VOLUMES', value: (c) => (c.volume?.available ? 'yes' : 'no') },
  ],
  toJSON: (c) => Capabilities.toJSON(c),
};

export const zoneView: View<AvailabilityZone> = {
  columns: [
    cloud,
    region,
    { header: 'ZONE', value: (z) => z.name },
    { header: 'AVAILABLE', value: (z) => (z.available ? 'yes' : 'no') },
  ],
  toJSON: (z) => AvailabilityZone.toJSON(z),
};
