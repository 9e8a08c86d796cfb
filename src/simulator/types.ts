// Public option and info types of the simulator (other parts of oaktree code against these names).

export interface SimulatorOptions {
  /** Default: "sim-alpha" (RegionOne, RegionTwo) and "sim-beta" (RegionOne). */
  clouds?: SimCloudOptions[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Admin HTTP endpoint: 0 = ephemeral port, undefined = none. */
  controlPort?: number;
}

export interface SimCloudOptions {
  name: string;
  regions?: string[];
  port?: number;
  /**
   * Default ["demo"]; user "demo" / "secret" is a member of each; user "admin" / "secret" is admin everywhere;
   * "demo2" / "secret" is a member of "project2" only; "oaktree-service" / "secret" has the service role.
   */
  projects?: string[];
  /**
   * More users, or changes to the default ones (matched by name): each gets `roles` on each of `projects`
   * (created when missing). clouds.yaml gets an entry "<cloud>-<user>" for each.
   */
  users?: SimUserSpec[];
  /** ACTIVE servers created up front, per region and project. */
  seedServers?: number;
  /** Public images created up front, per region. */
  seedImages?: number;
  /** BUILD -> ACTIVE delay, default 1500 ms. */
  bootDelayMs?: number;
  /** How long a server action (reboot, resize, snapshot ...) keeps its task state, default 300 ms. */
  actionDelayMs?: number;
  /** Added to every request of this cloud. */
  latencyMs?: number;
  /** Default 3600. */
  tokenTtlSeconds?: number;
  diskFormats?: string[];
  containerFormats?: string[];
  importMethods?: string[];
  /** Cap on a nova/glance/neutron/cinder page (default 1000, like osapi_max_limit). */
  maxPageSize?: number;
  /** How long a deleted server stays visible to changes-since (default 10 minutes). */
  deletedRetentionMs?: number;
  /**
   * How long a new server is left out of changes-since answers while it builds (default 300 ms). Nova's
   * changes-since filters on updated_at, which stays NULL from the moment the conductor writes the server to a
   * cell until the compute host first saves it; a GET or a full list shows the server meanwhile.
   */
  unsavedMs?: number;
  /** How long a new volume stays "creating" (default 300 ms). */
  volumeDelayMs?: number;
  /**
   * Server list query filters this nova ignores, as nova ignores filters it does not know (tags before 2.26,
   * a vendor's trimmed filter set): e.g. ["name", "tags"]. Default none.
   */
  ignoredServerFilters?: string[];
  /** Ports a web-download import URL may use (Glance's import filtering; default [80, 443]). */
  importAllowedPorts?: number[];
  /**
   * The Swift object store (default: TempURL and bulk delete on, max object 5 GiB + 2 bytes and 1,000 segments per
   * static large object, like Swift's).
   */
  objectStore?: { tempUrl?: boolean; bulkDelete?: boolean; maxFileSize?: number; maxManifestSegments?: number };
}

export interface SimUserSpec {
  name: string;
  /** Default "secret". */
  password?: string;
  /** Default: the cloud's first project. */
  projects?: string[];
  /** Keystone role names on each project; default ["member", "reader"]. */
  roles?: string[];
  /** Adds the admin role (admin is a cloud-wide admin, as with Keystone's default policy). */
  admin?: boolean;
}

export interface SimProjectInfo {
  id: string;
  name: string;
  domainId: string;
  domainName: string;
}

export interface SimCloudInfo {
  name: string;
  authUrl: string;
  port: number;
  regions: string[];
  projects: SimProjectInfo[];
  username: string;
  password: string;
  adminUsername: string;
  adminPassword: string;
  /** An application credential of the demo user (unrestricted, scoped to the first project). */
  applicationCredential: { id: string; name: string; secret: string };
  /** "demo2": a member of its own project only (a second tenant). */
  secondUser: { username: string; password: string; project: SimProjectInfo };
  /** A user with Keystone's "service" role: may validate other users' tokens. */
  serviceUser: { username: string; password: string; project: SimProjectInfo };
  /** The users of `SimCloudOptions.users`, each with its first project. */
  users: Array<{ username: string; password: string; project: SimProjectInfo; roles: string[] }>;
}

export type ServiceName = 'identity' | 'compute' | 'image' | 'network' | 'volume' | 'object-store';

export interface RouteCount {
  cloud: string;
  region: string;
  service: ServiceName | 'unknown';
  /** e.g. "GET /servers/detail" (path relative to the versioned service root). */
  route: string;
  count: number;
}

export interface RequestStats {
  total: number;
  byCloud: Record<string, number>;
  /** key "cloud/service" */
  byService: Record<string, number>;
  /** key "cloud/service METHOD /template", summed over regions */
  byRoute: Record<string, number>;
  entries: RouteCount[];
  reset(): void;
}

/** Which requests a fault applies to; an absent field matches everything. */
export interface FaultTarget {
  cloud?: string;
  service?: ServiceName;
  region?: string;
  /** One route, named as `GET /stats` names it: method and template, e.g. `GET /servers/{id}`. */
  route?: string;
}

export type FaultSpec =
  | (FaultTarget & { kind: 'latency'; ms: number })
  /** The next `count` matching requests (or a `fraction` of them, forever unless `count` also set) get `status`. */
  | (FaultTarget & { kind: 'status'; status: number; count?: number; fraction?: number; retryAfterSeconds?: number })
  /** Accept the request and never answer. */
  | (FaultTarget & { kind: 'hang'; count?: number })
  /** Keystone answers 503, or the connection is dropped without an answer ("reset"/"refuse"). */
  | { kind: 'keystone-down'; cloud?: string; mode?: '503' | 'reset' | 'refuse' }
  /** Invalidate every token of a cloud now, or after `afterRequests` more requests to it. One-shot. */
  | { kind: 'expire-tokens'; cloud?: string; afterRequests?: number }
  /** Servers whose build (or next action) ends in ERROR: the next `count` of them, or names matching `namePattern` (regex). */
  | { kind: 'server-error'; cloud?: string; region?: string; count?: number; namePattern?: string; message?: string };

export type FaultInfo = FaultSpec & { id: string; remaining?: number };

export interface FaultControl {
  add(spec: FaultSpec): FaultInfo;
  remove(id: string): boolean;
  clear(): void;
  list(): FaultInfo[];
  /** Shorthand for add({kind: 'expire-tokens', ...}). */
  expireTokens(cloud?: string, afterRequests?: number): FaultInfo;
}

export interface Simulator {
  clouds: SimCloudInfo[];
  controlUrl?: string;
  cloudsYaml(): string;
  writeCloudsYaml(path: string): Promise<void>;
  faults: FaultControl;
  stats(): RequestStats;
  /** Calls `listener` with every request as it arrives (cloud, region, service, route, epoch ms); returns the way to stop. */
  onRequest(
    listener: (request: { cloud: string; region: string; service: string; route: string; at: number }) => void,
  ): () => void;
  close(): Promise<void>;
}
