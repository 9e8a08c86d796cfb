// Nova's absolute limits (GET /limits) in oaktree's shape.
import type { ComputeLimits } from '../../../gen/oaktree/v1/limits.ts';
import { stringValue } from './properties.ts';

type Raw = Record<string, any>;

const COMPUTE_FIELDS: Record<keyof ComputeLimits, string> = {
  maxInstances: 'maxTotalInstances',
  usedInstances: 'totalInstancesUsed',
  maxCores: 'maxTotalCores',
  usedCores: 'totalCoresUsed',
  maxRamMb: 'maxTotalRAMSize',
  usedRamMb: 'totalRAMUsed',
  maxKeypairs: 'maxTotalKeypairs',
  maxServerGroups: 'maxServerGroups',
  usedServerGroups: 'totalServerGroupsUsed',
  maxMetadataItems: 'maxServerMeta',
};

/** A count for an int32 field: out-of-range values are clamped (one region's odd usage must not fail encoding). */
export function int32(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n)) return 0;
  return Math.max(-1, Math.min(2_147_483_647, Math.trunc(n)));
}

/** Compute limits plus the absolute fields that have no normal slot (as properties, prefixed "compute."). */
export function normalizeComputeLimits(body: unknown): { compute: ComputeLimits; properties: Record<string, string> } {
  const absolute: Raw = (body as Raw)?.limits?.absolute ?? {};
  const compute = {} as ComputeLimits;
  const used = new Set<string>();
  for (const [field, key] of Object.entries(COMPUTE_FIELDS) as [keyof ComputeLimits, string][]) {
    compute[field] = int32(absolute[key]);
    used.add(key);
  }
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(absolute))
    if (!used.has(key)) properties[`compute.${key}`] = stringValue(value);
  return { compute, properties };
}
