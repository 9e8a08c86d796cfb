// Deleting objects: one object (with its segments when it is a static large object), or every object under a
// prefix in batches — one bulk-delete request per batch where the cloud has bulk delete, one DELETE per object
// where it has not. Large objects always go one by one, so their segments go with them.
import { OaktreeError } from '../../../core/errors.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, isNotFound } from '../transport/index.ts';
import { headObject, listing, notFound, objectPath, seg, swift, swiftInfo } from './swift.ts';

/** Objects listed (and deleted) per batch: progress is reported after each. */
const BATCH = 1000;

/** Deletes one object; a static large object takes its segments with it. Returns how many segments went. */
export async function deleteObject(
  ctx: RegionContext,
  container: string,
  name: string,
  signal: AbortSignal,
): Promise<number> {
  const what = `object "${name}" in container "${container}"`;
  try {
    const head = await headObject(ctx, container, name, signal);
    if (!head.isLargeObject) {
      await swift(ctx, { method: 'DELETE', path: objectPath(container, name), signal });
      return 0;
    }
    const manifest = await swift(ctx, {
      method: 'GET',
      path: objectPath(container, name),
      query: { 'multipart-manifest': 'get', format: 'raw' },
      signal,
      fresh: true,
    });
    const segments = Array.isArray(manifest.body) ? manifest.body.length : 0;
    await swift(ctx, {
      method: 'DELETE',
      path: objectPath(container, name),
      query: { 'multipart-manifest': 'delete' },
      signal,
    });
    return segments;
  } catch (error) {
    throw isNotFound(error) ? notFound(what, ctx) : error;
  }
}

/** Deletes every object of the container under the prefix; yields the running count after each batch. */
export async function* deleteAll(
  ctx: RegionContext,
  container: string,
  prefix: string,
  signal: AbortSignal,
): AsyncGenerator<bigint> {
  const info = await swiftInfo(ctx, signal);
  let deleted = 0n;
  // Each batch starts after the last name of the one before: a listing that lags behind the deletes (Swift updates
  // container listings asynchronously under load) never hands out the same names twice.
  let marker: string | undefined;
  while (true) {
    const batch: Array<{ name: string; large: boolean }> = [];
    try {
      const query = { prefix: prefix || undefined, marker };
      for await (const raw of listing(ctx, `/${seg(container)}`, query, signal, BATCH))
        batch.push({ name: String(raw.name), large: typeof raw.slo_etag === 'string' });
    } catch (error) {
      throw isNotFound(error) ? notFound(`container "${container}"`, ctx) : error;
    }
    if (batch.length === 0) return;
    marker = batch[batch.length - 1].name;
    const plain = batch.filter((o) => !o.large).map((o) => o.name);
    for (const o of batch.filter((o) => o.large)) {
      await deleteObject(ctx, container, o.name, signal).catch((error) => {
        if (!(error instanceof OaktreeError && error.grpcCode === GrpcStatus.NOT_FOUND)) throw error;
      });
      deleted += 1n;
    }
    // Swift's bulk delete refuses a line longer than a container and an object name (it counts the encoded line).
    const bulk = info.bulkDelete ? plain.filter((name) => bulkLine(container, name).length <= MAX_BULK_LINE) : [];
    const single = plain.filter((name) => !bulk.includes(name));
    if (bulk.length > 1) {
      for (let i = 0; i < bulk.length; i += info.maxDeletesPerRequest) {
        const slice = bulk.slice(i, i + info.maxDeletesPerRequest);
        const count = await bulkDelete(ctx, container, slice, signal);
        if (count === undefined)
          single.push(...slice); // refused as a whole: one by one, then
        else deleted += count;
      }
    } else single.push(...bulk);
    for (const name of single) {
      await swift(ctx, { method: 'DELETE', path: objectPath(container, name), signal }).catch((error) => {
        if (!isNotFound(error)) throw error; // someone else deleted it: gone is gone
      });
      deleted += 1n;
    }
    yield deleted;
  }
}

/** Swift's bulk middleware: a line may hold a container name, an object name and two slashes. */
const MAX_BULK_LINE = 1024 + 256 + 2;
const bulkLine = (container: string, name: string) => `/${seg(container)}/${seg(name)}`;

/**
 * One bulk-delete request (POST ?bulk-delete, one URL-encoded path per line): how many objects are gone, or
 * undefined when Swift refused the request as a whole (it answers 200 and puts the real status in the body).
 */
async function bulkDelete(
  ctx: RegionContext,
  container: string,
  names: string[],
  signal: AbortSignal,
): Promise<bigint | undefined> {
  const body = Buffer.from(names.map((name) => bulkLine(container, name)).join('\n'));
  const res = await swift(ctx, {
    method: 'POST',
    path: '',
    query: { 'bulk-delete': 'true' },
    rawBody: body,
    headers: { 'content-type': 'text/plain', accept: 'application/json' },
    signal,
  });
  const answer = (typeof res.body === 'object' && res.body ? res.body : {}) as Record<string, any>;
  const errors = Array.isArray(answer.Errors) ? answer.Errors : [];
  if (errors.length === 0 && !String(answer['Response Status'] ?? '').startsWith('2')) return undefined;
  if (errors.length > 0) {
    throw new OaktreeError(
      GrpcStatus.UNAVAILABLE,
      `bulk delete in container "${container}" failed for ${errors.length} of ${names.length} objects (${String(answer['Response Status'] ?? '')})`,
    );
  }
  return BigInt(Number(answer['Number Deleted'] ?? 0) + Number(answer['Number Not Found'] ?? 0));
}
