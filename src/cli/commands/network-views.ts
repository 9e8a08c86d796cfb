// Tables and JSON forms for the network objects the write commands show: subnets, routers, security groups and
// their rules, network quotas.
import { networkStatusName } from '../../client/index.ts';
import { Location } from '../../gen/oaktree/v1/location.ts';
import {
  NetworkQuota,
  type NetworkQuotas,
  Router,
  SecurityGroup,
  SecurityGroupRule,
  SecurityGroupRuleDirection,
  Subnet,
} from '../../gen/oaktree/v1/network.ts';
import type { View } from './output.ts';

const cloud = { header: 'CLOUD', value: (o: { location?: Location | undefined }) => o.location?.cloud };
const region = { header: 'REGION', value: (o: { location?: Location | undefined }) => o.location?.region };

export const subnetView: View<Subnet> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (s) => s.name },
    { header: 'NETWORK', value: (s) => s.networkId },
    { header: 'CIDR', value: (s) => s.cidr },
    { header: 'ID', value: (s) => s.id },
  ],
  toJSON: (s) => Subnet.toJSON(s),
};

export const routerView: View<Router> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (r) => r.name },
    { header: 'STATUS', value: (r) => networkStatusName(r.status) },
    { header: 'GATEWAY', value: (r) => r.externalGateway?.networkId ?? '' },
    { header: 'INTERFACES', value: (r) => String(r.interfaces.length) },
    { header: 'ID', value: (r) => r.id },
  ],
  toJSON: (r) => Router.toJSON(r),
};

export const securityGroupView: View<SecurityGroup> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (g) => g.name },
    { header: 'DESCRIPTION', value: (g) => g.description },
    { header: 'RULES', value: (g) => String(g.rules.length) },
    { header: 'ID', value: (g) => g.id },
  ],
  toJSON: (g) => SecurityGroup.toJSON(g),
};

const directionName = (d: SecurityGroupRuleDirection) =>
  d === SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_EGRESS ? 'egress' : 'ingress';

/** A rule as the table shows it, with the group it belongs to. */
export interface RuleRow {
  group: SecurityGroup;
  rule: SecurityGroupRule;
}

export const ruleView: View<RuleRow> = {
  columns: [
    { header: 'GROUP', value: (r) => r.group.name },
    { header: 'DIRECTION', value: (r) => directionName(r.rule.direction) },
    { header: 'ETHERTYPE', value: (r) => r.rule.ethertype },
    { header: 'PROTOCOL', value: (r) => r.rule.protocol || 'any' },
    {
      header: 'PORTS',
      value: (r) =>
        r.rule.portRangeMin || r.rule.portRangeMax ? `${r.rule.portRangeMin}:${r.rule.portRangeMax}` : 'any',
    },
    { header: 'REMOTE', value: (r) => r.rule.remoteIpPrefix || r.rule.remoteGroupId },
    { header: 'ID', value: (r) => r.rule.id },
  ],
  toJSON: (r) => ({ security_group_id: r.group.id, ...(SecurityGroupRule.toJSON(r.rule) as object) }),
};

/** One row per resource of each location. */
export interface QuotaRow {
  location?: Location | undefined;
  quota: NetworkQuota;
}

export const quotaRows = (q: NetworkQuotas): QuotaRow[] => q.quotas.map((quota) => ({ location: q.location, quota }));

export const quotaView: View<QuotaRow> = {
  columns: [
    cloud,
    region,
    { header: 'RESOURCE', value: (q) => q.quota.resource },
    { header: 'LIMIT', value: (q) => (q.quota.limit < 0n ? 'unlimited' : String(q.quota.limit)) },
    { header: 'USED', value: (q) => (q.quota.used < 0n ? '?' : String(q.quota.used)) },
  ],
  toJSON: (q) => ({ location: q.location && Location.toJSON(q.location), ...(NetworkQuota.toJSON(q.quota) as object) }),
};
