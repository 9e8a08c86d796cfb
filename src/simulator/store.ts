// The data of one simulated cloud: identity (users, projects, tokens) at cloud level, everything else per region.
// Records are compact plain objects; JSON is built per response by the service modules.
import { createHash } from 'node:crypto';
import { Collection } from './collection.ts';
import type { SimCloudOptions } from './types.ts';
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
  latencyMs: number;
  tokenTtlSeconds: number;
  diskFormats: string[];
  containerFormats: string[];
  importMethods: string[];
  maxPageSize: number;
  deletedRetentionMs: number;
  volumeDelayMs: number;
  objectStore: { tempUrl: boolean; bulkDelete: boolean; maxFileSize: number };
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
    latencyMs: o.latencyMs ?? 0,
    tokenTtlSeconds: o.tokenTtlSeconds ?? 3600,
    diskFormats: o.diskFormats ?? ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'],
    containerFormats: o.containerFormats ?? ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'],
    importMethods: o.importMethods ?? ['glance-direct', 'web-download'],
    maxPageSize: o.maxPageSize ?? 1000,
    deletedRetentionMs: o.deletedRetentionMs ?? 10 * 60_000,
    volumeDelayMs: o.volumeDelayMs ?? 300,
    objectStore: {
      tempUrl: o.objectStore?.tempUrl ?? true,
      bulkDelete: o.objectStore?.bulkDelete ?? true,
      maxFileSize: o.objectStore?.maxFileSize ?? 5 * 1024 ** 3 + 2,
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
}
export interface Project {
  id: string;
  name: string;
}
export interface AppCredential {
  id: string;
  name: string;
  secret: string;
  userId: string;
  projectId: string;
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
}
export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  projectId: string;
  createdAt: number;
  updatedAt: number;
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
  externalNetworkId: string;
  externalSubnetId: string;
  gatewayIp: string;
  createdAt: number;
  updatedAt: number;
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
  status: 'BUILD' | 'ACTIVE' | 'SHUTOFF' | 'ERROR' | 'DELETED';
  created: number;
  updated: number;
  /** When BUILD ends. */
  readyAt: number;
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
}

export const AVAILABILITY_ZONE = 'nova';

export class RegionData {
  readonly images = new Collection<Image>();
  readonly networks = new Collection<Network>();
  readonly subnets = new Collection<Subnet>();
  readonly ports = new Collection<Port>();
  /** deviceId -> port ids; arrays, not Sets: one per server adds up at 100k servers. */
  readonly portsByDevice = new Map<string, string[]>();
  readonly floatingIps = new Collection<FloatingIp>();
  readonly securityGroups = new Collection<SecurityGroup>();
  readonly securityGroupRules = new Collection<SecurityGroupRule>();
  readonly routers = new Collection<Router>();
  readonly volumes = new Collection<Volume>();
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
    const ids = this.portsByDevice.get(deviceId);
    if (!ids) return [];
    const out: Port[] = [];
    for (const id of ids) {
      const port = this.ports.get(id);
      if (port) out.push(port);
    }
    return out;
  }

  private indexDevice(portId: string, deviceId: string): void {
    const ids = this.portsByDevice.get(deviceId);
    if (!ids) this.portsByDevice.set(deviceId, [portId]);
    else if (!ids.includes(portId)) ids.push(portId);
  }

  private unindexDevice(portId: string, deviceId: string): void {
    const ids = this.portsByDevice.get(deviceId)?.filter((id) => id !== portId);
    if (ids?.length) this.portsByDevice.set(deviceId, ids);
    else this.portsByDevice.delete(deviceId);
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

  private addUser(name: string, roles: string[], projectIds: string[]): User {
    const user = {
      id: hexId(),
      name,
      password: 'secret',
      isAdmin: roles.includes('admin'),
      defaultProjectId: projectIds[0],
      roles,
      projectIds,
    };
    this.users.set(user.id, user);
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
