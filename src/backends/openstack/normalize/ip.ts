// Address classification for server interfaces (what Python's ipaddress tells openstacksdk).

/** 4 or 6 from the text of an address; 0 when it is neither. */
export function ipVersion(address: string): 4 | 6 | 0 {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return 4;
  if (address.includes(':')) return 6;
  return 0;
}

/**
 * A dotted-quad IPv4 address as its 32-bit value, or -1 when it is not one (1–3 digits per octet, each ≤ 255).
 * Read character by character: it runs for every address of every server a list normalizes.
 */
function v4Value(address: string): number {
  let value = 0;
  let octet = -1;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      octet = octet < 0 ? code - 48 : octet * 10 + (code - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (code === 46 && octet >= 0 && ++dots <= 3) {
      value = value * 256 + octet;
      octet = -1;
      digits = 0;
    } else return -1;
  }
  return octet >= 0 && dots === 3 ? value * 256 + octet : -1;
}

/** RFC 1918 space: 10/8, 172.16/12, 192.168/16. */
export function isRfc1918(address: string): boolean {
  const value = v4Value(address);
  return value >= 0 && inRfc1918(value);
}

function inRfc1918(value: number): boolean {
  const a = value >>> 24;
  const b = (value >>> 16) & 255;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/**
 * Not globally routable IPv4 (Python's `ip_address(x).is_private` as openstacksdk uses it): RFC 1918, loopback,
 * link-local, shared address space, "this network", documentation and benchmark ranges, reserved.
 */
export function isNonRoutableV4(address: string): boolean {
  const value = v4Value(address);
  if (value < 0) return true;
  const a = value >>> 24;
  const b = (value >>> 16) & 255;
  const c = (value >>> 8) & 255;
  return (
    inRfc1918(value) ||
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
