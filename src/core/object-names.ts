// Swift counts names in bytes of UTF-8, not in characters: an object name may be 1,024 bytes, a container name
// 256 bytes without a slash. These rules check that before any cloud is asked, without echoing the name.
import { camel, type Rule } from './field-rules.ts';

export const MAX_OBJECT_NAME_BYTES = 1024;
export const MAX_CONTAINER_NAME_BYTES = 256;

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

/** "." and ".." are path steps to every URL parser on the way, never names: they would address the parent. */
function dotSegment(field: string): Rule {
  const key = camel(field);
  return (m, path) =>
    m[key] === '.' || m[key] === '..' ? `${path}${field} may not be "." or ".." (a URL path step)` : undefined;
}

/** The field, when set, is a container name: at most 256 bytes, no slash, not a dot step. */
export function containerName(field: string): Rule {
  const key = camel(field);
  const length = utf8Bytes(field, MAX_CONTAINER_NAME_BYTES);
  const dots = dotSegment(field);
  return (m, path) =>
    typeof m[key] === 'string' && m[key].includes('/')
      ? `${path}${field} may not contain a slash (a container name is one path segment)`
      : (dots(m, path) ?? length(m, path));
}

/** The field, when set, is an object name: at most 1,024 bytes, not a dot step (slashes are fine). */
export function objectName(field: string): Rule {
  const length = utf8Bytes(field, MAX_OBJECT_NAME_BYTES);
  const dots = dotSegment(field);
  return (m, path) => dots(m, path) ?? length(m, path);
}

/**
 * Metadata travels as HTTP headers: every key must be a header token (values may be any text). The field is a map
 * (keys to set) or a list (keys to remove).
 */
export function headerTokenKeys(field: string): Rule {
  const key = camel(field);
  return (m, path) => {
    const value = m[key] ?? {};
    const keys: string[] = Array.isArray(value) ? value : Object.keys(value);
    const bad = keys.filter((k) => !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k));
    return bad.length
      ? `${path}${field} has ${bad.length} key(s) that are not HTTP header tokens: use ASCII letters, digits and - _ . only`
      : undefined;
  };
}

/** A field sent as an HTTP header value as is (content type, ACLs): printable ASCII only. */
export function headerValue(field: string): Rule {
  const key = camel(field);
  return (m, path) =>
    typeof m[key] === 'string' && /[^\x20-\x7e]/.test(m[key])
      ? `${path}${field} may only hold printable ASCII characters`
      : undefined;
}
