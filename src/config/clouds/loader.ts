import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { CLOUD_DEFAULTS } from './defaults.ts';
import { envvarsCloud, envvarsCloudName } from './env.ts';
import { CloudsConfigError } from './errors.ts';
import { applyMagicFixes, expandTemplates } from './fixups.ts';
import { authUpdate, deepCopy, isDict, mergeClouds, normalizeKeys, type Dict } from './merge.ts';
import { normalizeRegion, type Fail } from './normalize.ts';
import { candidateFiles, findFirstFile, type ConfigFileKind, type SearchPathOptions } from './search-path.ts';
import { readSourceFile, type SourceFile } from './source.ts';
import { resolveProfile } from './vendors.ts';
import type { CloudConfig, CloudRegionConfig, LoadCloudsOptions, LoadedClouds } from './types.ts';

const ENV_SOURCE = 'environment (OS_* variables)';

/**
 * Reads clouds.yaml the way openstacksdk's OpenStackConfig does and returns every cloud
 * with every region resolved (openstacksdk `get_all_clouds`). No clouds anywhere → empty lists.
 */
export async function loadCloudsConfig(opts: LoadCloudsOptions = {}): Promise<LoadedClouds> {
  const env = opts.env ?? process.env;
  const search: SearchPathOptions = {
    env,
    cwd: opts.cwd ?? process.cwd(),
    homeDir: opts.homeDir ?? homedir(),
    systemDirs: opts.systemDirs,
  };

  const cloudsFile = await readFamily('clouds', opts.file ?? env.OS_CLIENT_CONFIG_FILE, search);
  const secureFile = await readFamily('secure', env.OS_CLIENT_SECURE_FILE, search);
  const publicFile = await readFamily('clouds-public', env.OS_CLIENT_PUBLIC_FILE, search);
  const files = [cloudsFile, secureFile, publicFile].filter((f): f is SourceFile => f !== undefined);

  for (const f of [cloudsFile, secureFile]) {
    if (f && f.data.clouds !== undefined && !isDict(f.data.clouds)) {
      throw new CloudsConfigError('"clouds" must be a mapping of cloud names', {
        file: f.path,
        key: 'clouds',
        line: f.lineOf(['clouds']),
      });
    }
  }
  if (publicFile && publicFile.data['public-clouds'] !== undefined && !isDict(publicFile.data['public-clouds'])) {
    throw new CloudsConfigError('"public-clouds" must be a mapping', { file: publicFile.path, key: 'public-clouds' });
  }

  // secure.yaml is deep-merged over clouds.yaml (openstacksdk `merge_clouds`).
  let clouds: Dict = (cloudsFile?.data.clouds as Dict | undefined) ?? {};
  if (secureFile?.data.clouds) clouds = mergeClouds(clouds, secureFile.data.clouds as Dict);
  const sources = new Map<string, string>(
    Object.keys(clouds).map((name) => [name, cloudsFile?.path ?? secureFile!.path]),
  );

  const envName = envvarsCloudName(env);
  const fromEnv = envvarsCloud(env);
  if (fromEnv) {
    if (envName in clouds) {
      throw new CloudsConfigError(
        `a cloud named "${envName}" is defined in the file and by OS_* variables; rename one (OS_CLOUD_NAME sets the environment cloud's name)`,
        { file: cloudsFile?.path, cloud: envName },
      );
    }
    clouds[envName] = fromEnv;
    sources.set(envName, ENV_SOURCE);
  }

  const names = Object.keys(clouds);
  let defaultCloud = env.OS_CLOUD || undefined;
  if (defaultCloud && !(defaultCloud in clouds)) {
    throw new CloudsConfigError(
      `OS_CLOUD names cloud "${defaultCloud}", which is not defined (known: ${names.join(', ') || 'none'})`,
      {
        file: cloudsFile?.path,
        cloud: defaultCloud,
      },
    );
  }
  if (!defaultCloud && fromEnv) defaultCloud = envName;
  if (!defaultCloud && names.length === 1) defaultCloud = names[0];

  const publicClouds =
    publicFile && isDict(publicFile.data['public-clouds'])
      ? { path: publicFile.path, clouds: publicFile.data['public-clouds'] as Dict }
      : undefined;
  const locator = makeLocator(cloudsFile, secureFile);

  const result: CloudConfig[] = names.map((name) => {
    const source = sources.get(name)!;
    const fail: Fail = (problem, key) => {
      const where = source === ENV_SOURCE ? { file: ENV_SOURCE } : locator(name, key);
      throw new CloudsConfigError(problem, { ...where, cloud: name, key });
    };
    return buildCloud(name, clouds[name], source, name === defaultCloud, publicClouds, fail);
  });

  return { files: files.map((f) => f.path), clouds: result, defaultCloud };
}

async function readFamily(
  kind: ConfigFileKind,
  exact: string | undefined,
  search: SearchPathOptions,
): Promise<SourceFile | undefined> {
  if (exact) {
    // openstacksdk silently falls back to the search path when the named file is missing;
    // a typo in OS_CLIENT_CONFIG_FILE should not quietly select another cloud, so it is an error here.
    const path = resolve(search.cwd, exact);
    if (!existsSync(path))
      throw new CloudsConfigError(
        `file not found (named by ${kind === 'clouds' ? 'OS_CLIENT_CONFIG_FILE or --config' : kind === 'secure' ? 'OS_CLIENT_SECURE_FILE' : 'OS_CLIENT_PUBLIC_FILE'})`,
        { file: path },
      );
    return readSourceFile(path);
  }
  const found = findFirstFile(candidateFiles(kind, search));
  return found ? readSourceFile(found) : undefined;
}

/** Finds the file and line where a cloud's key was written (clouds file first, then secure). */
function makeLocator(...files: (SourceFile | undefined)[]) {
  return (cloud: string, key: string): { file?: string; line?: number } => {
    const path = key.split('.').flatMap((part) => {
      const m = part.match(/^(.+)\[(\d+)\]$/);
      return m ? [m[1], Number(m[2])] : [part];
    });
    // A key may sit in `auth:` or at the top level (openstacksdk accepts both); a missing key points at its parent.
    const candidates: (string | number)[][] = [];
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      candidates.push(prefix);
      if (prefix[0] === 'auth' && prefix.length > 1) candidates.push(prefix.slice(1));
    }
    for (const candidate of candidates) {
      for (const f of files) {
        const line = f?.lineOf(['clouds', cloud, ...candidate]);
        if (f && line !== undefined) return { file: f.path, line };
      }
    }
    return { file: files.find((f) => f && isDict(f.data.clouds) && cloud in (f.data.clouds as Dict))?.path };
  };
}

function buildCloud(
  name: string,
  rawCloud: unknown,
  source: string,
  isDefault: boolean,
  publicClouds: { path: string; clouds: Dict } | undefined,
  fail: Fail,
): CloudConfig {
  if (!isDict(rawCloud)) fail('a cloud must be a mapping', '');
  const ours = normalizeKeys(rawCloud as Dict);
  if (ours.auth !== undefined && !isDict(ours.auth)) fail('auth must be a mapping', 'auth');

  // defaults → vendor profile → the cloud itself (openstacksdk `_get_base_cloud_config`).
  let base: Dict = { ...CLOUD_DEFAULTS, auth: {} };
  const profileName =
    typeof ours.profile === 'string' ? ours.profile : typeof ours.cloud === 'string' ? ours.cloud : undefined;
  let profileData: Dict = {};
  if (profileName) {
    const found = resolveProfile(profileName, publicClouds);
    if (!found)
      fail(
        `unknown vendor profile "${profileName}" (not in clouds-public.yaml nor built in)`,
        ours.profile ? 'profile' : 'cloud',
      );
    if (found!.status === 'shutdown')
      fail(
        `vendor profile "${profileName}" references a cloud that no longer exists: ${found!.message}`,
        ours.profile ? 'profile' : 'cloud',
      );
    profileData = normalizeKeys(found!.profile);
    base = authUpdate(base, profileData);
  }
  base = authUpdate(base, ours);
  delete base.cloud;
  delete base.profile;

  const regions = regionList(ours, fail) ?? regionList(profileData, fail, true) ?? [{ name: '', values: {} }];
  delete base.regions;

  const resolved: CloudRegionConfig[] = regions.map(({ name: region, values }, i) => {
    const regionFail: Fail = (problem, key) => {
      // A value that came from the region's `values` is reported at that spot.
      const topKey = key.split('.')[0].replace(/\[\d+\]$/, '');
      if (topKey in values || (key.startsWith('auth.') && isDict(values.auth)))
        return fail(problem, `regions[${i}].values.${key}`);
      return fail(problem, key);
    };
    let merged = authUpdate(deepCopy(base), values);
    merged.region_name = region;
    merged = expandTemplates(applyMagicFixes(merged));
    const cfg = normalizeRegion(name, merged, regionFail);
    cfg.region = region;
    return cfg;
  });
  const seen = new Set<string>();
  for (const r of resolved) {
    if (seen.has(r.region)) fail(`region "${r.region}" is listed twice`, 'regions');
    seen.add(r.region);
  }

  return { name, source, profile: profileName, isDefault, regions: resolved };
}

/** openstacksdk `_get_known_regions` + `_expand_regions`: `regions` (strings or {name, values}), else `region_name`. */
function regionList(cloud: Dict, fail: Fail, fromProfile = false): { name: string; values: Dict }[] | undefined {
  const key = fromProfile ? 'profile regions' : 'regions';
  if (cloud.regions !== undefined && cloud.regions !== null) {
    if (!Array.isArray(cloud.regions)) fail(`${key} must be a list`, 'regions');
    if ((cloud.regions as unknown[]).length === 0) return undefined;
    return (cloud.regions as unknown[]).map((entry, i) => {
      if (typeof entry === 'string' && entry !== '') return { name: entry, values: {} };
      if (isDict(entry)) {
        const extraKeys = Object.keys(entry).filter((k) => k !== 'name' && k !== 'values');
        if (typeof entry.name !== 'string' || !entry.name) fail('a region entry needs a name', `regions[${i}].name`);
        if (extraKeys.length)
          fail(`a region entry may only have "name" and "values", found "${extraKeys.join('", "')}"`, `regions[${i}]`);
        if (entry.values !== undefined && !isDict(entry.values))
          fail('region values must be a mapping', `regions[${i}].values`);
        return { name: entry.name as string, values: normalizeKeys((entry.values as Dict | undefined) ?? {}) };
      }
      return fail('a region must be a name or a mapping {name, values}', `regions[${i}]`);
    });
  }
  const regionName = cloud.region_name;
  if (regionName === undefined || regionName === null || regionName === '') return undefined;
  if (Array.isArray(regionName)) return regionName.map((n) => ({ name: String(n), values: {} }));
  if (typeof regionName !== 'string') fail('region_name must be a string', 'region_name');
  // Comma-separated region_name is deprecated upstream but still honoured.
  return (regionName as string).split(',').map((n) => ({ name: n.trim(), values: {} }));
}
