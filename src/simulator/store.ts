// The data of one simulated cloud: identity (users, projects, tokens) at cloud level, everything else per region.
// Records are compact plain objects; JSON is built per response by the service modules.
import { createHash } from 'node:crypto';
import { Collection } from './collection.ts';
import { IdentityStore } from './identity-store.ts';
import type { ServerExtras } from './nova/server-admin-view.ts';
import type { SimCloudOptions, SimUserSpec } from './types.ts';
import { hexId, ipv4At, macFor, uuid } from './util.ts';

export const DEFAULT_DOMAIN = { id: 'default', name: 'Default' };
/** The project of the second member user ("demo2"), unless the configured projects already name it. */
export const SECOND_PROJECT = 'project2';

export interface ResolvedCloudOptions {
  name: string;
  regions: string[];
  port: number;
  projects: string[];
  seedServers: number;
  seedImages: number;
  bootDelayMs: number;
  actionDelayMs: number;
  latencyMs: number;
  tokenTtlSeconds: number;
  diskFormats: string[];
  containerFormats: string[];
  importMethods: string[];
  maxPageSize: number;
  deletedRetentionMs: number;
  unsavedMs: number;
  volumeDelayMs: number;
  users: SimUserSpec[];
  ignoredServerFilters: string[];
  importAllowedPorts: number[];
  objectStore: { tempUrl: boolean; bulkDelete: boolean; maxFileSize: number; maxManifestSegments: number };
}

export function resolveCloudOptions(o: SimCloudOptions): ResolvedCloudOptions {
  return {
    name: o.name,
    regions: o.regions?.length ? o.regions : ['RegionOne'],
    port: o.port ?? 0,
    projects: o.projects?.length ? o.projects : ['demo'],
    seedServers: o.seedServers ?? 0,
    seedImages: o.seedImages ?? 1,
    bootDelayMs: o.bootDelayMs ?? 1500,
    actionDelayMs: o.actionDelayMs ?? 300,
    latencyMs: o.latencyMs ?? 0,
    tokenTtlSeconds: o.tokenTtlSeconds ?? 3600,
    diskFormats: o.diskFormats ?? ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'],
    containerFormats: o.containerFormats ?? ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'],
    importMethods: o.importMethods ?? ['glance-direct', 'web-download'],
    maxPageSize: o.maxPageSize ?? 1000,
    deletedRetentionMs: o.deletedRetentionMs ?? 10 * 60_000,
    unsavedMs: o.unsavedMs ?? 300,
    volumeDelayMs: o.volumeDelayMs ?? 300,
    users: o.users ?? [],
    ignoredServerFilters: o.ignoredServerFilters ?? [],
    importAllowedPorts: o.importAllowedPorts ?? [80, 443],
    objectStore: {
      tempUrl: o.objectStore?.tempUrl ?? true,
      bulkDelete: o.objectStore?.bulkDelete ?? true,
      maxFileSize: o.objectStore?.maxFileSize ?? 5 * 1024 ** 3 + 2,
      maxManifestSegments: o.objectStore?.maxManifestSegments ?? 1000,
    },
  };
}

export interface User {
  id: string;
  name: string;
  password: string;
  isAdmin: boolean;
  defaultProjectId: string;
  /** Keystone role names on every project the user may access. */
  roles: string[];
  /** Projects the user is a member of; admins may access every project. */
  projectIds: string[];
  /** Keystone fields a client may set (enabled, email, description, ...); see keystone-admin.ts. */
  extra?: Record<string, unknown>;
}
export interface Project {
  id: string;
  name: string;
  /** Keystone fields a client may set (description, enabled, tags, ...); see keystone-admin.ts. */
  extra?: Record<string, unknown>;
}
export interface AppCredential {
  id: string;
  name: string;
  secret: string;
  userId: string;
  projectId: string;
  description?: string | null;
}
export interface Token {
  id: string;
  serial: number;
  userId: string;
  projectId?: string;
  domainScoped: boolean;
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  appCredId?: string;
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral: number;
  swap: number;
  extraSpecs: Record<string, string>;
  /** Absent on the seeded flavors: public, no description (see nova/flavor-admin.ts). */
  isPublic?: boolean;
  description?: string | null;
  /** Projects given access to a private flavor. */
  projects?: string[];
}

export interface Image {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  owner: string;
  diskFormat: string | null;
  containerFormat: string | null;
  size: number | null;
  virtualSize: number | null;
  checksum: string | null;
  hashAlgo: string | null;
  hashValue: string | null;
  minRam: number;
  minDisk: number;
  protected: boolean;
  hidden: boolean;
  tags: string[];
  props: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  /** Bytes live in a temp file (uploads) or are synthesized (seeded images). */
  filePath?: string;
  stagedPath?: string;
  synthetic?: Buffer;
}

export interface Network {
  id: string;
  name: string;
  projectId: string;
  external: boolean;
  shared: boolean;
  mtu: number;
  subnetIds: string[];
  createdAt: number;
  updatedAt: number;
  description: string;
  /** Neutron-side settings a request may change (absent: Neutron's default). */
  adminStateUp?: boolean;
  portSecurity?: boolean;
  tags?: string[];
}
export interface Subnet {
  id: string;
  name: string;
  networkId: string;
  projectId: string;
  cidr: string;
  gatewayIp: string;
  poolStart: string;
  poolEnd: string;
  nextHost: number;
  createdAt: number;
  updatedAt: number;
  /** Settings a request may change (absent: Neutron's default). */
  enableDhcp?: boolean;
  dnsNameservers?: string[];
  hostRoutes?: Array<{ destination: string; nexthop: string }>;
  description?: string;
  tags?: string[];
}
export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}
export interface Port {
  id: string;
  name: string;
  networkId: string;
  projectId: string;
  mac: string;
  fixedIps: FixedIp[];
  deviceId: string;
  deviceOwner: string;
  status: string;
  securityGroupIds: string[];
  createdAt: number;
  updatedAt: number;
  createdForServer: boolean;
  revision: number;
  /** Settings a request may change (absent: Neutron's default); kept off the 100k server ports. */
  adminStateUp?: boolean;
  portSecurity?: boolean;
  addressPairs?: Array<{ ip_address: string; mac_address: string }>;
  description?: string;
  tags?: string[];
}
export interface FloatingIp {
  id: string;
  projectId: string;
  networkId: string;
  address: string;
  portId: string | null;
  fixedIp: string | null;
  routerId: string | null;
  status: string;
  createdAt: number;
  updatedAt: number;
  description: string;
  revision: number;
  tags?: string[];
}
export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  projectId: string;
  createdAt: number;
  updatedAt: number;
  tags?: string[];
}
export interface SecurityGroupRule {
  id: string;
  groupId: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  portMin: number | null;
  portMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  projectId: string;
  createdAt: number;
  description: string;
}
export interface Router {
  id: string;
  name: string;
  projectId: string;
  /** The external gateway; empty strings when the router has none. */
  externalNetworkId: string;
  externalSubnetId: string;
  gatewayIp: string;
  createdAt: number;
  updatedAt: number;
  enableSnat?: boolean;
  adminStateUp?: boolean;
  description?: string;
  tags?: string[];
  revision?: number;
}
export interface VolumeAttachment {
  id: string;
  serverId: string;
  device: string;
  attachedAt: number;
}
export interface Volume {
  id: string;
  name: string | null;
  projectId: string;
  userId: string;
  size: number;
  status: string;
  az: string;
  createdAt: number;
  updatedAt: number;
  readyAt: number;
  description: string | null;
  volumeType: string;
  bootable: boolean;
  imageId: string | null;
  attachments: VolumeAttachment[];
  metadata: Record<string, string>;
}
export interface Keypair {
  name: string;
  userId: string;
  publicKey: string;
  fingerprint: string;
  type: string;
  createdAt: number;
}

export interface ServerFault {
  code: number;
  message: string;
  created: number;
}

/** One server; kept small because a region may hold 100k of them. */
export interface Server {
  id: string;
  name: string;
  projectId: string;
  userId: string;
  flavorId: string;
  /** '' when booted from volume. */
  imageId: string;
  keyName: string | null;
  status:
    | 'BUILD'
    | 'ACTIVE'
    | 'SHUTOFF'
    | 'ERROR'
    | 'DELETED'
    // Reached by server actions (src/simulator/nova/actions.ts).
    | 'PAUSED'
    | 'SUSPENDED'
    | 'RESCUE'
    | 'SHELVED'
    | 'SHELVED_OFFLOADED'
    | 'VERIFY_RESIZE'
    | 'REVERT_RESIZE'
    | 'REBOOT'
    | 'HARD_REBOOT'
    | 'RESIZE'
    | 'REBUILD';
  /** Microversion 2.19; null when never set. */
  description?: string | null;
  created: number;
  updated: number;
  /** When BUILD ends. */
  readyAt: number;
  /** Until then changes-since does not show the building server (nova's NULL updated_at; see unsavedMs). */
  unsavedUntil?: number;
  launchedAt: number | null;
  deletedAt: number | null;
  az: string;
  metadata?: Record<string, string>;
  /** Set at create when a fault rule says the build fails. */
  failMessage?: string;
  fault?: ServerFault;
  securityGroups: string[];
  portIds: string[];
  volumeIds?: string[];
  deleteOnTermination?: string[];
  /** config_drive, user_data, reservation id of servers created through the API (nova/server-admin-view.ts). */
  extras?: ServerExtras;
  /** Tags (microversion 2.26), in the order set. */
  tags?: string[];
  /** The guest hostname (2.90 shows it); defaults to the sanitized name. */
  hostname?: string;
  /** The server group it was scheduled into. */
  serverGroupId?: string;
}

/** A nova server group (os-server-groups). */
export interface ServerGroup {
  id: string;
  name: string;
  projectId: string;
  userId: string;
  /** affinity, anti-affinity, soft-affinity or soft-anti-affinity. */
  policy: string;
  rules: { max_server_per_host?: number };
  members: string[];
}

export const AVAILABILITY_ZONE = 'nova';

export class RegionData {
  readonly images = new Collection<Image>();
  readonly networks = new Collection<Network>();
  readonly subnets = new Collection<Subnet>();
  readonly ports = new Collection<Port>();
  /** deviceId -> port id, or ids when a device has several: a one-element array per server adds up at 100k. */
  readonly portsByDevice = new Map<string, string | string[]>();
  readonly floatingIps = new Collection<FloatingIp>();
  readonly securityGroups = new Collection<SecurityGroup>();
  readonly securityGroupRules = new Collection<SecurityGroupRule>();
  readonly routers = new Collection<Router>();
  readonly volumes = new Collection<Volume>();
  readonly serverGroups = new Collection<ServerGroup>();
  /** userId -> name -> keypair */
  readonly keypairs = new Map<string, Map<string, Keypair>>();
  /** projectId -> servers (created order) */
  readonly servers = new Map<string, Collection<Server>>();
  /** Servers still in BUILD, settled lazily on read. */
  readonly building = new Set<Server>();
  macCounter = 1;
  hostIds = new Map<string, string>();
  constructor(readonly name: string) {}

  serversOf(projectId: string): Collection<Server> {
    let table = this.servers.get(projectId);
    if (!table) this.servers.set(projectId, (table = new Collection<Server>()));
    return table;
  }

  findServer(serverId: string, projectId?: string): Server | undefined {
    if (projectId !== undefined) return this.servers.get(projectId)?.get(serverId);
    for (const table of this.servers.values()) {
      const found = table.get(serverId);
      if (found) return found;
    }
    return undefined;
  }

  /** nova's hostId: a hash of project and host, stable per project. */
  hostIdFor(projectId: string): string {
    let id = this.hostIds.get(projectId);
    if (!id) this.hostIds.set(projectId, (id = createHash('sha224').update(`${projectId}sim-compute-1`).digest('hex')));
    return id;
  }

  addPort(port: Port): void {
    this.ports.add(port);
    if (port.deviceId) this.indexDevice(port.id, port.deviceId);
  }

  setPortDevice(port: Port, deviceId: string, deviceOwner: string): void {
    if (port.deviceId) this.unindexDevice(port.id, port.deviceId);
    port.deviceId = deviceId;
    port.deviceOwner = deviceOwner;
    if (deviceId) this.indexDevice(port.id, deviceId);
  }

  deletePort(portId: string): void {
    const port = this.ports.get(portId);
    if (!port) return;
    if (port.deviceId) this.unindexDevice(port.id, port.deviceId);
    this.ports.delete(portId);
  }

  portsOfDevice(deviceId: string): Port[] {
    const entry = this.portsByDevice.get(deviceId);
    if (!entry) return [];
    const out: Port[] = [];
    for (const id of typeof entry === 'string' ? [entry] : entry) {
      const port = this.ports.get(id);
      if (port) out.push(port);
    }
    return out;
  }

  private indexDevice(portId: string, deviceId: string): void {
    const entry = this.portsByDevice.get(deviceId);
    if (!entry) this.portsByDevice.set(deviceId, portId);
    else if (typeof entry === 'string') {
      if (entry !== portId) this.portsByDevice.set(deviceId, [entry, portId]);
    } else if (!entry.includes(portId)) entry.push(portId);
  }

  private unindexDevice(portId: string, deviceId: string): void {
    const entry = this.portsByDevice.get(deviceId);
    const ids = (typeof entry === 'string' ? [entry] : (entry ?? [])).filter((id) => id !== portId);
    if (ids.length === 0) this.portsByDevice.delete(deviceId);
    else this.portsByDevice.set(deviceId, ids.length === 1 ? ids[0] : ids);
  }

  /** Next free address of a subnet. */
  allocateIp(subnet: Subnet): string {
    return ipv4At(subnet.cidr, subnet.nextHost++);
  }

  nextMac(): string {
    return macFor(this.macCounter++);
  }

  publicNetwork(): Network | undefined {
    for (const net of this.networks.values()) if (net.external) return net;
    return undefined;
  }

  privateNetworkOf(projectId: string): Network | undefined {
    for (const net of this.networks.values()) if (!net.external && net.projectId === projectId) return net;
    return undefined;
  }
}

export class CloudData {
  readonly users = new Map<string, User>();
  readonly projects = new Map<string, Project>();
  readonly appCredentials = new Map<string, AppCredential>();
  readonly tokens = new Map<string, Token>();
  readonly regions = new Map<string, RegionData>();
  readonly flavors = new Collection<Flavor>();
  /** Domains, groups, roles, grants and the service catalog; users' access derives from its grants. */
  readonly identity: IdentityStore = new IdentityStore(this);
  /** Tokens with a serial below this are invalid (fault: expire all tokens). */
  minTokenSerial = 0;
  nextTokenSerial = 1;
  readonly adminProjectId: string;
  readonly demoUser: User;
  readonly adminUser: User;
  /** A member of its own project only: the second tenant for isolation tests. */
  readonly secondUser: User;
  /** What a node validates callers' tokens with (Keystone's "service" role). */
  readonly serviceUser: User;
  readonly demoAppCredential: AppCredential;

  constructor(readonly opts: ResolvedCloudOptions) {
    const projectIds = opts.projects.map((name) => this.addProject(name).id);
    this.adminProjectId = opts.projects.includes('admin')
      ? projectIds[opts.projects.indexOf('admin')]
      : this.addProject('admin').id;
    this.demoUser = this.addUser('demo', ['member', 'reader'], projectIds);
    this.adminUser = this.addUser('admin', ['admin', 'member', 'reader'], [this.adminProjectId]);
    const secondProject =
      [...this.projects.values()].find((p) => p.name === SECOND_PROJECT) ?? this.addProject(SECOND_PROJECT);
    this.secondUser = this.addUser('demo2', ['member', 'reader'], [secondProject.id]);
    this.serviceUser = this.addUser('oaktree-service', ['service'], [this.adminProjectId]);
    this.demoAppCredential = {
      id: hexId(),
      name: 'sim-demo-appcred',
      secret: hexId(),
      userId: this.demoUser.id,
      projectId: projectIds[0],
    };
    this.appCredentials.set(this.demoAppCredential.id, this.demoAppCredential);
    for (const spec of opts.users) this.addConfiguredUser(spec, projectIds[0]);
    for (const flavor of DEFAULT_FLAVORS) this.flavors.add({ ...flavor, extraSpecs: { ...flavor.extraSpecs } });
    for (const region of opts.regions) this.regions.set(region, new RegionData(region));
  }

  /** Projects the demo user belongs to (the configured ones). */
  memberProjects(): Project[] {
    return [...this.projects.values()].filter((p) => this.opts.projects.includes(p.name));
  }

  userCanAccess(user: User, projectId: string): boolean {
    return user.isAdmin || user.projectIds.includes(projectId);
  }

  private addProject(name: string): Project {
    const project = { id: hexId(), name };
    this.projects.set(project.id, project);
    return project;
  }

  /** A user of the cloud's options: a new one, or more grants (and a new password) for an existing name. */
  private addConfiguredUser(spec: SimUserSpec, firstProjectId: string): void {
    const projectIds = (spec.projects?.length ? spec.projects : []).map(
      (name) => ([...this.projects.values()].find((p) => p.name === name) ?? this.addProject(name)).id,
    );
    if (projectIds.length === 0) projectIds.push(firstProjectId);
    const roles = [
      ...new Set([...(spec.roles?.length ? spec.roles : ['member', 'reader']), ...(spec.admin ? ['admin'] : [])]),
    ];
    const existing = [...this.users.values()].find((u) => u.name === spec.name);
    if (!existing) {
      this.addUser(spec.name, roles, projectIds, spec.password);
      return;
    }
    if (spec.password !== undefined) existing.password = spec.password;
    this.identity.seedUser(existing, roles, projectIds);
  }

  private addUser(name: string, roles: string[], projectIds: string[], password = 'secret'): User {
    const user = {
      id: hexId(),
      name,
      password,
      isAdmin: roles.includes('admin'),
      defaultProjectId: projectIds[0],
      roles,
      projectIds,
    };
    this.users.set(user.id, user);
    this.identity.seedUser(user, roles, projectIds);
    return user;
  }
}

const DEFAULT_FLAVORS: Flavor[] = [
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1, ephemeral: 0, swap: 0, extraSpecs: {} },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20, ephemeral: 0, swap: 0, extraSpecs: {} },
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40, ephemeral: 0, swap: 0, extraSpecs: {} },
  { id: '4', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80, ephemeral: 0, swap: 0, extraSpecs: {} },
  { id: '5', name: 'm1.xlarge', vcpus: 8, ram: 16384, disk: 160, ephemeral: 0, swap: 0, extraSpecs: {} },
  {
    id: 'c1',
    name: 'cirros256',
    vcpus: 1,
    ram: 256,
    disk: 1,
    ephemeral: 0,
    swap: 0,
    extraSpecs: { 'hw_rng:allowed': 'True' },
  },
  { id: 'd1', name: 'ds512M', vcpus: 1, ram: 512, disk: 5, ephemeral: 0, swap: 0, extraSpecs: {} },
];

export { uuid, macFor };
