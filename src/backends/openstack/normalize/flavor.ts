// A nova flavor (flavors/detail at any microversion) in oaktree's shape.
import type { Flavor } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { extraProperties, stringMap, stringValue } from './properties.ts';

type Raw = Record<string, any>;

const NORMALIZED = [
  'id',
  'name',
  'vcpus',
  'ram',
  'disk',
  'OS-FLV-EXT-DATA:ephemeral',
  'ephemeral',
  'swap',
  'os-flavor-access:is_public',
  'is_public',
  'OS-FLV-DISABLED:disabled',
  'disabled',
  'description',
  'extra_specs',
  'links',
];

function int(value: unknown): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}

/** `extraSpecs` overrides what the flavor embeds (from os-extra_specs when the microversion has none). */
export function normalizeFlavor(raw: Raw, route: Location, extraSpecs?: Record<string, string>): Flavor {
  const isPublic = raw['os-flavor-access:is_public'] ?? raw.is_public;
  const properties = extraProperties(raw, NORMALIZED);
  for (const [k, v] of Object.entries(properties)) if (v === '') delete properties[k];
  return {
    location: { cloud: route.cloud, region: route.region, zone: '', project: route.project },
    id: stringValue(raw.id ?? ''),
    name: stringValue(raw.name ?? ''),
    vcpus: int(raw.vcpus),
    ramMb: int(raw.ram),
    diskGb: int(raw.disk),
    ephemeralGb: int(raw['OS-FLV-EXT-DATA:ephemeral'] ?? raw.ephemeral),
    // Before 2.75 nova says "" for no swap.
    swapMb: raw.swap === '' ? 0 : int(raw.swap),
    isPublic: isPublic === undefined ? true : isPublic === true,
    isDisabled: (raw['OS-FLV-DISABLED:disabled'] ?? raw.disabled) === true,
    description: typeof raw.description === 'string' ? raw.description : '',
    extraSpecs: extraSpecs ?? stringMap(raw.extra_specs),
    properties,
  };
}
