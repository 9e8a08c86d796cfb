// IPv4 arithmetic for Neutron's subnet rules: CIDR bounds, overlaps, membership, allocation pools.

export interface Range {
  first: number;
  last: number;
}

export function ipv4ToInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** The addresses of a CIDR ("10.0.0.0/24"); undefined when it is not an IPv4 CIDR. */
export function cidrRange(cidr: string): Range | undefined {
  const [base, bits] = cidr.split('/');
  const start = ipv4ToInt(base ?? '');
  const prefix = Number(bits);
  if (start === undefined || !/^\d{1,2}$/.test(bits ?? '') || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = start - (start % size);
  return { first, last: first + size - 1 };
}

export const overlaps = (a: Range, b: Range) => a.first <= b.last && b.first <= a.last;

export function inCidr(address: string, cidr: string): boolean {
  const value = ipv4ToInt(address);
  const range = cidrRange(cidr);
  return value !== undefined && !!range && value >= range.first && value <= range.last;
}
