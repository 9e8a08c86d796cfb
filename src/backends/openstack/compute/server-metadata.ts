// Server metadata and tags: set (merge or replace) and delete, with nova's limits turned into INVALID_ARGUMENT that
// names the limit, and tags refused with FAILED_PRECONDITION on clouds older than microversion 2.26.
import type { CallContext } from '../../../core/call-context.ts';
import type {
  DeleteServerMetadataRequest,
  DeleteServerMetadataResponse,
  DeleteServerTagsRequest,
  DeleteServerTagsResponse,
  SetServerMetadataRequest,
  SetServerMetadataResponse,
  SetServerTagsRequest,
  SetServerTagsResponse,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { MAX_TAGS_PER_SERVER } from '../../../core/server-config-rules.ts';
import { describeLocation } from '../../../core/location.ts';
import { objectLocation, serverZone } from '../normalize/location.ts';
import { stringMap } from '../normalize/properties.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import { isNotFound, microversion, mvAtLeast, type Raw } from './nova.ts';
import { TAGS_MICROVERSION } from './server-filters.ts';
import { stateRefusal } from './server-refusal.ts';
import { findServerRaw } from './servers.ts';
import { notifyServerWrite } from '../watch/handlers.ts';

interface Found {
  ctx: RegionContext;
  raw: Raw;
  path: string;
  where: Location;
}

async function serverOf(resolve: RegionResolver, target: Location, nameOrId: string, signal: AbortSignal) {
  const ctx = await resolve(target);
  const raw = await findServerRaw(ctx, nameOrId, signal);
  return {
    ctx,
    raw,
    path: `/servers/${encodeURIComponent(String(raw.id))}`,
    where: objectLocation(ctx.location, raw, serverZone(raw)),
  } satisfies Found;
}

const METADATA = 'change the metadata of';
const TAGS = 'change the tags of';

function call(found: Found, method: string, path: string, signal: AbortSignal, body?: unknown) {
  return found.ctx.session.request('compute', found.ctx.region, {
    method,
    path: `${found.path}${path}`,
    body,
    signal,
    idempotent: method !== 'POST',
  });
}

/** A change to the server: nova's 409 (locked, or a vm_state that forbids it) is FAILED_PRECONDITION naming it. */
function write(found: Found, doing: string, method: string, path: string, signal: AbortSignal, body?: unknown) {
  return call(found, method, path, signal, body).catch((error) => {
    throw stateRefusal(found.ctx, error, found.raw, doing);
  });
}

/** Nova answers a metadata limit with 403 ("Maximum number of metadata items exceeds 128"): the caller's mistake. */
function metadataLimit(found: Found, error: unknown): unknown {
  if (error instanceof OpenStackHttpError && error.status === 403) {
    const limit = /exceeds (\d+)/.exec(error.message)?.[1];
    if (limit || /metadata/i.test(error.message))
      return new OaktreeError(
        GrpcStatus.INVALID_ARGUMENT,
        `server ${found.raw.id} in ${describeLocation(found.ctx.location)} may carry at most ${limit ?? "the cloud's maxServerMeta"} metadata items`,
      );
  }
  return error;
}

/** The tag limit comes back as 400 naming it; other tag errors pass through with their codes. */
async function requireTags(found: Found, signal: AbortSignal): Promise<void> {
  const mv = await microversion(found.ctx, signal);
  if (!mvAtLeast(mv, 2, 26))
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `${describeLocation(found.ctx.location)} speaks compute microversion ${mv}; server tags need ${TAGS_MICROVERSION}`,
    );
}

const tagsFrom = (body: unknown): string[] => {
  const tags = (body as Raw | undefined)?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
};

export function setServerMetadataHandler(resolve: RegionResolver) {
  return async function setServerMetadata(
    request: SetServerMetadataRequest,
    target: Location,
    context: CallContext,
  ): Promise<SetServerMetadataResponse> {
    const found = await serverOf(resolve, target, request.nameOrId, context.signal);
    // POST merges, PUT replaces: nova's own two verbs, each one atomic.
    const res = await write(found, METADATA, request.replace ? 'PUT' : 'POST', '/metadata', context.signal, {
      metadata: request.metadata,
    }).catch((error) => {
      throw metadataLimit(found, error);
    });
    notifyServerWrite(found.ctx);
    return { location: found.where, serverId: String(found.raw.id), metadata: stringMap((res.body as Raw)?.metadata) };
  };
}

export function deleteServerMetadataHandler(resolve: RegionResolver) {
  return async function deleteServerMetadata(
    request: DeleteServerMetadataRequest,
    target: Location,
    context: CallContext,
  ): Promise<DeleteServerMetadataResponse> {
    const found = await serverOf(resolve, target, request.nameOrId, context.signal);
    for (const key of new Set(request.keys)) {
      try {
        await write(found, METADATA, 'DELETE', `/metadata/${encodeURIComponent(key)}`, context.signal);
      } catch (error) {
        if (!isNotFound(error)) throw error; // a key that is not there: the wish is granted
      }
    }
    notifyServerWrite(found.ctx);
    const res = await call(found, 'GET', '/metadata', context.signal);
    return { location: found.where, serverId: String(found.raw.id), metadata: stringMap((res.body as Raw)?.metadata) };
  };
}

export function setServerTagsHandler(resolve: RegionResolver) {
  return async function setServerTags(
    request: SetServerTagsRequest,
    target: Location,
    context: CallContext,
  ): Promise<SetServerTagsResponse> {
    const found = await serverOf(resolve, target, request.nameOrId, context.signal);
    await requireTags(found, context.signal);
    if (request.replace) {
      // One PUT of the whole list: atomic, and nova checks the 50-tag limit on it.
      const res = await write(found, TAGS, 'PUT', '/tags', context.signal, { tags: [...new Set(request.tags)] });
      notifyServerWrite(found.ctx);
      return { location: found.where, serverId: String(found.raw.id), tags: tagsFrom(res.body) };
    }
    // Adding: one PUT /tags/{tag} each, which nova applies atomically (a GET and a PUT of the whole list would drop
    // a tag added meanwhile by another caller). The limit is checked first so a request that cannot fit adds nothing.
    const current = tagsFrom((await call(found, 'GET', '/tags', context.signal)).body);
    const adding = [...new Set(request.tags)].filter((t) => !current.includes(t));
    if (current.length + adding.length > MAX_TAGS_PER_SERVER)
      throw new OaktreeError(
        GrpcStatus.INVALID_ARGUMENT,
        `server ${found.raw.id} in ${describeLocation(found.ctx.location)} would carry ${current.length + adding.length} tags; a server carries at most ${MAX_TAGS_PER_SERVER}`,
      );
    for (const tag of adding) await write(found, TAGS, 'PUT', `/tags/${encodeURIComponent(tag)}`, context.signal);
    if (adding.length) notifyServerWrite(found.ctx);
    const res = await call(found, 'GET', '/tags', context.signal);
    return { location: found.where, serverId: String(found.raw.id), tags: tagsFrom(res.body) };
  };
}

export function deleteServerTagsHandler(resolve: RegionResolver) {
  return async function deleteServerTags(
    request: DeleteServerTagsRequest,
    target: Location,
    context: CallContext,
  ): Promise<DeleteServerTagsResponse> {
    const found = await serverOf(resolve, target, request.nameOrId, context.signal);
    await requireTags(found, context.signal);
    if (request.all) await write(found, TAGS, 'DELETE', '/tags', context.signal);
    for (const tag of new Set(request.tags)) {
      try {
        await write(found, TAGS, 'DELETE', `/tags/${encodeURIComponent(tag)}`, context.signal);
      } catch (error) {
        if (!isNotFound(error)) throw error; // not there: nothing to remove
      }
    }
    notifyServerWrite(found.ctx);
    const res = await call(found, 'GET', '/tags', context.signal);
    return { location: found.where, serverId: String(found.raw.id), tags: tagsFrom(res.body) };
  };
}
