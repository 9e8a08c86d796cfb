import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isDict, type Dict } from './merge.ts';

const VENDORS_DIR = fileURLToPath(new URL('./vendors/', import.meta.url));

let builtin: Map<string, Dict> | undefined;

/** The profiles shipped in ./vendors/*.json, read once. */
export function builtinProfiles(): Map<string, Dict> {
  if (!builtin) {
    builtin = new Map();
    for (const file of readdirSync(VENDORS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const data: unknown = JSON.parse(readFileSync(join(VENDORS_DIR, file), 'utf8'));
      if (isDict(data) && typeof data.name === 'string' && isDict(data.profile)) {
        builtin.set(data.name, data.profile);
      }
    }
  }
  return builtin;
}

export interface ResolvedProfile {
  /** Where it came from: the clouds-public file path or "built-in". */
  origin: string;
  profile: Dict;
  status: string;
  message: string;
}

/**
 * openstacksdk `_expand_vendor_profile`: a `public-clouds` entry in clouds-public.yaml wins
 * over a built-in profile of the same name; a built-in profile may point to another
 * (`profile: {profile: name}`). Remote (URL) profiles are not fetched.
 */
export function resolveProfile(
  name: string,
  publicClouds: { path: string; clouds: Dict } | undefined,
): ResolvedProfile | undefined {
  const fromFile = publicClouds?.clouds[name];
  if (isDict(fromFile)) {
    return { origin: publicClouds!.path, profile: { ...fromFile }, status: 'active', message: '' };
  }
  let profile = builtinProfiles().get(name);
  if (!profile) return undefined;
  profile = { ...profile };
  const nested = profile.profile;
  if (typeof nested === 'string') {
    const nestedData = builtinProfiles().get(nested);
    if (nestedData) profile = { ...nestedData };
  }
  delete profile.profile;
  const status = typeof profile.status === 'string' ? profile.status : 'active';
  const message = typeof profile.message === 'string' ? profile.message : '';
  delete profile.status;
  delete profile.message;
  return { origin: 'built-in', profile, status, message };
}
