// Nova server metadata and tags, with nova's limits and error bodies: metadata keys match
// ^[a-zA-Z0-9-_:. ]{1,255}$, at most maxServerMeta (128) items (403), tags are 1–60 characters without "/" or ",",
// at most 50 per server, and the tag API exists from microversion 2.26 (404 before). Changes are 409 in nova's
// words outside vm_states active, paused, suspended and stopped, and metadata changes also on a locked server
// (unless the caller is an admin); nova does not check the lock for tags.
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { Server } from '../store.ts';
import { ApiError, badRequest } from '../util.ts';
import { getServer } from './servers.ts';
import { CONFIGURABLE_VM_STATES, refuseIfLocked, refuseUnlessVmState } from './transitions.ts';

/** nova's default metadata_items quota (maxServerMeta in /limits). */
export const MAX_SERVER_META = 128;
export const MAX_TAGS = 50;
const METADATA_KEY = /^[a-zA-Z0-9-_:. ]{1,255}$/;
const TAG = /^[^,/]*$/;

const pyRepr = (value: unknown): string =>
  typeof value === 'string'
    ? `'${value}'`
    : Array.isArray(value)
      ? `[${value.map(pyRepr).join(', ')}]`
      : value && typeof value === 'object'
        ? `{${Object.entries(value)
            .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
            .join(', ')}}`
        : String(value);

/** A metadata map as nova's schema takes it (400 naming the field otherwise). */
export function metadataFrom(value: unknown, field: string): Record<string, string> {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`Invalid input for field/attribute ${field}. Value: ${pyRepr(value)}. is not of type 'object'`);
  for (const [k, v] of Object.entries(value)) {
    if (!METADATA_KEY.test(k))
      throw badRequest(
        `Invalid input for field/attribute ${field}. Value: ${pyRepr(value)}. '${k}' does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'`,
      );
    if (typeof v !== 'string' || v.length > 255)
      throw badRequest(`Invalid input for field/attribute ${field}. Value: ${pyRepr(value)}.`);
  }
  return { ...(value as Record<string, string>) };
}

/** The metadata quota: nova answers 403 when a server would carry more than maxServerMeta items. */
export function checkMetadataQuota(metadata: Record<string, string>): void {
  if (Object.keys(metadata).length > MAX_SERVER_META)
    throw new ApiError(403, `Maximum number of metadata items exceeds ${MAX_SERVER_META}`);
}

function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string') return `${pyRepr(tag)} is not of type 'string'`;
  if (!tag) return `'' is too short`;
  if (tag.length > 60) return `'${tag}' is too long`;
  if (!TAG.test(tag)) return `'${tag}' does not match '^[^,/]*$'`;
  return undefined;
}

/** A tag list as nova's schema takes it at create and in PUT /tags. */
export function tagsFrom(value: unknown): string[] {
  if (!Array.isArray(value))
    throw badRequest(`Invalid input for field/attribute tags. Value: ${pyRepr(value)}. is not of type 'array'`);
  for (const tag of value) {
    const problem = tagProblem(tag);
    if (problem) throw badRequest(`Invalid input for field/attribute tags. Value: ${pyRepr(value)}. ${problem}`);
  }
  if (value.length > MAX_TAGS)
    throw badRequest(`Invalid input for field/attribute tags. Value: ${pyRepr(value)}. ${pyRepr(value)} is too long`);
  return [...new Set(value as string[])];
}

function taggedServer(ctx: Ctx): Server {
  // Before 2.26 the tag routes do not exist.
  if (!atLeast(ctx.microversion, 2, 26)) throw new ApiError(404, 'The resource could not be found.');
  return getServer(ctx, ctx.params.id);
}

/** A server whose tags may change: nova checks its vm_state, not its lock (server_tags.py). */
function retaggableServer(ctx: Ctx, action: string): Server {
  const server = taggedServer(ctx);
  refuseUnlessVmState(server, action, CONFIGURABLE_VM_STATES);
  return server;
}

/** A server whose metadata may change: nova checks the lock, then the vm_state (compute/api.py). */
function configurableServer(ctx: Ctx, action: 'update metadata' | 'delete metadata'): Server {
  const server = getServer(ctx, ctx.params.id);
  refuseIfLocked(server, !!ctx.user?.isAdmin);
  refuseUnlessVmState(server, action, CONFIGURABLE_VM_STATES);
  return server;
}

/** Metadata changes bump `updated` (so changes-since sees them); tag changes do not, as on the real cloud. */
function touch(server: Server): void {
  server.updated = Date.now();
}

async function setMetadata(ctx: Ctx, merge: boolean): Promise<Reply> {
  const server = configurableServer(ctx, 'update metadata');
  const incoming = metadataFrom((await readJson(ctx)).metadata, 'metadata');
  const next = merge ? { ...(server.metadata ?? {}), ...incoming } : incoming;
  checkMetadataQuota(next);
  server.metadata = next;
  touch(server);
  return { status: 200, body: { metadata: { ...next } } };
}

export function registerMetadataRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/servers/{id}/metadata', (ctx) => ({
      status: 200,
      body: { metadata: { ...(getServer(ctx, ctx.params.id).metadata ?? {}) } },
    }))
    .add('PUT', '/servers/{id}/metadata', (ctx) => setMetadata(ctx, false))
    .add('POST', '/servers/{id}/metadata', (ctx) => setMetadata(ctx, true))
    .add('GET', '/servers/{id}/metadata/{key}', (ctx) => {
      const meta = getServer(ctx, ctx.params.id).metadata ?? {};
      if (!(ctx.params.key in meta)) throw new ApiError(404, 'Metadata item was not found');
      return { status: 200, body: { meta: { [ctx.params.key]: meta[ctx.params.key] } } };
    })
    .add('PUT', '/servers/{id}/metadata/{key}', async (ctx) => {
      const server = configurableServer(ctx, 'update metadata');
      const meta = metadataFrom((await readJson(ctx)).meta, 'meta');
      if (Object.keys(meta).length !== 1 || !(ctx.params.key in meta))
        throw badRequest('Request body and URI mismatch');
      const next = { ...(server.metadata ?? {}), ...meta };
      checkMetadataQuota(next);
      server.metadata = next;
      touch(server);
      return { status: 200, body: { meta } };
    })
    .add('DELETE', '/servers/{id}/metadata/{key}', (ctx) => {
      const server = configurableServer(ctx, 'delete metadata');
      if (!server.metadata || !(ctx.params.key in server.metadata))
        throw new ApiError(404, 'Metadata item was not found');
      delete server.metadata[ctx.params.key];
      touch(server);
      return { status: 204 };
    })
    .add('GET', '/servers/{id}/tags', (ctx) => ({ status: 200, body: { tags: [...(taggedServer(ctx).tags ?? [])] } }))
    .add('PUT', '/servers/{id}/tags', async (ctx) => {
      const server = retaggableServer(ctx, 'update tags');
      server.tags = tagsFrom((await readJson(ctx)).tags);
      return { status: 200, body: { tags: [...server.tags] } };
    })
    .add('DELETE', '/servers/{id}/tags', (ctx) => {
      const server = retaggableServer(ctx, 'delete tags');
      server.tags = [];
      return { status: 204 };
    })
    .add('GET', '/servers/{id}/tags/{tag}', (ctx) => {
      const server = taggedServer(ctx);
      if (!(server.tags ?? []).includes(ctx.params.tag))
        throw new ApiError(404, `Instance ${server.id} has no tag '${ctx.params.tag}'`);
      return { status: 204 };
    })
    .add('PUT', '/servers/{id}/tags/{tag}', (ctx) => {
      const server = retaggableServer(ctx, 'update tag');
      const tag = ctx.params.tag;
      const problem = tagProblem(tag);
      if (problem)
        throw badRequest(
          `Tag '${tag}' is invalid. It must be a non empty string without characters '/' and ','. Validation error message: ${problem}`,
        );
      const tags = server.tags ?? [];
      if (tags.includes(tag)) return { status: 204 };
      if (tags.length >= MAX_TAGS) throw badRequest(`The number of tags exceeded the per-server limit ${MAX_TAGS}`);
      server.tags = [...tags, tag];
      return { status: 201, headers: { Location: `${ctx.apiBase}/servers/${server.id}/tags/${tag}` } };
    })
    .add('DELETE', '/servers/{id}/tags/{tag}', (ctx) => {
      const server = retaggableServer(ctx, 'delete tag');
      if (!(server.tags ?? []).includes(ctx.params.tag))
        throw new ApiError(404, `Instance ${server.id} has no tag '${ctx.params.tag}'`);
      server.tags = (server.tags ?? []).filter((t) => t !== ctx.params.tag);
      return { status: 204 };
    });
}
