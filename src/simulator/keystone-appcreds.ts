// Listing, showing and deleting a user's application credentials (the user itself or an admin); the secret is
// shown only once, at create (keystone.ts).
import type { Ctx, Reply } from './http.ts';
import { denied, requireCaller } from './keystone-policy.ts';
import { collection } from './keystone-views.ts';
import type { RouteTable } from './router.ts';
import type { AppCredential } from './store.ts';
import { ApiError } from './util.ts';

export function appCredentialView(ctx: Ctx, c: AppCredential) {
  const identity = ctx.cloud.data.identity;
  return {
    id: c.id,
    name: c.name,
    description: c.description ?? null,
    user_id: c.userId,
    project_id: c.projectId,
    system: null,
    expires_at: null,
    unrestricted: null,
    roles: identity.effectiveRoleNames(c.userId, c.projectId).map((name) => {
      const role = identity.roleByName(name);
      const options = role.immutable ? { immutable: true } : {};
      return { id: role.id, name, domain_id: null, description: role.description, options };
    }),
    links: { self: `${ctx.apiBase}/application_credentials/${c.id}` },
  };
}

function ownerOnly(ctx: Ctx, action: string): void {
  const caller = requireCaller(ctx);
  if (caller.user.id !== ctx.params.userId && !caller.isAdmin) throw denied(action);
}

function credentialOr404(ctx: Ctx): AppCredential {
  const cred = ctx.cloud.data.appCredentials.get(ctx.params.id);
  if (!cred || cred.userId !== ctx.params.userId)
    throw new ApiError(404, `Could not find Application Credential: ${ctx.params.id}.`);
  return cred;
}

export function registerAppCredentialRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/users/{userId}/application_credentials', (ctx): Reply => {
      ownerOnly(ctx, 'list_application_credentials');
      const name = ctx.query.get('name');
      const creds = [...ctx.cloud.data.appCredentials.values()].filter(
        (c) => c.userId === ctx.params.userId && (name === null || c.name === name),
      );
      return collection(
        ctx,
        'application_credentials',
        creds.map((c) => appCredentialView(ctx, c)),
      );
    })
    .add('GET', '/users/{userId}/application_credentials/{id}', (ctx): Reply => {
      ownerOnly(ctx, 'get_application_credential');
      return { status: 200, body: { application_credential: appCredentialView(ctx, credentialOr404(ctx)) } };
    })
    .add('DELETE', '/users/{userId}/application_credentials/{id}', (ctx): Reply => {
      ownerOnly(ctx, 'delete_application_credential');
      ctx.cloud.data.appCredentials.delete(credentialOr404(ctx).id);
      return { status: 204 };
    });
}
