/** Plain-object helpers mirroring openstacksdk's `_util.merge_clouds`, `_auth_update`, `normalize_keys`. */

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge: nested mappings merge, everything else (lists included) is replaced. Inputs are untouched. */
export function mergeClouds(base: Dict, overlay: Dict): Dict {
  const out: Dict = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const prev = out[key];
    out[key] = isDict(value) ? mergeClouds(isDict(prev) ? prev : {}, value) : value;
  }
  return out;
}

/** dict.update, except `auth` is merged one level deep (a profile's auth_url survives a cloud's username). */
export function authUpdate(base: Dict, overlay: Dict): Dict {
  const out: Dict = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (key === 'auth' && isDict(value)) {
      out.auth = { ...(isDict(out.auth) ? out.auth : {}), ...value };
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** `auth-url` and `auth_url` mean the same thing in clouds.yaml. */
export function normalizeKeys(value: Dict): Dict {
  const out: Dict = {};
  for (const [key, v] of Object.entries(value)) {
    out[key.replace(/-/g, '_')] = isDict(v) ? normalizeKeys(v) : v;
  }
  return out;
}

export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}
