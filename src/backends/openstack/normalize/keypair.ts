// A nova keypair (list entries are wrapped: {"keypair": {...}}) in oaktree's shape.
import { KeypairType, type Keypair } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { extraProperties, stringValue } from './properties.ts';
import { parseTimestamp } from './time.ts';

type Raw = Record<string, any>;

const NORMALIZED = ['name', 'public_key', 'fingerprint', 'type', 'created_at', 'private_key', 'links'];

export function keypairType(value: unknown): KeypairType {
  if (value === 'ssh') return KeypairType.KEYPAIR_TYPE_SSH;
  if (value === 'x509') return KeypairType.KEYPAIR_TYPE_X509;
  // Before 2.2 nova had only SSH keys and did not say so.
  return value === undefined || value === null ? KeypairType.KEYPAIR_TYPE_SSH : KeypairType.KEYPAIR_TYPE_UNSPECIFIED;
}

/** Keypairs belong to the user: the location is the route's (scoped project), region level. */
export function normalizeKeypair(raw: Raw, route: Location): Keypair {
  const kp: Raw = raw.keypair && typeof raw.keypair === 'object' ? raw.keypair : raw;
  const properties = extraProperties(kp, NORMALIZED);
  for (const [k, v] of Object.entries(properties)) if (v === '') delete properties[k];
  return {
    location: { cloud: route.cloud, region: route.region, zone: '', project: route.project },
    name: stringValue(kp.name ?? ''),
    publicKey: stringValue(kp.public_key ?? ''),
    fingerprint: stringValue(kp.fingerprint ?? ''),
    type: keypairType(kp.type),
    createTime: parseTimestamp(kp.created_at),
    properties,
  };
}
