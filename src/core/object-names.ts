// Swift counts names in bytes of UTF-8, not in characters: an object name may be 1,024 bytes, a container name
// 256 bytes without a slash. These rules check that before any cloud is asked, without echoing the name.
import type { Rule } from './field-rules.ts';

export const MAX_OBJECT_NAME_BYTES = 1024;
export const MAX_CONTAINER_NAME_BYTES = 256;

const camel = (protoName: string) => protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The string field, when set, is at most `max` bytes of UTF-8. */
export function utf8Bytes(field: string, max: number): Rule {
  const key = camel(field);
  return (m, path) => {
    const value = m[key];
    if (typeof value !== 'string' || !value) return undefined;
    const bytes = Buffer.byteLength(value, 'utf8');
    return bytes > max ? `${path}${field} is ${bytes} bytes of UTF-8 long; the limit is ${max}` : undefined;
  };
}

/** The field, when set, is a container name: at most 256 bytes, no slash. */
export function containerName(field: string): Rule {
  const key = camel(field);
  const length = utf8Bytes(field, MAX_CONTAINER_NAME_BYTES);
  return (m, path) =>
    typeof m[key] === 'string' && m[key].includes('/')
      ? `${path}${field} may not contain a slash (a container name is one path segment)`
      : length(m, path);
}

/** Metadata travels as HTTP headers: every key must be a header token (values may be any text). */
export function headerTokenKeys(field: string): Rule {
  const key = camel(field);
  return (m, path) => {
    const bad = Object.keys(m[key] ?? {}).filter((k) => !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k));
    return bad.length
      ? `${path}${field} has ${bad.length} key(s) that are not HTTP header tokens: use ASCII letters, digits and - _ . only`
      : undefined;
  };
}
