import type { Secret } from './secret.ts';

/**
 * The Keystone v3 methods oaktree speaks. clouds.yaml spellings map onto them:
 * password|v3password → password, v3applicationcredential|application_credential →
 * application_credential, token|v3token → token.
 */
export type AuthMethod = 'password' | 'application_credential' | 'token';

export type Interface = 'public' | 'internal' | 'admin';

/** The `auth:` block after openstacksdk's fix-ups (tenant_* → project_*, domain_* spread). Secrets are wrapped. */
export interface AuthSettings {
  authUrl: string;
  username?: string;
  userId?: string;
  password?: Secret;
  userDomainId?: string;
  userDomainName?: string;
  projectId?: string;
  projectName?: string;
  projectDomainId?: string;
  projectDomainName?: string;
  /** Domain scope (only kept when no project is given, as openstacksdk does). */
  domainId?: string;
  domainName?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: Secret;
  token?: Secret;
  /** `system_scope: all` */
  systemScope?: string;
}

/** One entry of `networks:` (openstacksdk `_fix_backwards_networks`). */
export interface NetworkConfig {
  name: string;
  routesExternally: boolean;
  routesIpv4Externally: boolean;
  routesIpv6Externally: boolean;
  natSource: boolean;
  natDestination: boolean;
  defaultInterface: boolean;
}

/**
 * Everything oaktree needs to reach one cloud in one region: what openstacksdk calls a
 * CloudRegion. All values are resolved: defaults, then the vendor profile, then the
 * cloud, then the region's `values`, then `{region_name}`-style templates expanded.
 */
export interface CloudRegionConfig {
  /** Cloud name as written in clouds.yaml (or `envvars`). */
  cloud: string;
  /** Region name; "" when none is configured (the catalog decides later). */
  region: string;
  authType: AuthMethod;
  /** auth_type exactly as configured, for messages. */
  authTypeConfigured: string;
  auth: AuthSettings;
  interface: Interface;
  /** false when `verify: false` or `insecure: true`. */
  verify: boolean;
  cacert?: string;
  cert?: string;
  key?: string;
  /** Seconds; undefined means the transport default (30 s). */
  apiTimeout?: number;
  identityApiVersion: string;
  computeApiVersion?: string;
  /** `<service>_api_version` keys, keyed by the prefix as written (`block_storage`, `volume`, ...). */
  apiVersions: Record<string, string>;
  /** `<service>_endpoint_override` (or legacy `<service>_endpoint`) keys, keyed by prefix. */
  endpointOverrides: Record<string, string>;
  imageFormat: string;
  /** 'neutron' | 'nova' | null (a vendor without floating IPs says `None`). */
  floatingIpSource: string | null;
  requiresFloatingIp?: boolean;
  natDestination?: string;
  networks: NetworkConfig[];
  imageApiUseTasks: boolean;
  /** Any other key (snake_case), for later layers; secret-looking values are wrapped in Secret. */
  extra: Record<string, unknown>;
}

export interface CloudConfig {
  name: string;
  /** The file the cloud was defined in, or "environment" for the envvars cloud. */
  source: string;
  /** The vendor profile it uses, if any (`profile:` or legacy `cloud:`). */
  profile?: string;
  /** True for the cloud OS_CLOUD names (or the only cloud / the envvars cloud, like openstacksdk). */
  isDefault: boolean;
  /** At least one entry; a single region "" when the config names none. */
  regions: CloudRegionConfig[];
}

export interface LoadedClouds {
  /** The files actually read, in the order they were applied. */
  files: string[];
  clouds: CloudConfig[];
  /** Name of the default cloud (OS_CLOUD, else the only/envvars cloud), if any. */
  defaultCloud?: string;
}

export interface LoadCloudsOptions {
  /** Environment to read OS_* from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  homeDir?: string;
  /** An exact clouds file; wins over OS_CLIENT_CONFIG_FILE and the search path. */
  file?: string;
  /** System directories searched after the user's (default: XDG site dir, /etc/openstack). */
  systemDirs?: string[];
}
