import type { Dict } from './merge.ts';

/** Variables that choose a cloud or a file rather than describe one (openstacksdk's `selectors`). */
const SELECTORS = new Set([
  'OS_CLOUD',
  'OS_REGION_NAME',
  'OS_CLIENT_CONFIG_FILE',
  'OS_CLIENT_SECURE_FILE',
  'OS_CLIENT_PUBLIC_FILE',
  'OS_CLOUD_NAME',
]);

/** oslotest and infra CI use these prefixes for unrelated things. */
const IGNORED_PREFIXES = ['OS_TEST', 'OS_STD', 'OS_LOG'];

/**
 * openstacksdk `_get_os_environ`: every OS_FOO_BAR becomes key `foo_bar` of a cloud named
 * `envvars` (or OS_CLOUD_NAME), but only when at least one variable other than a selector
 * is set. Selectors that name files or clouds are not copied into the cloud (openstacksdk
 * copies OS_CLOUD as `cloud`, which it would then read as a legacy profile name).
 */
export function envvarsCloud(env: Record<string, string | undefined>): Dict | undefined {
  const keys = Object.keys(env).filter(
    (k) => k.startsWith('OS_') && env[k] !== undefined && !IGNORED_PREFIXES.some((p) => k.startsWith(p)),
  );
  if (!keys.some((k) => !SELECTORS.has(k))) return undefined;
  const cloud: Dict = {};
  for (const k of keys) {
    if (SELECTORS.has(k) && k !== 'OS_REGION_NAME') continue;
    cloud[k.slice(3).toLowerCase()] = env[k];
  }
  return cloud;
}

export function envvarsCloudName(env: Record<string, string | undefined>): string {
  return env.OS_CLOUD_NAME || 'envvars';
}
