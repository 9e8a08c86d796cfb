// Security groups and their rules: create, update, delete (openstacksdk's create_security_group ...).
import type { LocationHandlers } from '../../handler-backend.ts';
import { SecurityGroupRuleDirection } from '../../../gen/oaktree/v1/network.ts';
import { objectLocation } from '../normalize/location.ts';
import { normalizeSecurityGroup, normalizeSecurityGroupRule } from '../normalize/security-group.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { createOnce } from './idempotent-create.ts';
import { exactlyOne, neutronByNameOrId, neutronGet, type Raw } from './neutron.ts';
import { neutronSend, neutronWrite } from './write-errors.ts';

export async function findSecurityGroupId(ctx: RegionContext, nameOrId: string, signal: AbortSignal): Promise<string> {
  const found: Raw[] = [];
  for await (const item of neutronByNameOrId(ctx, 'security_group', 'security_groups', nameOrId, {}, signal))
    found.push(item);
  return String(exactlyOne(ctx, 'security group', nameOrId, found).id);
}

const direction = (d: SecurityGroupRuleDirection) =>
  d === SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_EGRESS ? 'egress' : 'ingress';

export function securityGroupWriteHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    async createSecurityGroup(request, target, call) {
      const ctx = await resolve(target);
      const body = { name: request.name, ...(request.description ? { description: request.description } : {}) };
      const what = `security group ${request.name}`;
      const raw = await neutronWrite(ctx, `creating ${what}`, () =>
        createOnce(
          ctx,
          { singular: 'security_group', plural: 'security_groups', body, requestId: request.requestId, what },
          call.signal,
        ),
      );
      return { securityGroup: normalizeSecurityGroup(raw, ctx.location) };
    },

    async updateSecurityGroup(request, target, call) {
      const ctx = await resolve(target);
      const body = {
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.description !== undefined ? { description: request.description } : {}),
      };
      const path = `/security-groups/${encodeURIComponent(request.nameOrId)}`;
      const res = await neutronWrite(ctx, `updating security group ${request.nameOrId}`, () =>
        neutronSend(ctx, 'PUT', path, { security_group: body }, call.signal),
      );
      return { securityGroup: normalizeSecurityGroup(res.security_group, ctx.location) };
    },

    async deleteSecurityGroup(request, target, call) {
      const ctx = await resolve(target);
      const raw = (await neutronGet(ctx, 'security_group', 'security-groups', request.nameOrId, call.signal)) ?? {};
      await neutronWrite(ctx, `deleting security group ${raw.name ?? request.nameOrId}`, () =>
        neutronSend(ctx, 'DELETE', `/security-groups/${encodeURIComponent(request.nameOrId)}`, undefined, call.signal),
      );
      return { location: objectLocation(ctx.location, raw), id: request.nameOrId };
    },

    async createSecurityGroupRule(request, target, call) {
      const ctx = await resolve(target);
      const remoteGroupId = request.remoteGroup
        ? await findSecurityGroupId(ctx, request.remoteGroup, call.signal)
        : undefined;
      const body = {
        security_group_id: request.nameOrId,
        direction: direction(request.direction),
        ethertype: request.ethertype || (request.remoteIpPrefix.includes(':') ? 'IPv6' : 'IPv4'),
        ...(request.protocol ? { protocol: request.protocol } : {}),
        ...(request.portRangeMin !== undefined ? { port_range_min: request.portRangeMin } : {}),
        ...(request.portRangeMax !== undefined ? { port_range_max: request.portRangeMax } : {}),
        ...(request.remoteIpPrefix ? { remote_ip_prefix: request.remoteIpPrefix } : {}),
        ...(remoteGroupId ? { remote_group_id: remoteGroupId } : {}),
        ...(request.description ? { description: request.description } : {}),
      };
      const res = await neutronWrite(ctx, `adding a rule to security group ${request.nameOrId}`, () =>
        neutronSend(ctx, 'POST', '/security-group-rules', { security_group_rule: body }, call.signal),
      );
      const rule = res.security_group_rule as Raw;
      return {
        location: objectLocation(ctx.location, rule),
        securityGroupId: request.nameOrId,
        rule: normalizeSecurityGroupRule(rule),
      };
    },

    async deleteSecurityGroupRule(request, target, call) {
      const ctx = await resolve(target);
      const raw = (await neutronGet(ctx, 'security_group_rule', 'security-group-rules', request.id, call.signal)) ?? {};
      await neutronWrite(ctx, `deleting security group rule ${request.id}`, () =>
        neutronSend(ctx, 'DELETE', `/security-group-rules/${encodeURIComponent(request.id)}`, undefined, call.signal),
      );
      return { location: objectLocation(ctx.location, raw) };
    },
  };
}
