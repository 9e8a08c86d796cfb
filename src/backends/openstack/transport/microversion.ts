/** Microversions are "X.Y" with numeric parts: 2.10 is above 2.9. */
export type Microversion = readonly [major: number, minor: number];

export function parseMicroversion(value: string | undefined | null): Microversion | undefined {
  const m = value?.trim().match(/^v?(\d+)\.(\d+)$/);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function formatMicroversion(v: Microversion): string {
  return `${v[0]}.${v[1]}`;
}

export function compareMicroversions(a: Microversion, b: Microversion): number {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * The highest version both sides support: min(ours, the server's max), provided it is not
 * below the server's min. undefined when the ranges do not overlap. A server without
 * microversions (no max advertised) gets undefined too: send no header.
 */
export function negotiateMicroversion(
  wanted: { min: string; max: string },
  server: { min?: string; max?: string },
): string | undefined {
  const ourMin = parseMicroversion(wanted.min);
  const ourMax = parseMicroversion(wanted.max);
  const theirMax = parseMicroversion(server.max);
  const theirMin = parseMicroversion(server.min) ?? theirMax;
  if (!ourMin || !ourMax || !theirMax || !theirMin) return undefined;
  const best = compareMicroversions(ourMax, theirMax) <= 0 ? ourMax : theirMax;
  if (compareMicroversions(best, theirMin) < 0 || compareMicroversions(best, ourMin) < 0) return undefined;
  return formatMicroversion(best);
}

/** The header each service expects; only compute is negotiated in oaktree today. */
export function microversionHeaders(serviceType: string, version: string): Record<string, string> {
  if (serviceType === 'compute') {
    // Both spellings: the legacy one for clouds older than 2.27.
    return { 'OpenStack-API-Version': `compute ${version}`, 'X-OpenStack-Nova-API-Version': version };
  }
  return { 'OpenStack-API-Version': `${serviceType} ${version}` };
}
