// Neutron's quotas (with usage where the quota_details extension answers) in oaktree's normal form.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { NetworkQuotas } from '../../../gen/oaktree/v1/network.ts';

const count = (v: unknown): bigint => (typeof v === 'number' && Number.isFinite(v) ? BigInt(Math.trunc(v)) : -1n);

/** `quota`: GET /quotas/{project}/details (limit, used, reserved per resource) or GET /quotas/{project} (limits). */
export function normalizeNetworkQuotas(quota: Record<string, unknown>, location: Location): NetworkQuotas {
  const quotas = Object.entries(quota)
    .map(([resource, value]) => {
      const detail = value && typeof value === 'object' ? (value as Record<string, unknown>) : { limit: value };
      return { resource, limit: count(detail.limit), used: count(detail.used), reserved: count(detail.reserved) };
    })
    .sort((a, b) => a.resource.localeCompare(b.resource));
  return { location, quotas };
}
