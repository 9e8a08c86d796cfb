// Swift's object-store API as the simulated clouds speak it: account, container and object calls under
// /object-store/v1/AUTH_<project_id>, /info, static large objects (manifest put/get/delete), server-side copy,
// TempURL signatures, container ACLs (public read, listings), quotas, X-Delete-After, bulk delete, byte ranges,
// and Swift's own status codes and plain-text/HTML error bodies.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ServiceModule } from './cloud-runtime.ts';
import { readBody, type Ctx, type Reply } from './http.ts';
import { RouteTable } from './router.ts';
import {
  compareNames,
  containerUsage,
  liveObject,
  liveObjects,
  removeObject,
  swiftAccount,
  type SwiftAccount,
  type SwiftContainer,
  type SwiftObject,
  type SwiftSegment,
} from './swift-store.ts';
import { uuid } from './util.ts';

const MAX_OBJECT_NAME = 1024;
const MAX_CONTAINER_NAME = 256;
const LISTING_LIMIT = 10_000;
const MAX_DELETES_PER_REQUEST = 10_000;
/** Swift's metadata constraints (its defaults, shown in /info). */
const MAX_META_NAME_LENGTH = 128;
const MAX_META_VALUE_LENGTH = 256;
const MAX_META_COUNT = 90;
const MAX_META_OVERALL_SIZE = 4096;
const MAX_HEADER_SIZE = 8192;

/** Swift's answer for an error: status, reason, and the short HTML body its proxy sends. */
function fail(status: number, text?: string, headers: Record<string, string> = {}): Reply {
  const reasons: Record<number, [string, string]> = {
    400: [
      'Bad Request',
      'The server could not comply with the request since it is either malformed or otherwise incorrect.',
    ],
    401: ['Unauthorized', 'This server could not verify that you are authorized to access the document you requested.'],
    403: ['Forbidden', 'Access was denied to this resource.'],
    404: ['Not Found', 'The resource could not be found.'],
    409: ['Conflict', 'There was a conflict when trying to complete your request.'],
    411: ['Length Required', 'Length Required'],
    412: ['Precondition Failed', 'A precondition for this request was not met.'],
    413: ['Request Entity Too Large', 'The body of your request was too large for this server.'],
    416: ['Requested Range Not Satisfiable', 'The Range requested is not available.'],
    422: ['Unprocessable Entity', 'Unable to process the contained instructions'],
  };
  const [title, body] = reasons[status] ?? ['Error', 'Error'];
  return {
    status,
    body: text ?? `<html><h1>${title}</h1><p>${body}</p></html>`,
    headers: { 'Content-Type': text ? 'text/plain; charset=UTF-8' : 'text/html; charset=UTF-8', ...headers },
  };
}

class SwiftReply extends Error {
  constructor(readonly reply: Reply) {
    super(String(reply.status));
  }
}
const refuse = (status: number, text?: string): never => {
  throw new SwiftReply(fail(status, text));
};

/** The simulated cloud's object-store settings (SimCloudOptions.objectStore). */
function settings(ctx: Ctx) {
  const o = ctx.cloud.opts.objectStore;
  return {
    tempUrl: o.tempUrl,
    bulkDelete: o.bulkDelete,
    maxFileSize: o.maxFileSize,
    maxSegments: o.maxManifestSegments,
  };
}

// --- auth ------------------------------------------------------------------------------------------------------

type Access = 'read' | 'list' | 'write';

function tokenProject(ctx: Ctx): string | undefined {
  const header = ctx.req.headers['x-auth-token'];
  const data = ctx.cloud.data;
  const token = typeof header === 'string' ? data.tokens.get(header) : undefined;
  if (!token || token.serial < data.minTokenSerial || token.expiresAt <= Date.now() || !token.projectId)
    return undefined;
  return token.projectId;
}

/** keystoneauth's decision: the owner's token, a container ACL, or (objects) a valid TempURL. */
function authorize(ctx: Ctx, account: string, access: Access, container?: SwiftContainer): void {
  if (ctx.query.has('temp_url_sig') && ctx.params.object !== undefined) {
    checkTempUrl(ctx, account, container);
    return;
  }
  const project = tokenProject(ctx);
  if (project && account === `AUTH_${project}`) return;
  const readAcl = (container?.headers['x-container-read'] ?? '').split(',').map((s) => s.trim());
  if (access === 'read' && readAcl.includes('.r:*')) return;
  if (access === 'list' && readAcl.includes('.r:*') && readAcl.includes('.rlistings')) return;
  refuse(project ? 403 : 401);
}

function checkTempUrl(ctx: Ctx, accountName: string, container?: SwiftContainer): void {
  const invalid = () => refuse(401, '401 Unauthorized: Temp URL invalid\n');
  if (!settings(ctx).tempUrl) refuse(401);
  const sig = ctx.query.get('temp_url_sig') ?? '';
  const expires = Number(ctx.query.get('temp_url_expires') ?? '');
  if (!Number.isInteger(expires) || expires * 1000 <= Date.now()) invalid();
  const digest = sig.length === 40 ? 'sha1' : sig.length === 64 ? 'sha256' : sig.length === 128 ? 'sha512' : '';
  if (!digest) invalid();
  const account = swiftAccount(ctx.region, accountName);
  const keys = [
    account.meta['x-account-meta-temp-url-key'],
    account.meta['x-account-meta-temp-url-key-2'],
    container?.headers['x-container-meta-temp-url-key'],
    container?.headers['x-container-meta-temp-url-key-2'],
  ].filter((k): k is string => !!k);
  // The path as the client sent it (Swift signs what it sees; here that includes the service's URL prefix).
  const path = decodeURIComponent(ctx.url.pathname);
  // A HEAD may use a signature made for GET, HEAD or PUT.
  const methods = ctx.req.method === 'HEAD' ? ['HEAD', 'GET', 'PUT'] : [ctx.req.method ?? 'GET'];
  const given = Buffer.from(sig.toLowerCase());
  for (const key of keys)
    for (const method of methods) {
      const want = Buffer.from(createHmac(digest, key).update(`${method}\n${expires}\n${path}`).digest('hex'));
      if (want.length === given.length && timingSafeEqual(want, given)) return;
    }
  invalid();
}

// --- helpers ---------------------------------------------------------------------------------------------------

function header(ctx: Ctx, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const httpDate = (ms: number) => new Date(ms).toUTCString();
const timestamp = (ms: number) => (ms / 1000).toFixed(5);
/** Swift's listing date: ISO with microseconds, no zone. */
const listingDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('Z', '')
    .replace(/\.(\d{3})$/, '.$1000');

function container(ctx: Ctx, account: SwiftAccount): SwiftContainer {
  const found = account.containers.get(ctx.params.container);
  return found ?? refuse(404);
}

function checkNames(ctx: Ctx): void {
  const c = Buffer.byteLength(ctx.params.container ?? '');
  if (c > MAX_CONTAINER_NAME) refuse(400, `Container name length of ${c} longer than ${MAX_CONTAINER_NAME}`);
  const o = Buffer.byteLength(ctx.params.object ?? '');
  if (o > MAX_OBJECT_NAME) refuse(400, `Object name length of ${o} longer than ${MAX_OBJECT_NAME}`);
}

/** Python's str.title(), which swob applies to header names (x-object-meta-foo-bar → X-Object-Meta-Foo-Bar). */
const titled = (name: string) =>
  name.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_, before, c) => before + c.toUpperCase());

/** Swift's check_metadata: every header value bounded, then the x-<kind>-meta-* items counted and measured in bytes. */
function checkMetadata(ctx: Ctx, kind: 'account' | 'container' | 'object'): void {
  const prefix = `x-${kind}-meta-`;
  let count = 0;
  let size = 0;
  for (const [key, raw] of Object.entries(ctx.req.headers)) {
    const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    // Node reads header bytes as latin1: a string's length is its byte count, as for Swift's WSGI strings.
    if (value.length > MAX_HEADER_SIZE)
      refuse(400, `Header value too long: ${titled(key).slice(0, MAX_META_NAME_LENGTH)}`);
    if (!key.startsWith(prefix)) continue;
    const name = titled(key).slice(prefix.length);
    if (!name) refuse(400, 'Metadata name cannot be empty');
    count += 1;
    size += name.length + value.length;
    if (name.length > MAX_META_NAME_LENGTH) refuse(400, `Metadata name too long: ${prefix}${name}`);
    if (value.length > MAX_META_VALUE_LENGTH)
      refuse(400, `Metadata value longer than ${MAX_META_VALUE_LENGTH}: ${prefix}${name}`);
    if (count > MAX_META_COUNT) refuse(400, `Too many metadata items; max ${MAX_META_COUNT}`);
    if (size > MAX_META_OVERALL_SIZE) refuse(400, `Total metadata too large; max ${MAX_META_OVERALL_SIZE}`);
  }
}

/** Applies x-<kind>-meta-*, x-remove-<kind>-meta-* (and for containers the ACL headers) to a header map. */
function applyHeaders(ctx: Ctx, target: Record<string, string>, kind: 'account' | 'container' | 'object'): void {
  const settable = kind === 'container' ? ['x-container-read', 'x-container-write'] : [];
  for (const [key, raw] of Object.entries(ctx.req.headers)) {
    const value = Array.isArray(raw) ? raw[0] : (raw ?? '');
    if (key.startsWith(`x-${kind}-meta-`) || settable.includes(key)) {
      if (value === '') delete target[key];
      else target[key] = value;
    } else if (key.startsWith(`x-remove-${kind}-`)) {
      delete target[key.replace(`x-remove-${kind}-`, `x-${kind}-`)];
    }
  }
}

function objectHeaders(object: SwiftObject): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': object.contentType,
    Etag: object.manifest ? `"${object.etag}"` : object.etag,
    'Last-Modified': httpDate(object.lastModified),
    'X-Timestamp': timestamp(object.lastModified),
    'Accept-Ranges': 'bytes',
    ...object.meta,
  };
  if (object.manifest) {
    headers['X-Static-Large-Object'] = 'True';
    headers['X-Manifest-Etag'] = object.manifestHash ?? '';
  }
  if (object.deleteAt) headers['X-Delete-At'] = String(object.deleteAt);
  return headers;
}

/** Swift keeps delete-at times to 10 digits (normalize_delete_at_timestamp): later ones become this, in 2286. */
const MAX_DELETE_AT = 9_999_999_999;

/** Swift's check_delete_headers: integers only, X-Delete-After turned into X-Delete-At, capped, never in the past. */
function expiryFrom(ctx: Ctx, current?: number): number | undefined {
  const after = header(ctx, 'x-delete-after');
  const at = header(ctx, 'x-delete-at');
  const now = Date.now() / 1000;
  const capped = (seconds: number) => Math.floor(Math.min(Math.max(0, seconds), MAX_DELETE_AT));
  if (after !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(after)) refuse(400, 'Non-integer X-Delete-After');
    const when = capped(now + Number(after));
    if (when <= now) refuse(400, 'X-Delete-After in past');
    return when;
  }
  if (at !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(at)) refuse(400, 'Non-integer X-Delete-At');
    const when = capped(Number(at));
    if (when <= now) refuse(400, 'X-Delete-At in past');
    return when;
  }
  if (header(ctx, 'x-remove-delete-at') !== undefined) return undefined;
  return current;
}

// --- account ---------------------------------------------------------------------------------------------------

function accountHeaders(account: SwiftAccount): Record<string, string> {
  let objects = 0;
  let bytes = 0;
  for (const c of account.containers.values()) {
    const usage = containerUsage(c);
    objects += usage.count;
    bytes += usage.bytes;
  }
  const meta = { ...account.meta };
  // The TempURL keys are only shown to the account's owner, which is who gets here.
  return {
    'X-Account-Container-Count': String(account.containers.size),
    'X-Account-Object-Count': String(objects),
    'X-Account-Bytes-Used': String(bytes),
    ...meta,
  };
}

function getAccount(ctx: Ctx): Reply {
  authorize(ctx, ctx.params.account, 'write');
  const account = swiftAccount(ctx.region, ctx.params.account);
  const names = [...account.containers.keys()].sort(compareNames);
  const listed = page(ctx, names, (n) => n).map((name) => {
    const c = account.containers.get(name)!;
    const usage = containerUsage(c);
    return { name, count: usage.count, bytes: usage.bytes, last_modified: listingDate(c.createdAt) };
  });
  return listingReply(ctx, listed, accountHeaders(account));
}

async function postAccount(ctx: Ctx): Promise<Reply> {
  authorize(ctx, ctx.params.account, 'write');
  const account = swiftAccount(ctx.region, ctx.params.account);
  if (ctx.query.has('bulk-delete')) return bulkDelete(ctx, account);
  checkMetadata(ctx, 'account');
  applyHeaders(ctx, account.meta, 'account');
  return { status: 204 };
}

async function bulkDelete(ctx: Ctx, account: SwiftAccount): Promise<Reply> {
  if (!settings(ctx).bulkDelete) return fail(400);
  const lines = (await readBody(ctx.req, 16 * 1024 * 1024))
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim());
  const paths = lines.filter(Boolean);
  if (paths.length > MAX_DELETES_PER_REQUEST) return fail(413);
  let deleted = 0;
  let notFound = 0;
  const errors: string[][] = [];
  // Swift refuses the whole request when a line is longer than a container and an object name.
  if (paths.some((p) => p.length > MAX_CONTAINER_NAME + MAX_OBJECT_NAME + 2))
    return bulkAnswer(0, 0, [], '400 Bad Request', 'Invalid File Name');
  for (const raw of paths) {
    const [containerName, ...rest] = decodeURIComponent(raw).replace(/^\//, '').split('/');
    const objectName = rest.join('/');
    const c = account.containers.get(containerName);
    if (!objectName) {
      if (!c) notFound += 1;
      else if (containerUsage(c).count > 0) errors.push([raw, '409 Conflict']);
      else {
        account.containers.delete(containerName);
        deleted += 1;
      }
    } else if (!c || !liveObject(c, objectName)) notFound += 1;
    else {
      removeObject(c, objectName);
      deleted += 1;
    }
  }
  return bulkAnswer(deleted, notFound, errors, errors.length ? '400 Bad Request' : '200 OK', '');
}

/** Bulk delete always answers 200; its real status is in the body. */
function bulkAnswer(deleted: number, notFound: number, errors: string[][], status: string, body: string): Reply {
  return {
    status: 200,
    body: {
      'Response Status': status,
      'Response Body': body,
      'Number Deleted': deleted,
      'Number Not Found': notFound,
      Errors: errors,
    },
    headers: { 'Content-Type': 'application/json' },
  };
}

// --- containers ------------------------------------------------------------------------------------------------

function containerHeaders(c: SwiftContainer): Record<string, string> {
  const usage = containerUsage(c);
  return {
    'X-Container-Object-Count': String(usage.count),
    'X-Container-Bytes-Used': String(usage.bytes),
    'X-Timestamp': timestamp(c.createdAt),
    'X-Storage-Policy': 'Policy-0',
    'Last-Modified': httpDate(c.createdAt),
    ...c.headers,
  };
}

function page<T>(ctx: Ctx, items: T[], nameOf: (item: T) => string): T[] {
  const marker = ctx.query.get('marker') ?? '';
  const endMarker = ctx.query.get('end_marker') ?? '';
  const prefix = ctx.query.get('prefix') ?? '';
  const limitRaw = ctx.query.get('limit');
  const limit = limitRaw === null ? LISTING_LIMIT : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 0) refuse(412, 'Value of limit must be a positive integer');
  if (limit > LISTING_LIMIT) refuse(412, `Maximum limit is ${LISTING_LIMIT}`);
  return items
    .filter((item) => {
      const name = nameOf(item);
      return (
        name.startsWith(prefix) &&
        (!marker || compareNames(name, marker) > 0) &&
        (!endMarker || compareNames(name, endMarker) < 0)
      );
    })
    .slice(0, limit);
}

/** JSON when asked (format=json or Accept: application/json), else one name per line; empty text is a 204. */
function listingReply(ctx: Ctx, items: Array<Record<string, unknown>>, headers: Record<string, string>): Reply {
  const format = ctx.query.get('format');
  const json = format === 'json' || (!format && (header(ctx, 'accept') ?? '').includes('application/json'));
  if (json)
    return { status: 200, body: items, headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' } };
  if (items.length === 0) return { status: 204, headers };
  const text = items.map((i) => `${String(i.name ?? i.subdir)}\n`).join('');
  return { status: 200, body: text, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } };
}

function headContainer(ctx: Ctx): Reply {
  const account = swiftAccount(ctx.region, ctx.params.account);
  const c = account.containers.get(ctx.params.container);
  authorize(ctx, ctx.params.account, 'list', c);
  if (!c) return fail(404);
  return { status: 204, headers: containerHeaders(c) };
}

function getContainer(ctx: Ctx): Reply {
  const account = swiftAccount(ctx.region, ctx.params.account);
  const c = account.containers.get(ctx.params.container);
  authorize(ctx, ctx.params.account, 'list', c);
  if (!c) return fail(404);
  const delimiter = ctx.query.get('delimiter') ?? '';
  const prefix = ctx.query.get('prefix') ?? '';
  // With a delimiter, names are rolled up to the first delimiter after the prefix into one "subdir" entry each.
  const entries: Array<{ name: string; object?: SwiftObject }> = [];
  const seen = new Set<string>();
  for (const object of liveObjects(c)) {
    const cut = delimiter ? object.name.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0 && object.name.startsWith(prefix)) {
      const subdir = object.name.slice(0, cut + delimiter.length);
      if (!seen.has(subdir)) entries.push({ name: subdir });
      seen.add(subdir);
    } else entries.push({ name: object.name, object });
  }
  const listed = page(ctx, entries, (e) => e.name).map(({ name, object }) =>
    object
      ? {
          name,
          hash: object.manifest ? object.manifestHash : object.etag,
          bytes: object.size,
          content_type: object.contentType,
          last_modified: listingDate(object.lastModified),
          ...(object.manifest ? { slo_etag: `"${object.etag}"` } : {}),
        }
      : { subdir: name },
  );
  return listingReply(ctx, listed, containerHeaders(c));
}

function putContainer(ctx: Ctx): Reply {
  authorize(ctx, ctx.params.account, 'write');
  checkNames(ctx);
  checkMetadata(ctx, 'container');
  const account = swiftAccount(ctx.region, ctx.params.account);
  const existing = account.containers.get(ctx.params.container);
  const c = existing ?? { name: ctx.params.container, createdAt: Date.now(), headers: {}, objects: new Map() };
  applyHeaders(ctx, c.headers, 'container');
  account.containers.set(c.name, c);
  return { status: existing ? 202 : 201, body: '', headers: { 'Content-Type': 'text/html; charset=UTF-8' } };
}

function postContainer(ctx: Ctx): Reply {
  authorize(ctx, ctx.params.account, 'write');
  const c = container(ctx, swiftAccount(ctx.region, ctx.params.account));
  checkMetadata(ctx, 'container');
  applyHeaders(ctx, c.headers, 'container');
  return { status: 204 };
}

function deleteContainer(ctx: Ctx): Reply {
  authorize(ctx, ctx.params.account, 'write');
  const account = swiftAccount(ctx.region, ctx.params.account);
  const c = container(ctx, account);
  if (containerUsage(c).count > 0) return fail(409);
  account.containers.delete(c.name);
  return { status: 204 };
}

// --- objects ---------------------------------------------------------------------------------------------------

/** Which bytes of `size` a Range header asks for; undefined for the whole object. */
function rangeOf(ctx: Ctx, size: number): { start: number; end: number } | undefined {
  const raw = header(ctx, 'range');
  const m = raw?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // Swift ignores a range it cannot parse
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) throw new SwiftReply(fail(416, undefined, { 'Content-Range': `bytes */${size}` }));
  return { start, end };
}

/** The files (and byte windows) that make up an object, large objects segment by segment. */
function pieces(account: SwiftAccount, object: SwiftObject): Array<{ file: string; size: number }> {
  if (!object.manifest) return object.file ? [{ file: object.file, size: object.size }] : [];
  return object.manifest.map((s) => {
    const segment = account.containers.get(s.container) && liveObject(account.containers.get(s.container)!, s.name);
    if (!segment?.file) throw new SwiftReply(fail(409, `Segment ${s.container}/${s.name} is missing`));
    return { file: segment.file, size: segment.size };
  });
}

async function streamPieces(
  res: ServerResponse,
  list: Array<{ file: string; size: number }>,
  start: number,
  end: number,
) {
  let offset = 0;
  for (const piece of list) {
    const from = Math.max(start - offset, 0);
    const to = Math.min(end - offset, piece.size - 1);
    offset += piece.size;
    if (to < from || piece.size === 0) continue;
    await pipeline(createReadStream(piece.file, { start: from, end: to }), res, { end: false });
  }
  res.end();
}

async function getObject(ctx: Ctx): Promise<Reply | undefined> {
  const account = swiftAccount(ctx.region, ctx.params.account);
  const c = account.containers.get(ctx.params.container);
  authorize(ctx, ctx.params.account, 'read', c);
  const object = c && liveObject(c, ctx.params.object);
  if (!object) return fail(404);
  if (object.manifest && ctx.query.get('multipart-manifest') === 'get') {
    const raw = ctx.query.get('format') === 'raw';
    const body = object.manifest.map((s) =>
      raw
        ? { path: `/${s.container}/${s.name}`, etag: s.etag, size_bytes: s.size }
        : { name: `/${s.container}/${s.name}`, hash: s.etag, bytes: s.size, content_type: 'application/octet-stream' },
    );
    return { status: 200, body, headers: { 'Content-Type': 'application/json; charset=utf-8' } };
  }
  const headers = objectHeaders(object);
  const range = rangeOf(ctx, object.size);
  const start = range?.start ?? 0;
  const end = range?.end ?? object.size - 1;
  const list = pieces(account, object);
  headers['Content-Length'] = String(Math.max(0, end - start + 1));
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${object.size}`;
  ctx.res.writeHead(range ? 206 : 200, headers);
  if (ctx.req.method === 'HEAD' || object.size === 0) {
    ctx.res.end();
    return undefined;
  }
  await streamPieces(ctx.res, list, start, end);
  return undefined;
}

/** Reads the request body into a file; nothing is kept when it is cut short or too big. */
async function receive(ctx: Ctx, maxSize: number): Promise<{ file: string; size: number; md5: string }> {
  const file = join(ctx.cloud.tempDir, `swift-${uuid()}`);
  const md5 = createHash('md5');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxSize) return done(new SwiftReply(fail(413)));
      md5.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(ctx.req, counter, createWriteStream(`${file}.partial`));
    await rename(`${file}.partial`, file);
  } catch (error) {
    await rm(`${file}.partial`, { force: true });
    // A client that goes away mid-body stores nothing (Swift logs a 499 and moves on).
    throw error instanceof SwiftReply ? error : new SwiftReply(fail(499));
  }
  return { file, size, md5: md5.digest('hex') };
}

/**
 * Swift's container_quotas middleware, before the body is read: what the container holds plus the declared
 * Content-Length (0 for a chunked upload, so a chunked PUT is refused only once the container is over its quota).
 */
function checkQuota(c: SwiftContainer, declared: number, replacing?: SwiftObject): void {
  const usage = containerUsage(c);
  const quotaBytes = Number(c.headers['x-container-meta-quota-bytes'] ?? 0);
  const quotaCount = Number(c.headers['x-container-meta-quota-count'] ?? 0);
  if (quotaBytes && usage.bytes + declared > quotaBytes) refuse(413, 'Upload exceeds quota.');
  if (quotaCount && usage.count + (replacing ? 0 : 1) > quotaCount) refuse(413, 'Upload exceeds quota.');
}

async function putObject(ctx: Ctx): Promise<Reply> {
  authorize(
    ctx,
    ctx.params.account,
    'write',
    swiftAccount(ctx.region, ctx.params.account).containers.get(ctx.params.container),
  );
  checkNames(ctx);
  checkMetadata(ctx, 'object');
  const account = swiftAccount(ctx.region, ctx.params.account);
  const c = container(ctx, account);
  const name = ctx.params.object;
  const previous = liveObject(c, name);
  const declared = header(ctx, 'content-length');
  const max = settings(ctx).maxFileSize;
  if (declared !== undefined && Number(declared) > max) return fail(413);
  if (declared === undefined && header(ctx, 'transfer-encoding') !== 'chunked') return fail(411);
  const now = Date.now();
  const meta: Record<string, string> = {};
  applyHeaders(ctx, meta, 'object');
  const contentType = header(ctx, 'content-type') ?? 'application/octet-stream';
  const deleteAt = expiryFrom(ctx);

  const copyFrom = header(ctx, 'x-copy-from');
  if (copyFrom) {
    const [srcContainer, ...rest] = decodeURIComponent(copyFrom).replace(/^\//, '').split('/');
    const source = account.containers.get(srcContainer);
    const original = source && liveObject(source, rest.join('/'));
    if (!original) return fail(404);
    const list = pieces(account, original);
    const file = join(ctx.cloud.tempDir, `swift-${uuid()}`);
    const out = createWriteStream(file);
    for (const piece of list) await pipeline(createReadStream(piece.file), out, { end: false });
    out.end();
    await new Promise<void>((resolve) => out.on('close', () => resolve()));
    const md5 = original.manifest ? await md5OfFile(file) : original.etag;
    const fresh = header(ctx, 'x-fresh-metadata') === 'true';
    const copy: SwiftObject = {
      name,
      size: original.size,
      etag: md5,
      contentType: header(ctx, 'content-type') ?? original.contentType,
      lastModified: now,
      meta: fresh || Object.keys(meta).length ? meta : { ...original.meta, ...meta },
      deleteAt,
      file,
    };
    store(c, copy, previous);
    return { status: 201, body: '', headers: { Etag: copy.etag, 'Content-Type': 'text/html; charset=UTF-8' } };
  }

  if (ctx.query.get('multipart-manifest') === 'put')
    return putManifest(ctx, account, c, { name, meta, contentType, deleteAt, previous });

  checkQuota(c, Number(declared ?? 0), previous);
  const received = await receive(ctx, max);
  if (declared !== undefined && received.size !== Number(declared)) {
    await rm(received.file, { force: true });
    return fail(499 as number);
  }
  const etag = header(ctx, 'etag')?.replace(/"/g, '').toLowerCase();
  if (etag && etag !== received.md5) {
    await rm(received.file, { force: true });
    return fail(422);
  }
  const object: SwiftObject = {
    name,
    size: received.size,
    etag: received.md5,
    contentType,
    lastModified: now,
    meta,
    deleteAt,
    file: received.file,
  };
  store(c, object, previous);
  return {
    status: 201,
    body: '',
    headers: { Etag: received.md5, 'Content-Type': 'text/html; charset=UTF-8', 'Last-Modified': httpDate(now) },
  };
}

function store(c: SwiftContainer, object: SwiftObject, previous?: SwiftObject): void {
  if (previous?.file && previous.file !== object.file) void rm(previous.file, { force: true });
  c.objects.set(object.name, object);
}

async function md5OfFile(file: string): Promise<string> {
  const md5 = createHash('md5');
  await pipeline(createReadStream(file), md5);
  return md5.digest('hex');
}

async function putManifest(
  ctx: Ctx,
  account: SwiftAccount,
  c: SwiftContainer,
  o: { name: string; meta: Record<string, string>; contentType: string; deleteAt?: number; previous?: SwiftObject },
): Promise<Reply> {
  const raw = await readBody(ctx.req, 8 * 1024 * 1024);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return fail(400, 'Manifest must be valid JSON.\n');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return fail(400, 'Manifest must be a list.\n');
  const maxSegments = settings(ctx).maxSegments;
  if (parsed.length > maxSegments) return fail(413, `Too many segments (max ${maxSegments}).\n`);
  const segments: SwiftSegment[] = [];
  const problems: string[] = [];
  for (const entry of parsed as Array<Record<string, unknown>>) {
    const path = String(entry.path ?? '');
    const [segContainer, ...rest] = path.replace(/^\//, '').split('/');
    const segName = rest.join('/');
    const holder = account.containers.get(segContainer);
    const segment = holder && liveObject(holder, segName);
    if (!segment) {
      problems.push(`${path}, 404 Not Found`);
      continue;
    }
    if (entry.etag && String(entry.etag) !== segment.etag) problems.push(`${path}, Etag Mismatch`);
    if (entry.size_bytes !== undefined && entry.size_bytes !== null && Number(entry.size_bytes) !== segment.size)
      problems.push(`${path}, Size Mismatch`);
    segments.push({ container: segContainer, name: segName, etag: segment.etag, size: segment.size });
  }
  if (problems.length) return fail(400, `Errors:\n${problems.join('\n')}\n`);
  const etag = createHash('md5')
    .update(segments.map((s) => s.etag).join(''))
    .digest('hex');
  const object: SwiftObject = {
    name: o.name,
    size: segments.reduce((sum, s) => sum + s.size, 0),
    etag,
    contentType: o.contentType,
    lastModified: Date.now(),
    meta: o.meta,
    deleteAt: o.deleteAt,
    manifest: segments,
    manifestHash: createHash('md5').update(raw).digest('hex'),
  };
  store(c, object, o.previous);
  return { status: 201, body: '', headers: { Etag: `"${etag}"`, 'Content-Type': 'text/html; charset=UTF-8' } };
}

function postObject(ctx: Ctx): Reply {
  authorize(ctx, ctx.params.account, 'write');
  const c = container(ctx, swiftAccount(ctx.region, ctx.params.account));
  const object = liveObject(c, ctx.params.object);
  if (!object) return fail(404);
  checkMetadata(ctx, 'object');
  // A POST replaces the user metadata as a whole (Swift's default, fast-post).
  const meta: Record<string, string> = {};
  applyHeaders(ctx, meta, 'object');
  object.meta = meta;
  object.contentType = header(ctx, 'content-type') ?? object.contentType;
  object.deleteAt = expiryFrom(ctx, object.deleteAt);
  return { status: 202, body: '', headers: { 'Content-Type': 'text/html; charset=UTF-8' } };
}

function deleteObject(ctx: Ctx): Reply {
  const account = swiftAccount(ctx.region, ctx.params.account);
  authorize(ctx, ctx.params.account, 'write', account.containers.get(ctx.params.container));
  const c = container(ctx, account);
  const object = liveObject(c, ctx.params.object);
  if (!object) return fail(404);
  if (object.manifest && ctx.query.get('multipart-manifest') === 'delete') {
    let deleted = 1;
    for (const s of object.manifest) {
      const holder = account.containers.get(s.container);
      if (holder?.objects.has(s.name)) deleted += 1;
      if (holder) removeObject(holder, s.name);
    }
    removeObject(c, object.name);
    // Like bulk delete, a manifest delete answers 200 with a report (plain text unless JSON is asked for).
    const text = `Number Deleted: ${deleted}\nNumber Not Found: 0\nResponse Body: \nResponse Status: 200 OK\nErrors:\n`;
    return { status: 200, body: text, headers: { 'Content-Type': 'text/plain' } };
  }
  removeObject(c, object.name);
  return { status: 204 };
}

// --- info and routing ------------------------------------------------------------------------------------------

function info(ctx: Ctx): Reply {
  const s = settings(ctx);
  const body: Record<string, unknown> = {
    swift: {
      version: '2.30.1',
      max_file_size: s.maxFileSize,
      max_object_name_length: MAX_OBJECT_NAME,
      max_container_name_length: MAX_CONTAINER_NAME,
      container_listing_limit: LISTING_LIMIT,
      account_listing_limit: LISTING_LIMIT,
      max_meta_name_length: MAX_META_NAME_LENGTH,
      max_meta_value_length: MAX_META_VALUE_LENGTH,
      max_meta_count: MAX_META_COUNT,
      max_meta_overall_size: MAX_META_OVERALL_SIZE,
      max_header_size: MAX_HEADER_SIZE,
      policies: [{ name: 'Policy-0', aliases: 'Policy-0', default: true }],
    },
    slo: { max_manifest_segments: s.maxSegments, max_manifest_size: 8388608, min_segment_size: 1 },
  };
  if (s.tempUrl)
    body.tempurl = {
      methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
      allowed_digests: ['sha1', 'sha256', 'sha512'],
      deprecated_digests: ['sha1'],
    };
  if (s.bulkDelete) body.bulk_delete = { max_deletes_per_request: MAX_DELETES_PER_REQUEST, max_failed_deletes: 1000 };
  return { status: 200, body, headers: { 'Content-Type': 'application/json; charset=UTF-8' } };
}

/** Swift's answers are replies thrown from deep inside a handler; everything else is the runtime's 500. */
function swiftHandler(handler: (ctx: Ctx) => Promise<Reply | undefined> | Reply | undefined) {
  return async (ctx: Ctx) => {
    try {
      return await handler(ctx);
    } catch (error) {
      if (error instanceof SwiftReply) return error.reply;
      throw error;
    }
  };
}

const routes = new RouteTable()
  .add('GET', '/info', info)
  .add(
    'HEAD',
    '/v1/{account}',
    swiftHandler((ctx) => ({ ...getAccount(ctx), body: undefined, status: 204 })),
  )
  .add('GET', '/v1/{account}', swiftHandler(getAccount))
  .add('POST', '/v1/{account}', swiftHandler(postAccount))
  .add('HEAD', '/v1/{account}/{container}', swiftHandler(headContainer))
  .add('GET', '/v1/{account}/{container}', swiftHandler(getContainer))
  .add('PUT', '/v1/{account}/{container}', swiftHandler(putContainer))
  .add('POST', '/v1/{account}/{container}', swiftHandler(postContainer))
  .add('DELETE', '/v1/{account}/{container}', swiftHandler(deleteContainer))
  .add('HEAD', '/v1/{account}/{container}/{object}', swiftHandler(getObject))
  .add('GET', '/v1/{account}/{container}/{object}', swiftHandler(getObject))
  .add('PUT', '/v1/{account}/{container}/{object}', swiftHandler(putObject))
  .add('POST', '/v1/{account}/{container}/{object}', swiftHandler(postObject))
  .add('DELETE', '/v1/{account}/{container}/{object}', swiftHandler(deleteObject));

export const swiftService: ServiceModule = {
  name: 'object-store',
  prefix: 'object-store',
  // Tokens are checked by each call: TempURLs and public containers need none.
  requiresAuth: false,
  routes,
  resolve(rest) {
    const parts = rest.split('/');
    if (parts[1] === 'info' && parts.length === 2) return { path: '/info', versionRoot: '' };
    if (parts[1] !== 'v1' || !parts[2]) return undefined;
    const [account, container, ...object] = parts.slice(2);
    let path = `/v1/${account}`;
    if (container) path += `/${container}`;
    // The object name is everything after the container, slashes included: one route segment.
    if (container && object.length && object.join('/') !== '')
      path += `/${encodeURIComponent(object.map((p) => decodeURIComponent(p)).join('/'))}`;
    return { path, versionRoot: '' };
  },
};
