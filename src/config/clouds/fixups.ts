import { isDict, type Dict } from './merge.ts';

/** Keys that belong inside `auth:` even when written at the top level of a cloud (or come from OS_*). */
export const AUTH_KEYS = [
  'auth_url',
  'username',
  'user_id',
  'password',
  'user_domain_id',
  'user_domain_name',
  'project_id',
  'project_name',
  'project_domain_id',
  'project_domain_name',
  'domain_id',
  'domain_name',
  'application_credential_id',
  'application_credential_name',
  'application_credential_secret',
  'token',
  'system_scope',
] as const;

/** Old spellings → the v3 noun (openstacksdk `_fix_backwards_auth`). */
const LEGACY_AUTH_KEYS: Record<string, string> = {
  tenant_id: 'project_id',
  tenant_name: 'project_name',
  auth_token: 'token',
};

/**
 * openstacksdk's `magic_fixes`, on one region's merged dict:
 * auth_plugin → auth_type, *endpoint_type → *interface, <service>_timeout → api_timeout,
 * tenant_* → project_*, top-level auth values moved into `auth` (top level wins, because
 * that is where env and CLI overrides land), then domain_* spread to user/project domains.
 */
export function applyMagicFixes(input: Dict): Dict {
  const cloud: Dict = {};
  for (const [key, value] of Object.entries(input)) {
    if (key.endsWith('endpoint_type')) cloud[key.replace(/endpoint_type$/, 'interface')] = value;
    else if (key.endsWith('timeout') && key !== 'timeout' && key !== 'api_timeout') cloud.api_timeout ??= value;
    else cloud[key] = value;
  }
  if (cloud.auth_plugin !== undefined && cloud.auth_type === undefined) cloud.auth_type = cloud.auth_plugin;
  delete cloud.auth_plugin;

  const auth: Dict = isDict(cloud.auth) ? { ...cloud.auth } : {};
  for (const [legacy, modern] of Object.entries(LEGACY_AUTH_KEYS)) {
    if (auth[legacy] !== undefined && auth[modern] === undefined) auth[modern] = auth[legacy];
    delete auth[legacy];
    if (cloud[legacy] !== undefined) cloud[modern] = cloud[legacy];
    delete cloud[legacy];
  }
  for (const key of AUTH_KEYS) {
    if (cloud[key] !== undefined && cloud[key] !== null && cloud[key] !== '') auth[key] = cloud[key];
    delete cloud[key];
  }
  spreadDomains(auth);
  cloud.auth = auth;
  return cloud;
}

/** openstacksdk `_handle_domain_id`: with a project scope, `domain_*` is shorthand for both user and project domain. */
function spreadDomains(auth: Dict): void {
  const projectScoped = auth.project_id !== undefined || auth.project_name !== undefined;
  if (!projectScoped) return;
  for (const [shorthand, targets] of [
    ['domain_id', ['user_domain_id', 'project_domain_id']],
    ['domain_name', ['user_domain_name', 'project_domain_name']],
  ] as const) {
    if (auth[shorthand] === undefined) continue;
    for (const target of targets) auth[target] ??= auth[shorthand];
    delete auth[shorthand];
  }
}

/**
 * openstacksdk formats every string value with the whole config (`"{region_name}"`), except
 * the password. Only placeholders naming a scalar key are replaced; anything else is left as is.
 */
export function expandTemplates(cloud: Dict): Dict {
  const scalars: Record<string, string> = {};
  for (const [k, v] of Object.entries(cloud)) {
    if (typeof v === 'string' || typeof v === 'number') scalars[k] = String(v);
  }
  const expand = (s: string) => s.replace(/\{([a-z0-9_]+)\}/g, (whole, name: string) => scalars[name] ?? whole);
  const out: Dict = {};
  for (const [k, v] of Object.entries(cloud)) out[k] = typeof v === 'string' ? expand(v) : v;
  if (isDict(cloud.auth)) {
    const auth: Dict = { ...cloud.auth };
    if (typeof auth.auth_url === 'string') auth.auth_url = expand(auth.auth_url);
    out.auth = auth;
  }
  return out;
}
