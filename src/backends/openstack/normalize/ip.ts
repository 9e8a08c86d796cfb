// Address classification for server interfaces (what Python's ipaddress tells openstacksdk).

/** 4 or 6 from the text of an address; 0 when it is neither. */
export function ipVersion(address: string): 4 | 6 | 0 {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return 4;
  if (address.includes(':')) return 6;
  return 0;
}

function v4Octets(address: string): number[] | undefined {
  const parts = address.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : undefined;
}

/** RFC 1918 space: 10/8, 172.16/12, 192.168/16. */
export function isRfc1918(address: string): boolean {
  const o = v4Octets(address);
  if (!o) return false;
  return o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168);
}

/**
 * Not globally routable IPv4 (Python's `ip_address(x).is_private` as openstacksdk uses it): RFC 1918, loopback,
 * link-local, shared address space, "this network", documentation and benchmark ranges, reserved.
 */
export function isNonRoutableV4(address: string): boolean {
  const o = v4Octets(address);
  if (!o) return true;
  const [a, b, c] = o;
  return (
    isRfc1918(address) ||
    a === 0 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 240
  );
}

/** IPv6 that is not global: link-local fe80::/10, unique local fc00::/7, loopback, unspecified. */
export function isNonGlobalV6(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '::') return true;
  const first = parseInt(lower.split(':')[0] || '0', 16);
  return (first & 0xffc0) === 0xfe80 || (first & 0xfe00) === 0xfc00;
}

/** Unique local IPv6 (fc00::/7): the IPv6 counterpart of RFC 1918. */
export function isUniqueLocalV6(address: string): boolean {
  const first = parseInt(address.toLowerCase().split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00;
}
