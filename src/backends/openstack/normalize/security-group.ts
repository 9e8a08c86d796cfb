// Neutron security groups (with their rules) in oaktree's normal form.
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import {
  SecurityGroupRuleDirection,
  type SecurityGroup,
  type SecurityGroupRule,
} from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from './location.ts';
import { int, str } from './network.ts';
import { extraProperties } from './properties.ts';

const NORMALIZED = ['id', 'name', 'description', 'security_group_rules', 'project_id', 'tenant_id'];

function direction(value: unknown): SecurityGroupRuleDirection {
  if (value === 'ingress') return SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_INGRESS;
  if (value === 'egress') return SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_EGRESS;
  return SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_UNSPECIFIED;
}

export function normalizeSecurityGroupRule(raw: Record<string, unknown>): SecurityGroupRule {
  return {
    id: str(raw.id),
    direction: direction(raw.direction),
    ethertype: str(raw.ethertype),
    // Neutron may answer a protocol number as a string ("6") or null for any.
    protocol: raw.protocol === null || raw.protocol === undefined ? '' : String(raw.protocol).toLowerCase(),
    portRangeMin: int(raw.port_range_min),
    portRangeMax: int(raw.port_range_max),
    remoteIpPrefix: str(raw.remote_ip_prefix),
    remoteGroupId: str(raw.remote_group_id),
    description: str(raw.description),
  };
}

export function normalizeSecurityGroup(raw: Record<string, unknown>, route: Location): SecurityGroup {
  const rules = Array.isArray(raw.security_group_rules) ? (raw.security_group_rules as Record<string, unknown>[]) : [];
  return {
    location: objectLocation(route, raw),
    id: str(raw.id),
    name: str(raw.name),
    description: str(raw.description),
    rules: rules.filter((r) => !!r && typeof r === 'object').map(normalizeSecurityGroupRule),
    properties: extraProperties(raw, NORMALIZED),
  };
}
