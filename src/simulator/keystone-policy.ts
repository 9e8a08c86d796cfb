// Who is calling Keystone, and Keystone's default (Zed, enforce_new_defaults off) policy answers for them.
import type { Ctx } from './http.ts';
import type { Token, User } from './store.ts';
import { ApiError } from './util.ts';

export interface Caller {
  token: Token;
  user: User;
  /** Effective role names on the token's project (all the user's roles for other scopes). */
  roles: string[];
  isAdmin: boolean;
}

/** Keystone's answer when a rule denies: names the policy target, never the caller's input. */
export function denied(action: string): ApiError {
  return new ApiError(403, `You are not authorized to perform the requested action: identity:${action}.`);
}

/** Admin-only rules ("rule:admin_required" in the deprecated defaults Zed still honours). */
export function requireAdmin(caller: Caller, action: string): void {
  if (!caller.isAdmin) throw denied(action);
}

/** Roles a token carries: the grants on its project, or the user's roles for domain/unscoped tokens. */
export function tokenRoles(ctx: Ctx | { cloud: Ctx['cloud'] }, token: Token, user: User): string[] {
  if (!token.projectId) return user.roles;
  const names = ctx.cloud.data.identity.effectiveRoleNames(user.id, token.projectId);
  // The simulator lets an admin scope to any project (see CloudData.userCanAccess): it keeps its roles there.
  return names.length ? names : user.isAdmin ? user.roles : [];
}

export function callerOf(ctx: Ctx, token: Token): Caller {
  const user = ctx.cloud.data.users.get(token.userId) as User;
  const roles = tokenRoles(ctx, token, user);
  return { token, user, roles, isAdmin: roles.includes('admin') };
}

/**
 * Validates a token id: the current, unexpired, not invalidated one, whose user still exists and (for a project
 * token) still holds a role on the project — Keystone revokes such tokens when a grant or the user goes away.
 */
export function liveToken(cloud: Ctx['cloud'], id: string | undefined): Token | undefined {
  const token = id ? cloud.data.tokens.get(id) : undefined;
  if (!token || token.serial < cloud.data.minTokenSerial || token.expiresAt <= Date.now()) return undefined;
  const user = cloud.data.users.get(token.userId);
  if (!user || user.extra?.enabled === false) return undefined;
  if (token.projectId) {
    const project = cloud.data.projects.get(token.projectId);
    if (!project || project.extra?.enabled === false || !cloud.data.userCanAccess(user, project.id)) return undefined;
  }
  return token;
}

export function requireCaller(ctx: Ctx): Caller {
  const token = liveToken(ctx.cloud, ctx.req.headers['x-auth-token'] as string | undefined);
  if (!token) throw new ApiError(401, 'The request you have made requires authentication.');
  return callerOf(ctx, token);
}
