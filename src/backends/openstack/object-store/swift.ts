// The Swift REST calls every object-store handler shares: paths, headers to and from the normal form, listings
// followed page by page, and the cloud's /info (limits, TempURL, SLO, bulk delete), kept per region for a while.
import type { IncomingHttpHeaders } from 'node:http';
import { OaktreeError } from '../../../core/errors.ts';
import type { Container, StoredObject } from '../../../gen/oaktree/v1/object_store.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { cachedPerRegion } from '../compute/region-cache.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, type SessionRequest, type SessionResponse } from '../transport/index.ts';

const INFO_CACHE_MS = 10 * 60_000;
/** Swift's default container_listing_limit: one page of a listing. */
const PAGE = 10_000;
/** Read ACL that makes a container public, with listings (what `swift post -r '.r:*,.rlistings'` sets). */
export const PUBLIC_READ_ACL = '.r:*,.rlistings';

type Raw = Record<string, any>;

/** One URL segment: a container, or a whole object name (its slashes too, so no hop collapses "a//b"). */
export const seg = (name: string) => encodeURIComponent(name);
export const containerPath = (container: string) => `/${seg(container)}`;
export const objectPath = (container: string, name: string) => `/${seg(container)}/${seg(name)}`;

export function swift(ctx: RegionContext, req: SessionRequest): Promise<SessionResponse> {
  return ctx.session.request('object-store', ctx.region, req);
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const int = (value: unknown): bigint => {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? BigInt(Math.trunc(n)) : 0n;
};

/** Swift's listing dates have no zone and are UTC; headers are HTTP dates. */
function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const parsed = new Date(/[zZ]|[+-]\d\d:?\d\d$|GMT/.test(value) ? value : `${value}Z`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** X-<kind>-Meta-* headers as lower-case keys, without the prefix. */
export function metaOf(headers: IncomingHttpHeaders, kind: 'container' | 'object'): Record<string, string> {
  const prefix = `x-${kind}-meta-`;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (!key.startsWith(prefix) || value === undefined) continue;
    const name = key.slice(prefix.length);
    // Quotas and the TempURL keys are container settings with fields (or secrets) of their own.
    if (kind === 'container' && (name.startsWith('quota-') || name.startsWith('temp-url-key'))) continue;
    out[name] = decodeMeta(Array.isArray(value) ? value[0] : value);
  }
  return out;
}

/** Metadata values travel percent-encoded when they are not plain ASCII (as python-swiftclient does). */
export const encodeMeta = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value));
function decodeMeta(value: string): string {
  if (!/%[0-9a-f]{2}/i.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function containerFromListing(raw: Raw, location: Location): Container {
  const name = String(raw.name ?? '');
  return {
    location,
    id: name,
    name,
    objectCount: int(raw.count),
    bytesUsed: int(raw.bytes),
    publicRead: false,
    readAcl: '',
    writeAcl: '',
    quotaBytes: 0n,
    quotaCount: 0n,
    metadata: {},
    lastModified: date(raw.last_modified),
    properties: {},
  };
}

export function containerFromHead(name: string, headers: IncomingHttpHeaders, location: Location): Container {
  const readAcl = header(headers, 'x-container-read') ?? '';
  const policy = header(headers, 'x-storage-policy');
  return {
    location,
    id: name,
    name,
    objectCount: int(header(headers, 'x-container-object-count')),
    bytesUsed: int(header(headers, 'x-container-bytes-used')),
    publicRead: readAcl.split(',').some((entry) => entry.trim() === '.r:*'),
    readAcl,
    writeAcl: header(headers, 'x-container-write') ?? '',
    quotaBytes: int(header(headers, 'x-container-meta-quota-bytes')),
    quotaCount: int(header(headers, 'x-container-meta-quota-count')),
    metadata: metaOf(headers, 'container'),
    lastModified: date(header(headers, 'last-modified')),
    properties: policy ? { storage_policy: policy } : {},
  };
}

/** The last second a protobuf Timestamp can carry (9999-12-31T23:59:59Z). */
const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

/** X-Delete-At is seconds since the epoch; a value that is no date a Timestamp can carry is ignored, not an error. */
function deleteAt(value: string | undefined): Date | undefined {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_TIMESTAMP_SECONDS
    ? new Date(seconds * 1000)
    : undefined;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

export function objectFromListing(container: string, raw: Raw, location: Location): StoredObject {
  if (typeof raw.subdir === 'string') {
    return { ...emptyObject(location, container, raw.subdir), isDirectory: true };
  }
  const name = String(raw.name ?? '');
  return {
    ...emptyObject(location, container, name),
    sizeBytes: int(raw.bytes),
    etag: unquote(raw.hash),
    contentType: String(raw.content_type ?? ''),
    lastModified: date(raw.last_modified),
    // Swift marks a static large object's listing entry with slo_etag (2.23+).
    isLargeObject: typeof raw.slo_etag === 'string',
  };
}

export function objectFromHead(
  container: string,
  name: string,
  headers: IncomingHttpHeaders,
  location: Location,
): StoredObject {
  // A ranged GET answers with the range's length; the whole size is after the slash of Content-Range.
  const range = header(headers, 'content-range')?.match(/\/(\d+)$/);
  return {
    ...emptyObject(location, container, name),
    sizeBytes: int(range ? range[1] : header(headers, 'content-length')),
    etag: unquote(header(headers, 'etag')),
    contentType: header(headers, 'content-type') ?? '',
    lastModified: date(header(headers, 'last-modified')),
    metadata: metaOf(headers, 'object'),
    isLargeObject: header(headers, 'x-static-large-object') === 'True',
    deleteAt: deleteAt(header(headers, 'x-delete-at')),
  };
}

function emptyObject(location: Location, container: string, name: string): StoredObject {
  return {
    location,
    id: name,
    container,
    name,
    sizeBytes: 0n,
    etag: '',
    contentType: '',
    lastModified: undefined,
    metadata: {},
    isDirectory: false,
    isLargeObject: false,
    deleteAt: undefined,
    properties: {},
  };
}

/** A listing (account or container), page by page with Swift's marker. */
export async function* listing(
  ctx: RegionContext,
  path: string,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
  limit = 0,
): AsyncGenerator<Raw> {
  let marker = query.marker;
  let left = limit > 0 ? limit : Number.POSITIVE_INFINITY;
  while (left > 0) {
    const page = Math.min(PAGE, left);
    const res = await swift(ctx, {
      method: 'GET',
      path,
      query: { ...query, format: 'json', limit: page, marker },
      signal,
      fresh: true,
    });
    const items = Array.isArray(res.body) ? (res.body as Raw[]) : [];
    for (const item of items) yield item;
    left -= items.length;
    if (items.length < page) return;
    const last = items[items.length - 1];
    marker = String(last.name ?? last.subdir ?? '');
  }
}

export async function headContainer(ctx: RegionContext, name: string, signal: AbortSignal): Promise<Container> {
  const res = await swift(ctx, { method: 'HEAD', path: containerPath(name), signal, fresh: true });
  return containerFromHead(name, res.headers, ctx.location);
}

export async function headObject(
  ctx: RegionContext,
  container: string,
  name: string,
  signal: AbortSignal,
): Promise<StoredObject> {
  const res = await swift(ctx, { method: 'HEAD', path: objectPath(container, name), signal, fresh: true });
  return objectFromHead(container, name, res.headers, ctx.location);
}

/** What Swift's /info says about this region's object store. */
export interface SwiftInfo {
  maxFileSize: number;
  maxObjectNameLength: number;
  tempUrl: boolean;
  tempUrlMethods: string[];
  tempUrlDigests: string[];
  slo: boolean;
  maxManifestSegments: number;
  bulkDelete: boolean;
  maxDeletesPerRequest: number;
  /** User metadata per request: items, key and value bytes, all keys and values together. */
  metadata: { count: number; nameLength: number; valueLength: number; overallSize: number };
}

/** /info sits at the proxy's root, beside /v1; it needs no token. */
const infoUrl = (endpoint: URL) => new URL(`${endpoint.pathname.replace(/\/v1(\/.*)?$/, '')}/info`, endpoint.origin);

/** The cloud's /info: a cloud that does not show it (4xx) offers Swift's defaults only; other failures are errors. */
export function swiftInfo(ctx: RegionContext, signal?: AbortSignal): Promise<SwiftInfo> {
  return cachedPerRegion(ctx, 'swift-info', INFO_CACHE_MS, async () => {
    const res = await ctx.session.getPublic('object-store', ctx.region, infoUrl, signal).catch((error) => {
      const status = (error as { status?: number }).status ?? 0;
      if (status >= 400 && status < 500) return undefined;
      throw error;
    });
    const info: Raw = res?.body && typeof res.body === 'object' ? (res.body as Raw) : {};
    const core: Raw = info.swift ?? {};
    return {
      maxFileSize: Number(core.max_file_size ?? 5 * 1024 ** 3 + 2),
      maxObjectNameLength: Number(core.max_object_name_length ?? 1024),
      tempUrl: !!info.tempurl,
      tempUrlMethods: Array.isArray(info.tempurl?.methods) ? info.tempurl.methods.map(String) : [],
      tempUrlDigests: Array.isArray(info.tempurl?.allowed_digests)
        ? info.tempurl.allowed_digests.map(String)
        : ['sha1'],
      slo: !!info.slo,
      maxManifestSegments: Number(info.slo?.max_manifest_segments ?? 1000),
      bulkDelete: !!info.bulk_delete,
      maxDeletesPerRequest: Number(info.bulk_delete?.max_deletes_per_request ?? 10_000),
      // Swift's defaults, for a cloud that does not say.
      metadata: {
        count: Number(core.max_meta_count ?? 90),
        nameLength: Number(core.max_meta_name_length ?? 128),
        valueLength: Number(core.max_meta_value_length ?? 256),
        overallSize: Number(core.max_meta_overall_size ?? 4096),
      },
    };
  });
}

export const notFound = (what: string, ctx: RegionContext) =>
  new OaktreeError(GrpcStatus.NOT_FOUND, `${what} does not exist in ${ctx.location.cloud}/${ctx.region}`);
