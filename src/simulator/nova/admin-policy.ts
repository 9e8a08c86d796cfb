// Nova's default policy where it differs from "any member": admin-only rules and project-or-admin rules.
import type { Ctx } from '../http.ts';
import { ApiError } from '../util.ts';

export const policyDenied = (rule: string) =>
  new ApiError(403, `Policy doesn't allow os_compute_api:${rule} to be performed.`);

/** Rules whose default is "role:admin" (Zed, with the deprecated rules still honoured). */
export function requireNovaAdmin(ctx: Ctx, rule: string): void {
  if (!ctx.user?.isAdmin) throw policyDenied(rule);
}

/** Rules whose default is "admin or a reader/member of the target project". */
export function requireProjectOrAdmin(ctx: Ctx, projectId: string, rule: string): void {
  if (projectId !== ctx.projectId && !ctx.user?.isAdmin) throw policyDenied(rule);
}
