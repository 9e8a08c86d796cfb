// Objects: list (prefix, delimiter, marker), metadata, server-side copy and metadata/expiry updates.
import type {
  CopyObjectRequest,
  ListObjectsRequest,
  StoredObject,
  UpdateObjectRequest,
} from '../../../gen/oaktree/v1/object_store.ts';
import type { RegionContext } from '../region.ts';
import { checkMetadataLimits } from './metadata-limits.ts';
import { isNotFound } from '../transport/index.ts';
import { encodeMeta, headObject, listing, notFound, objectFromListing, objectPath, seg, swift } from './swift.ts';

const objectWhat = (container: string, name: string) => `object "${name}" in container "${container}"`;

const containerThere = (ctx: RegionContext, container: string, signal: AbortSignal) =>
  swift(ctx, { method: 'HEAD', path: `/${seg(container)}`, signal, fresh: true }).then(
    () => true,
    () => false,
  );

/** NOT_FOUND that names what is missing: the object, or its container. */
async function missing(ctx: RegionContext, container: string, name: string, signal: AbortSignal) {
  return notFound(
    (await containerThere(ctx, container, signal)) ? objectWhat(container, name) : `container "${container}"`,
    ctx,
  );
}

export async function* listObjects(
  ctx: RegionContext,
  request: ListObjectsRequest,
  signal: AbortSignal,
): AsyncGenerator<StoredObject> {
  const query = {
    prefix: request.prefix || undefined,
    delimiter: request.delimiter || undefined,
    marker: request.marker || undefined,
  };
  try {
    for await (const raw of listing(ctx, `/${seg(request.container)}`, query, signal, request.limit))
      yield objectFromListing(request.container, raw, ctx.location);
  } catch (error) {
    throw isNotFound(error) ? notFound(`container "${request.container}"`, ctx) : error;
  }
}

export async function getObject(
  ctx: RegionContext,
  container: string,
  name: string,
  signal: AbortSignal,
): Promise<StoredObject> {
  try {
    return await headObject(ctx, container, name, signal);
  } catch (error) {
    throw isNotFound(error) ? await missing(ctx, container, name, signal) : error;
  }
}

export async function copyObject(
  ctx: RegionContext,
  request: CopyObjectRequest,
  signal: AbortSignal,
): Promise<StoredObject> {
  const destination = request.destinationContainer || request.container;
  const headers: Record<string, string> = {
    'x-copy-from': `/${seg(request.container)}/${seg(request.name)}`,
    'content-length': '0',
  };
  await checkMetadataLimits(ctx, request.metadata, 'metadata', signal);
  const metadata = Object.entries(request.metadata);
  if (metadata.length) {
    // Fresh metadata replaces the source's instead of merging with it.
    headers['x-fresh-metadata'] = 'true';
    for (const [key, value] of metadata) headers[`x-object-meta-${key}`] = encodeMeta(value);
  }
  try {
    await swift(ctx, {
      method: 'PUT',
      path: objectPath(destination, request.destinationName),
      rawBody: Buffer.alloc(0),
      headers,
      signal,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // Swift answers 404 alike for a missing source and a missing destination container.
    if (destination !== request.container && !(await containerThere(ctx, destination, signal)))
      throw notFound(`destination container "${destination}"`, ctx);
    throw await missing(ctx, request.container, request.name, signal);
  }
  return headObject(ctx, destination, request.destinationName, signal);
}

export async function updateObject(
  ctx: RegionContext,
  request: UpdateObjectRequest,
  signal: AbortSignal,
): Promise<StoredObject> {
  // A POST replaces all user metadata: merge with what is there so the keys not named stay.
  const current = await getObject(ctx, request.container, request.name, signal);
  const metadata = { ...current.metadata, ...request.metadata };
  for (const key of request.removeMetadata) delete metadata[key.toLowerCase()];
  // The POST carries every item the object keeps: the limits apply to all of them.
  await checkMetadataLimits(ctx, metadata, 'metadata', signal);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) headers[`x-object-meta-${key}`] = encodeMeta(value);
  headers['content-type'] = request.contentType || current.contentType;
  const after = request.deleteAfterSeconds;
  if (after !== undefined) {
    if (after > 0n) headers['x-delete-after'] = String(after);
    else headers['x-remove-delete-at'] = 'x';
  } else if (current.deleteAt) {
    headers['x-delete-at'] = String(Math.floor(current.deleteAt.getTime() / 1000));
  }
  await swift(ctx, { method: 'POST', path: objectPath(request.container, request.name), headers, signal });
  return headObject(ctx, request.container, request.name, signal);
}
