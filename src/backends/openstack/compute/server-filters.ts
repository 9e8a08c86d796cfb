// ListServers filters: which ones nova applies (sent as query parameters), and one matcher that oaktree applies to
// every server nova returns. The matcher checks every filter, including those nova already applied, so the result
// is the same whether the cloud filtered or not (old microversions, filters nova lacks such as metadata).
import { ServerStatus, type ListServersRequest } from '../../../gen/oaktree/v1/compute.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { nameRegexMatcher } from '../../../core/name-regex.ts';
import { novaStatusFilter, serverStatus } from '../normalize/server.ts';
import type { RegionContext } from '../region.ts';
import { findImageRaw } from '../image/glance.ts';
import { GrpcStatus } from '../transport/index.ts';
import { findFlavorRaw } from './flavors.ts';
import { exactNameFilter, isNotFound, mvAtLeast, type Raw } from './nova.ts';

/** The microversion from which servers carry tags and nova filters by them. */
export const TAGS_MICROVERSION = '2.26';

/** ListServers filters nova applies itself at microversion `mv` (proto field names). */
export function cloudServerFilters(mv: string): string[] {
  const always = ['name_or_id', 'name_regex', 'status', 'flavor', 'image', 'changes_since', 'all_projects'];
  return mvAtLeast(mv, 2, 26) ? [...always, 'tags', 'tags_any'] : always;
}
/** ListServers filters only oaktree applies. */
export const OAKTREE_SERVER_FILTERS = ['metadata'];

export interface ServerFilterPlan {
  /** Query parameters for GET /servers/detail. */
  query: Record<string, string | undefined>;
  /** Every filter, applied to each server nova returns. */
  matches: (raw: Raw) => boolean;
  /** A filter names something this location does not have (a flavor, an image): nothing can match. */
  empty: boolean;
}

/** What a flavor or image filter resolved to in this region; undefined when the region has no such object. */
async function resolved(find: () => Promise<Raw>): Promise<Raw | undefined> {
  try {
    return await find();
  } catch (error) {
    const code = (error as { grpcCode?: unknown; code?: unknown }).grpcCode ?? (error as { code?: unknown }).code;
    if (isNotFound(error) || code === GrpcStatus.NOT_FOUND) return undefined;
    throw error;
  }
}

function nameMatcher(request: ListServersRequest): (raw: Raw) => boolean {
  // Nova's name filter is a regex search; on MySQL (every production nova) it ignores case. Linear time: this
  // runs on every server a list or watch sees, with a pattern the caller chose (checked at the edge).
  const regex = request.nameRegex ? nameRegexMatcher(request.nameRegex) : undefined;
  const wanted = request.nameOrId;
  return (raw) => (!wanted || raw.name === wanted || raw.id === wanted) && (!regex || regex(String(raw.name ?? '')));
}

function flavorMatcher(flavor: Raw | undefined): (raw: Raw) => boolean {
  if (!flavor) return () => true;
  // Before 2.47 a server names its flavor's id; from 2.47 on only the flavor's name (original_name).
  return (raw) =>
    raw.flavor?.id === String(flavor.id) || (!raw.flavor?.id && raw.flavor?.original_name === flavor.name);
}

function tagsOf(raw: Raw): Set<string> {
  return new Set(Array.isArray(raw.tags) ? raw.tags : []);
}

/** The plan for one region: resolves flavor and image names, refuses tag filters on clouds that have no tags. */
export async function planServerFilters(
  ctx: RegionContext,
  request: ListServersRequest,
  mv: string,
  signal?: AbortSignal,
): Promise<ServerFilterPlan> {
  const wantsTags = request.tags.length > 0 || request.tagsAny.length > 0;
  if (wantsTags && !mvAtLeast(mv, 2, 26)) {
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `${describeLocation(ctx.location)} speaks compute microversion ${mv}; filtering servers by tag needs ${TAGS_MICROVERSION}`,
    );
  }
  const [flavor, image] = await Promise.all([
    request.flavor ? resolved(() => findFlavorRaw(ctx, request.flavor, signal)) : undefined,
    request.image ? resolved(() => findImageRaw(ctx, request.image, signal)) : undefined,
  ]);
  const empty = (!!request.flavor && !flavor) || (!!request.image && !image);
  const since = request.changesSince?.getTime();

  const query: Record<string, string | undefined> = {
    name: request.nameOrId ? exactNameFilter(request.nameOrId) : request.nameRegex || undefined,
    status: novaStatusFilter(request.status),
    flavor: flavor ? String(flavor.id) : undefined,
    image: image ? String(image.id) : undefined,
    tags: request.tags.length ? request.tags.join(',') : undefined,
    'tags-any': request.tagsAny.length ? request.tagsAny.join(',') : undefined,
    'changes-since': since !== undefined ? new Date(since).toISOString() : undefined,
    all_tenants: request.allProjects ? '1' : undefined,
  };

  const nameOk = nameMatcher(request);
  const flavorOk = flavorMatcher(flavor);
  const metadata = Object.entries(request.metadata);
  const matches = (raw: Raw): boolean => {
    if (raw.status === 'DELETED') return false; // changes-since lists deleted servers too
    if (!nameOk(raw)) return false;
    if (
      request.status !== ServerStatus.SERVER_STATUS_UNSPECIFIED &&
      serverStatus(raw.status, raw['OS-EXT-STS:task_state']) !== request.status
    )
      return false;
    if (!flavorOk(raw)) return false;
    if (image && raw.image?.id !== String(image.id)) return false;
    const tags = tagsOf(raw);
    if (!request.tags.every((t) => tags.has(t))) return false;
    if (request.tagsAny.length && !request.tagsAny.some((t) => tags.has(t))) return false;
    if (since !== undefined && !(Date.parse(raw.updated) >= Math.floor(since / 1000) * 1000)) return false;
    const meta: Record<string, unknown> = raw.metadata ?? {};
    return metadata.every(([k, v]) => k in meta && (v === '' || meta[k] === v));
  };
  return { query, matches, empty };
}
