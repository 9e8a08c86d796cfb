// Microversion negotiation the way nova and cinder do it (OpenStack-API-Version and the legacy nova header).
import type { IncomingMessage } from 'node:http';
import { ApiError } from './util.ts';

export type Version = [number, number];

export interface VersionRange {
  serviceType: 'compute' | 'volume';
  min: Version;
  max: Version;
  /** nova still honours X-OpenStack-Nova-API-Version */
  legacyHeader?: string;
}

export const COMPUTE_VERSIONS: VersionRange = {
  serviceType: 'compute',
  min: [2, 1],
  max: [2, 93], // Zed's nova, the release the real tier runs
  legacyHeader: 'x-openstack-nova-api-version',
};
export const VOLUME_VERSIONS: VersionRange = { serviceType: 'volume', min: [3, 0], max: [3, 70] };

export const formatVersion = (v: Version): string => `${v[0]}.${v[1]}`;

export function negotiate(
  req: IncomingMessage,
  range: VersionRange,
): { version: Version; headers: Record<string, string> } {
  let requested: string | undefined;
  const header = req.headers['openstack-api-version'];
  if (typeof header === 'string') {
    for (const part of header.split(',')) {
      const [type, value] = part.trim().split(/\s+/);
      if (type?.toLowerCase() === range.serviceType && value) requested = value;
    }
  }
  if (requested === undefined && range.legacyHeader) {
    const legacy = req.headers[range.legacyHeader];
    if (typeof legacy === 'string' && legacy.trim()) requested = legacy.trim();
  }
  let version: Version = range.min;
  if (requested !== undefined) {
    if (requested.toLowerCase() === 'latest') version = range.max;
    else {
      const m = /^(\d+)\.(\d+)$/.exec(requested);
      if (!m)
        throw new ApiError(
          400,
          `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`,
        );
      version = [Number(m[1]), Number(m[2])];
      if (compare(version, range.min) < 0 || compare(version, range.max) > 0) {
        throw new ApiError(
          406,
          `Version ${requested} is not supported by the API. Minimum is ${formatVersion(range.min)} and maximum is ${formatVersion(range.max)}.`,
        );
      }
    }
  }
  const headers: Record<string, string> = {
    'OpenStack-API-Version': `${range.serviceType} ${formatVersion(version)}`,
    Vary: range.legacyHeader ? 'OpenStack-API-Version, X-OpenStack-Nova-API-Version' : 'OpenStack-API-Version',
  };
  if (range.legacyHeader) headers['X-OpenStack-Nova-API-Version'] = formatVersion(version);
  return { version, headers };
}

export function compare(a: Version, b: Version): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

export const atLeast = (v: Version, major: number, minor: number): boolean => compare(v, [major, minor]) >= 0;
