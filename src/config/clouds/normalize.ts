import type { AUTH_KEYS } from './fixups.ts';
import { isDict, type Dict } from './merge.ts';
import { Secret, isSecretKey, secretOrUndefined } from './secret.ts';
import type { AuthMethod, AuthSettings, CloudRegionConfig, Interface, NetworkConfig } from './types.ts';

/** Raises a CloudsConfigError for `key` (dotted path inside the cloud); never returns. */
export type Fail = (problem: string, key: string) => never;

const AUTH_TYPES: Record<string, AuthMethod> = {
  password: 'password',
  v3password: 'password',
  v3applicationcredential: 'application_credential',
  application_credential: 'application_credential',
  applicationcredential: 'application_credential',
  token: 'token',
  v3token: 'token',
};

const INTERFACES: Record<string, Interface> = {
  public: 'public',
  publicurl: 'public',
  internal: 'internal',
  internalurl: 'internal',
  admin: 'admin',
  adminurl: 'admin',
};

/** Keys this module turns into typed fields; anything else goes to `extra`. */
const KNOWN_KEYS = new Set([
  'auth',
  'auth_type',
  'interface',
  'verify',
  'insecure',
  'cacert',
  'cert',
  'key',
  'api_timeout',
  'identity_api_version',
  'image_format',
  'floating_ip_source',
  'requires_floating_ip',
  'nat_destination',
  'networks',
  'image_api_use_tasks',
  'region_name',
  'profile',
  'cloud',
  'regions',
]);

/** Turns one region's fixed-up dict into a typed, validated CloudRegionConfig. */
export function normalizeRegion(cloudName: string, raw: Dict, fail: Fail): CloudRegionConfig {
  const authTypeConfigured = str(raw, 'auth_type', fail) ?? 'password';
  const authType = AUTH_TYPES[authTypeConfigured.toLowerCase()];
  if (!authType) {
    fail(
      `unsupported auth_type "${authTypeConfigured}" (oaktree supports ${Object.keys(AUTH_TYPES).join(', ')})`,
      'auth_type',
    );
  }
  const identityApiVersion = str(raw, 'identity_api_version', fail) ?? '3';
  if (!/^v?3(\.\d+)?$/.test(identityApiVersion)) {
    fail(
      `identity API version "${identityApiVersion}" is not supported: oaktree speaks Keystone v3 only`,
      'identity_api_version',
    );
  }
  const interfaceRaw = str(raw, 'interface', fail) ?? 'public';
  const iface = INTERFACES[interfaceRaw.toLowerCase()];
  if (!iface) fail(`interface must be public, internal or admin, not "${interfaceRaw}"`, 'interface');

  const auth = normalizeAuth(raw.auth, authType, fail);

  const apiVersions: Record<string, string> = {};
  const endpointOverrides: Record<string, string> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (KNOWN_KEYS.has(key)) continue;
    let m: RegExpMatchArray | null;
    if ((m = key.match(/^(.+)_endpoint_override$/)) || (m = key.match(/^(.+)_endpoint$/))) {
      const url = str(raw, key, fail);
      if (url !== undefined && !(m[1] in endpointOverrides && key.endsWith('_endpoint'))) endpointOverrides[m[1]] = url;
    } else if ((m = key.match(/^(.+)_api_version$/))) {
      const v = str(raw, key, fail);
      if (v !== undefined) apiVersions[m[1]] = v;
    } else {
      extra[key] = isSecretKey(key) && value !== null && value !== undefined ? new Secret(String(value)) : value;
    }
  }

  const verifyFlag = bool(raw, 'verify', fail);
  const insecure = bool(raw, 'insecure', fail);
  const apiTimeout = num(raw, 'api_timeout', fail);
  if (apiTimeout !== undefined && !(apiTimeout > 0))
    fail('api_timeout must be a positive number of seconds', 'api_timeout');
  const fipSource = raw.floating_ip_source;
  const floatingIpSource =
    fipSource === null || (typeof fipSource === 'string' && fipSource.toLowerCase() === 'none')
      ? null
      : (str(raw, 'floating_ip_source', fail) ?? 'neutron');

  const natDestination = str(raw, 'nat_destination', fail);
  return {
    cloud: cloudName,
    region: str(raw, 'region_name', fail) ?? '',
    authType: authType!,
    authTypeConfigured,
    auth,
    interface: iface!,
    verify: insecure === true ? false : (verifyFlag ?? true),
    cacert: str(raw, 'cacert', fail),
    cert: str(raw, 'cert', fail),
    key: str(raw, 'key', fail),
    apiTimeout,
    identityApiVersion,
    computeApiVersion: apiVersions.compute,
    apiVersions,
    endpointOverrides,
    imageFormat: str(raw, 'image_format', fail) ?? 'qcow2',
    floatingIpSource,
    requiresFloatingIp: bool(raw, 'requires_floating_ip', fail),
    natDestination,
    networks: normalizeNetworks(raw.networks, fail),
    imageApiUseTasks: bool(raw, 'image_api_use_tasks', fail) ?? false,
    extra,
  };
}

function normalizeAuth(value: unknown, method: AuthMethod, fail: Fail): AuthSettings {
  if (value !== undefined && !isDict(value)) fail('auth must be a mapping', 'auth');
  const a = (value ?? {}) as Dict;
  const s = (k: (typeof AUTH_KEYS)[number]) => str(a, k, fail, 'auth.');
  const authUrl = s('auth_url');
  if (!authUrl) fail('auth_url is required', 'auth.auth_url');
  if (!/^https?:\/\//i.test(authUrl!)) fail(`auth_url must be an http(s) URL, not "${authUrl}"`, 'auth.auth_url');
  const auth: AuthSettings = {
    authUrl: authUrl!,
    username: s('username'),
    userId: s('user_id'),
    password: secretOrUndefined(a.password),
    userDomainId: s('user_domain_id'),
    userDomainName: s('user_domain_name'),
    projectId: s('project_id'),
    projectName: s('project_name'),
    projectDomainId: s('project_domain_id'),
    projectDomainName: s('project_domain_name'),
    domainId: s('domain_id'),
    domainName: s('domain_name'),
    applicationCredentialId: s('application_credential_id'),
    applicationCredentialName: s('application_credential_name'),
    applicationCredentialSecret: secretOrUndefined(a.application_credential_secret),
    token: secretOrUndefined(a.token),
    systemScope: s('system_scope'),
  };
  for (const key of Object.keys(auth) as (keyof AuthSettings)[]) if (auth[key] === undefined) delete auth[key];

  switch (method) {
    case 'password':
      if (!auth.username && !auth.userId) fail('password auth needs username or user_id', 'auth.username');
      if (!auth.password) fail('password auth needs a password', 'auth.password');
      break;
    case 'application_credential':
      if (!auth.applicationCredentialSecret) {
        fail('application credential auth needs application_credential_secret', 'auth.application_credential_secret');
      }
      if (!auth.applicationCredentialId) {
        if (!auth.applicationCredentialName) {
          fail(
            'application credential auth needs application_credential_id or _name',
            'auth.application_credential_id',
          );
        }
        if (!auth.userId && !auth.username) {
          fail('an application credential given by name also needs user_id or username', 'auth.user_id');
        }
      }
      break;
    case 'token':
      if (!auth.token) fail('token auth needs a token', 'auth.token');
      break;
  }
  if (
    auth.projectName &&
    !auth.projectId &&
    !auth.projectDomainId &&
    !auth.projectDomainName &&
    method !== 'application_credential'
  ) {
    fail('project_name needs project_domain_name or project_domain_id (or domain_name/domain_id)', 'auth.project_name');
  }
  return auth;
}

function normalizeNetworks(value: unknown, fail: Fail): NetworkConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail('networks must be a list', 'networks');
  const networks = (value as unknown[]).map((entry, i): NetworkConfig => {
    if (!isDict(entry)) fail('each networks entry must be a mapping', `networks[${i}]`);
    const net = entry as Dict;
    const name = str(net, 'name', fail, `networks[${i}].`);
    if (!name) fail('each networks entry needs a name', `networks[${i}].name`);
    const b = (k: string) => bool(net, k, fail, `networks[${i}].`);
    const routesExternally = b('routes_externally') ?? false;
    return {
      name: name!,
      routesExternally,
      routesIpv4Externally: b('routes_ipv4_externally') ?? routesExternally,
      routesIpv6Externally: b('routes_ipv6_externally') ?? routesExternally,
      natSource: b('nat_source') ?? false,
      natDestination: b('nat_destination') ?? false,
      defaultInterface: b('default_interface') ?? false,
    };
  });
  for (const flag of ['natDestination', 'defaultInterface'] as const) {
    const flagged = networks.filter((n) => n[flag]);
    if (flagged.length > 1) {
      const key = flag === 'natDestination' ? 'nat_destination' : 'default_interface';
      fail(`only one network may set ${key}, found ${flagged.map((n) => n.name).join(' and ')}`, 'networks');
    }
  }
  return networks;
}

/** A string-valued key; numbers are accepted and stringified (YAML turns `3` and `2.1` into numbers). */
function str(d: Dict, key: string, fail: Fail, prefix = ''): string | undefined {
  const v = d[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return fail(`must be a string, not ${describe(v)}`, prefix + key);
}

/** openstacksdk `get_boolean`: true, or the string "true" in any case; "false"/"no" are false. */
function bool(d: Dict, key: string, fail: Fail, prefix = ''): boolean | undefined {
  const v = d[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false|yes|no|1|0)$/i.test(v)) return /^(true|yes|1)$/i.test(v);
  return fail(`must be true or false, not ${describe(v)}`, prefix + key);
}

function num(d: Dict, key: string, fail: Fail): number | undefined {
  const v = d[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) fail(`must be a number, not ${describe(v)}`, key);
  return n;
}

/** Type of a bad value for messages; never echoes the value itself (it might be a secret). */
function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isDict(v)) return 'a mapping';
  return `a ${typeof v}`;
}
