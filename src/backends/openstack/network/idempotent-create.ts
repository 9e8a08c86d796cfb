// request_id idempotency for Neutron creates: the new object is tagged with the request id (standard-attr-tag), so
// a retry finds it with one filtered list instead of making a second one. A create whose tagging fails is undone,
// never left untagged where a retry would duplicate it. A cloud without tags (capabilities say network.tags false)
// creates without this guard.
import { describeLocation } from '../../../core/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { neutronExtensions } from './extensions.ts';
import { neutronListAll, type Raw } from './neutron.ts';
import { neutronSend } from './write-errors.ts';

/** Neutron tags are at most 60 characters; a 36-character request id fits after this prefix. */
const TAG_PREFIX = 'oaktree-rid:';
/** Undoing gets its own budget: it must run even when the caller's signal has fired. */
const UNDO_TIMEOUT_MS = 15_000;

export interface NeutronCreate {
  /** e.g. "network". */
  singular: string;
  /** e.g. "networks". */
  plural: string;
  /** The body's object (the request id is added as a tag afterwards). */
  body: Record<string, unknown>;
  requestId: string;
  /** For messages: "network web". */
  what: string;
}

/** The object created for this request id earlier, when there is one. */
async function earlier(ctx: RegionContext, spec: NeutronCreate, signal: AbortSignal): Promise<Raw | undefined> {
  const tag = `${TAG_PREFIX}${spec.requestId}`;
  const found = await neutronListAll(ctx, spec.plural, { tags: tag }, signal);
  return found.find((item) => Array.isArray(item.tags) && item.tags.includes(tag));
}

/** Creates the object (or returns the one an earlier call with the same request id made). */
export async function createOnce(ctx: RegionContext, spec: NeutronCreate, signal: AbortSignal): Promise<Raw> {
  if (spec.requestId && !(await neutronExtensions(ctx, signal)).has('standard-attr-tag')) {
    return createOnce(ctx, { ...spec, requestId: '' }, signal);
  }
  if (spec.requestId) {
    const found = await earlier(ctx, spec, signal);
    if (found) return found;
  }
  const made = (await neutronSend(ctx, 'POST', `/${spec.plural}`, { [spec.singular]: spec.body }, signal))[
    spec.singular
  ] as Raw;
  if (!spec.requestId) return made;
  const path = `/${spec.plural}/${encodeURIComponent(String(made.id))}/tags/${encodeURIComponent(`${TAG_PREFIX}${spec.requestId}`)}`;
  try {
    await ctx.session.request('network', ctx.region, { method: 'PUT', path, signal });
  } catch (error) {
    const undone = await undo(ctx, spec.plural, String(made.id));
    const where = describeLocation(ctx.location);
    throw new OaktreeError(
      GrpcStatus.UNAVAILABLE,
      undone
        ? `${spec.what} in ${where} was created but could not be tagged with its request_id, so it was deleted again; retry (${(error as Error).message})`
        : `${spec.what} in ${where} was created as ${made.id} but could not be tagged with its request_id nor deleted; delete it before retrying`,
    );
  }
  return { ...made, tags: [...((made.tags as string[]) ?? []), `${TAG_PREFIX}${spec.requestId}`] };
}

/** Deletes what a failed multi-step create made; true when it is gone. */
export async function undo(ctx: RegionContext, plural: string, id: string): Promise<boolean> {
  try {
    await ctx.session.request('network', ctx.region, {
      method: 'DELETE',
      path: `/${plural}/${encodeURIComponent(id)}`,
      signal: AbortSignal.timeout(UNDO_TIMEOUT_MS),
    });
    return true;
  } catch {
    return false;
  }
}
