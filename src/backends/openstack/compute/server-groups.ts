// Server groups (os-server-groups): list, create, delete, normalized over nova's two shapes (a `policies` list
// before microversion 2.64, one `policy` with `rules` from 2.64 on).
import type { CallContext } from '../../../core/call-context.ts';
import {
  ServerGroupPolicy,
  type CreateServerGroupRequest,
  type CreateServerGroupResponse,
  type DeleteServerGroupRequest,
  type DeleteServerGroupResponse,
  type ListServerGroupsRequest,
  type ServerGroup,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { objectLocation } from '../normalize/location.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { exactlyOne, getOrUndefined, isNotFound, looksLikeId, microversion, mvAtLeast, type Raw } from './nova.ts';

const POLICY_WORDS: Record<string, ServerGroupPolicy> = {
  affinity: ServerGroupPolicy.SERVER_GROUP_POLICY_AFFINITY,
  'anti-affinity': ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY,
  'soft-affinity': ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_AFFINITY,
  'soft-anti-affinity': ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_ANTI_AFFINITY,
};
const wordOf = (policy: ServerGroupPolicy) => Object.entries(POLICY_WORDS).find(([, p]) => p === policy)?.[0];

/** The policies a cloud takes at microversion `mv`: the soft ones came with 2.15. */
export function serverGroupPolicies(mv: string): string[] {
  return mvAtLeast(mv, 2, 15) ? Object.keys(POLICY_WORDS) : ['affinity', 'anti-affinity'];
}

export function normalizeServerGroup(raw: Raw, route: Location): ServerGroup {
  const word = String(raw.policy ?? (Array.isArray(raw.policies) ? raw.policies[0] : '') ?? '');
  const properties: Record<string, string> = {};
  if (word) properties.policy = word;
  if (typeof raw.user_id === 'string') properties.user_id = raw.user_id;
  return {
    location: objectLocation(route, raw),
    id: String(raw.id ?? ''),
    name: String(raw.name ?? ''),
    policy: POLICY_WORDS[word] ?? ServerGroupPolicy.SERVER_GROUP_POLICY_UNSPECIFIED,
    maxServerPerHost: Number(raw.rules?.max_server_per_host ?? 0) || 0,
    memberIds: Array.isArray(raw.members) ? raw.members.map(String) : [],
    properties,
  };
}

/** Every group of the project: nova lists up to its max_limit (1000) in one page, far more than quotas allow. */
async function allServerGroups(ctx: RegionContext, signal?: AbortSignal): Promise<Raw[]> {
  const res = await ctx.session.request('compute', ctx.region, { method: 'GET', path: '/os-server-groups', signal });
  const groups = (res.body as Raw)?.server_groups;
  return Array.isArray(groups) ? groups : [];
}

/** A server group by id or exact name: NOT_FOUND naming where it looked, or INVALID_ARGUMENT naming candidates. */
export async function findServerGroupRaw(ctx: RegionContext, nameOrId: string, signal?: AbortSignal): Promise<Raw> {
  if (looksLikeId(nameOrId)) {
    const byId = await getOrUndefined(ctx, `/os-server-groups/${encodeURIComponent(nameOrId)}`, 'server_group', signal);
    if (byId) return byId;
  }
  const named = (await allServerGroups(ctx, signal)).filter((g) => g.name === nameOrId);
  return exactlyOne('server group', nameOrId, describeLocation(ctx.location), named);
}

export function listServerGroupsHandler(resolve: RegionResolver) {
  return async function* listServerGroups(
    request: ListServerGroupsRequest,
    target: Location,
    call: CallContext,
  ): AsyncGenerator<ServerGroup> {
    const ctx = await resolve(target);
    const wanted = request.nameOrId;
    for (const raw of await allServerGroups(ctx, call.signal))
      if (!wanted || raw.id === wanted || raw.name === wanted) yield normalizeServerGroup(raw, ctx.location);
  };
}

/** The body of POST /os-server-groups in the shape the cloud's microversion takes, or why it cannot be made. */
export function serverGroupBody(request: CreateServerGroupRequest, mv: string, where: string): Raw {
  const word = wordOf(request.policy) ?? '';
  if (!serverGroupPolicies(mv).includes(word))
    throw new OaktreeError(
      GrpcStatus.INVALID_ARGUMENT,
      `${where} speaks compute microversion ${mv}; the ${word} policy needs 2.15`,
    );
  if (!mvAtLeast(mv, 2, 64)) {
    if (request.maxServerPerHost > 0)
      throw new OaktreeError(
        GrpcStatus.INVALID_ARGUMENT,
        `${where} speaks compute microversion ${mv}; max_server_per_host needs 2.64`,
      );
    return { server_group: { name: request.name, policies: [word] } };
  }
  const group: Raw = { name: request.name, policy: word };
  if (request.maxServerPerHost > 0) group.rules = { max_server_per_host: request.maxServerPerHost };
  return { server_group: group };
}

export function createServerGroupHandler(resolve: RegionResolver) {
  return async function createServerGroup(
    request: CreateServerGroupRequest,
    target: Location,
    call: CallContext,
  ): Promise<CreateServerGroupResponse> {
    const ctx = await resolve(target);
    const create = async (): Promise<CreateServerGroupResponse> => {
      const mv = await microversion(ctx, call.signal);
      const res = await ctx.session.request('compute', ctx.region, {
        method: 'POST',
        path: '/os-server-groups',
        body: serverGroupBody(request, mv, describeLocation(ctx.location)),
        signal: call.signal,
      });
      const group = normalizeServerGroup((res.body as Raw)?.server_group ?? {}, ctx.location);
      ctx.logger.info({ serverGroup: group.id, name: request.name }, 'server group created');
      return { serverGroup: group };
    };
    // Groups carry no metadata to find an earlier create by: the lock keeps the first result for retries.
    return request.requestId
      ? ctx.services.requestLocks.lockByRequestId(
          `create-server-group:${ctx.credentialKey}:${request.requestId}`,
          create,
        )
      : create();
  };
}

export function deleteServerGroupHandler(resolve: RegionResolver) {
  return async function deleteServerGroup(
    request: DeleteServerGroupRequest,
    target: Location,
    call: CallContext,
  ): Promise<DeleteServerGroupResponse> {
    const ctx = await resolve(target);
    const raw = await findServerGroupRaw(ctx, request.nameOrId, call.signal);
    try {
      await ctx.session.request('compute', ctx.region, {
        method: 'DELETE',
        path: `/os-server-groups/${encodeURIComponent(String(raw.id))}`,
        signal: call.signal,
      });
    } catch (error) {
      if (!isNotFound(error)) throw error; // gone meanwhile: the wish is granted
    }
    return { location: objectLocation(ctx.location, raw), id: String(raw.id) };
  };
}
