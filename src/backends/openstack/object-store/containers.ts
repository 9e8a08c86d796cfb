// Containers: list (with one container's details when asked by name), create with ACLs/metadata/quota, update,
// and delete, which empties the container first when asked and says how far it got.
import { delay } from 'abort-controller-x';
import { OaktreeError } from '../../../core/errors.ts';
import type {
  Container,
  CreateContainerRequest,
  CreateContainerResponse,
  DeleteContainerRequest,
  DeleteContainerResponse,
  ListContainersRequest,
  UpdateContainerRequest,
} from '../../../gen/oaktree/v1/object_store.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, isNotFound } from '../transport/index.ts';
import { deleteAll } from './delete.ts';
import { checkMetadataLimits } from './metadata-limits.ts';
import {
  containerFromListing,
  containerPath,
  encodeMeta,
  headContainer,
  listing,
  notFound,
  PUBLIC_READ_ACL,
  swift,
} from './swift.ts';

/** How many times (every 500 ms) a just-emptied container's DELETE is retried while Swift still counts objects. */
const EMPTIED_RETRIES = 20;

export async function* listContainers(
  ctx: RegionContext,
  request: ListContainersRequest,
  signal: AbortSignal,
): AsyncGenerator<Container> {
  if (request.nameOrId) {
    try {
      yield await headContainer(ctx, request.nameOrId, signal);
    } catch (error) {
      if (!isNotFound(error)) throw error; // not here: nothing to list at this location
    }
    return;
  }
  for await (const raw of listing(ctx, '', { prefix: request.prefix || undefined }, signal)) {
    yield containerFromListing(raw, ctx.location);
  }
}

function settingHeaders(request: CreateContainerRequest | UpdateContainerRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.metadata)) headers[`x-container-meta-${key}`] = encodeMeta(value);
  const readAcl = request.readAcl ?? undefined;
  if (readAcl) headers['x-container-read'] = readAcl;
  else if (request.publicRead) headers['x-container-read'] = PUBLIC_READ_ACL;
  else if (readAcl === '' || request.publicRead === false) headers['x-remove-container-read'] = 'x';
  if (request.writeAcl) headers['x-container-write'] = request.writeAcl;
  else if (request.writeAcl === '') headers['x-remove-container-write'] = 'x';
  for (const [field, name] of [
    ['quotaBytes', 'quota-bytes'],
    ['quotaCount', 'quota-count'],
  ] as const) {
    const value = request[field];
    if (value) headers[`x-container-meta-${name}`] = String(value);
    else if (value === 0n) headers[`x-remove-container-meta-${name}`] = 'x';
  }
  return headers;
}

export async function createContainer(
  ctx: RegionContext,
  request: CreateContainerRequest,
  signal: AbortSignal,
): Promise<CreateContainerResponse> {
  await checkMetadataLimits(ctx, request.metadata, 'metadata', signal);
  const headers = settingHeaders(request);
  // A create has nothing to remove; the private default is simply not setting the ACLs.
  for (const key of Object.keys(headers)) if (key.startsWith('x-remove-')) delete headers[key];
  const res = await swift(ctx, { method: 'PUT', path: containerPath(request.name), headers, signal });
  return { container: await headContainer(ctx, request.name, signal), created: res.status === 201 };
}

export async function updateContainer(
  ctx: RegionContext,
  request: UpdateContainerRequest,
  signal: AbortSignal,
): Promise<Container> {
  await checkMetadataLimits(ctx, request.metadata, 'metadata', signal);
  const headers = settingHeaders(request);
  for (const key of request.removeMetadata) headers[`x-remove-container-meta-${key}`] = 'x';
  await swift(ctx, { method: 'POST', path: containerPath(request.container), headers, signal }).catch((error) => {
    throw isNotFound(error) ? notFound(`container "${request.container}"`, ctx) : error;
  });
  return headContainer(ctx, request.container, signal);
}

export async function* deleteContainer(
  ctx: RegionContext,
  request: DeleteContainerRequest,
  signal: AbortSignal,
): AsyncGenerator<DeleteContainerResponse> {
  const name = request.container;
  const progress = (objectsDeleted: bigint, done: boolean): DeleteContainerResponse => ({
    location: ctx.location,
    container: name,
    objectsDeleted,
    done,
  });
  let total = 0n;
  if (request.emptyFirst) {
    for await (total of deleteAll(ctx, name, '', signal)) yield progress(total, false);
  }
  try {
    await deleteEmptied(ctx, name, request.emptyFirst, signal);
  } catch (error) {
    if (isNotFound(error)) throw notFound(`container "${name}"`, ctx);
    if ((error as { status?: number }).status === 409) {
      const held = await headContainer(ctx, name, signal).catch(() => undefined);
      throw new OaktreeError(
        GrpcStatus.FAILED_PRECONDITION,
        `container "${name}" is not empty${held ? ` (${held.objectCount} objects)` : ''}: delete its objects first, or set empty_first`,
      );
    }
    throw error;
  }
  yield progress(total, true);
}

/** Swift counts a container's objects asynchronously: right after emptying it, a DELETE may still see some. */
async function deleteEmptied(ctx: RegionContext, name: string, emptied: boolean, signal: AbortSignal) {
  for (let attempt = 0; ; attempt++) {
    try {
      await swift(ctx, { method: 'DELETE', path: containerPath(name), signal });
      return;
    } catch (error) {
      const conflict = (error as { status?: number }).status === 409;
      if (!conflict || !emptied || attempt >= EMPTIED_RETRIES) throw error;
      await delay(signal, 500);
    }
  }
}
