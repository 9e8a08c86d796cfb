// Image properties are free-form, but Glance keeps some names for itself and oaktree sends the typed fields under
// the same names: a property called visibility or status would override a typed field or be refused by Glance
// with a 403 that names nothing. Such keys are refused here, before any cloud, naming the key.
import { REQUEST_ID_METADATA_KEY } from './request-id.ts';
import { camel, type Rule } from './field-rules.ts';

/**
 * Glance's image fields (its v2 schema: the base, read-only, disallowed and reserved properties of its request
 * deserializer) and oaktree's request_id property, which a retry looks its image up by.
 */
export const RESERVED_IMAGE_PROPERTIES: ReadonlySet<string> = new Set([
  'checksum',
  'container_format',
  'created_at',
  'deleted',
  'deleted_at',
  'direct_url',
  'disk_format',
  'file',
  'id',
  'location',
  'locations',
  'min_disk',
  'min_ram',
  'name',
  'os_hash_algo',
  'os_hash_value',
  'os_hidden',
  'owner',
  'protected',
  'schema',
  'self',
  'size',
  'status',
  'stores',
  'tags',
  'updated_at',
  'virtual_size',
  'visibility',
  REQUEST_ID_METADATA_KEY,
]);
/** Glance's own namespace: properties it sets during imports (os_glance_import_task ...). */
const RESERVED_PREFIX = 'os_glance_';

/** Why `key` may not be an image property; undefined when it may. Names only keys from the fixed list. */
function reservedProblem(where: string, key: string): string | undefined {
  if (RESERVED_IMAGE_PROPERTIES.has(key))
    return `${where} "${key}" is an image field or reserved by Glance/oaktree: set it with its own field, if any`;
  if (key.startsWith(RESERVED_PREFIX)) return `${where} keys starting with ${RESERVED_PREFIX} are reserved by Glance`;
  return undefined;
}

/** A map field of image properties: no key that Glance or oaktree reserves. */
export function imagePropertyKeys(field: string): Rule {
  const key = camel(field);
  return (m, path) =>
    Object.keys(m[key] ?? {})
      .map((k) => reservedProblem(`${path}${field} key`, k))
      .find(Boolean);
}

/** A repeated field of image property names (to remove): none that Glance or oaktree reserves. */
export function imagePropertyNames(field: string): Rule {
  const key = camel(field);
  return (m, path) =>
    ((m[key] ?? []) as string[]).map((k, i) => reservedProblem(`${path}${field}[${i}]`, k)).find(Boolean);
}
