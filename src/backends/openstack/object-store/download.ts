// DownloadObject: the object first, then its bytes (or a range of them) in chunks of 256 KiB read from
// Swift's GET as the client takes them, then a trailer. A whole plain object's bytes must hash to its etag, or the
// stream ends with DATA_LOSS instead of a trailer.
import { createHash } from 'node:crypto';
import { OaktreeError } from '../../../core/errors.ts';
import { type DownloadObjectRequest, DownloadObjectResponse } from '../../../gen/oaktree/v1/object_store.ts';
import { keepWireBytes } from '../../../core/wire-bytes.ts';
import { chunkTagOf, encodedChunks } from '../../../wire/message-encoding.ts';
import { MAX_CHUNK } from '../image/download.ts';
import type { RegionContext } from '../region.ts';
import { announcedLength, GrpcStatus, isNotFound } from '../transport/index.ts';
import { getObject } from './objects.ts';
import { objectFromHead, objectPath, swift } from './swift.ts';

const CHUNK_TAG = chunkTagOf(DownloadObjectResponse)!;

export async function* downloadObject(
  ctx: RegionContext,
  request: DownloadObjectRequest,
  signal: AbortSignal,
): AsyncGenerator<DownloadObjectResponse> {
  const { container, name } = request;
  const ranged = request.offset > 0n || request.length > 0n;
  const headers: Record<string, string> = {};
  if (ranged)
    headers.range = `bytes=${request.offset}-${request.length > 0n ? request.offset + request.length - 1n : ''}`;
  let res: Awaited<ReturnType<typeof swift>>;
  try {
    res = await swift(ctx, { method: 'GET', path: objectPath(container, name), headers, rawResponse: true, signal });
  } catch (error) {
    if (isNotFound(error)) await getObject(ctx, container, name, signal); // says whether object or container is missing
    if ((error as { status?: number }).status === 416)
      throw new OaktreeError(
        GrpcStatus.OUT_OF_RANGE,
        `offset ${request.offset} is past the end of object "${name}" in container "${container}"`,
      );
    throw error;
  }
  const stream = res.stream;
  try {
    const object = objectFromHead(container, name, res.headers, ctx.location);
    yield { part: { $case: 'object', value: object } };
    const md5 = createHash('md5');
    let size = 0;
    if (stream) {
      for await (const { payload, encoded } of encodedChunks(stream, CHUNK_TAG, MAX_CHUNK, announcedLength(res))) {
        md5.update(payload);
        size += payload.length;
        ctx.session.transferred('object', 'download', payload.length);
        yield keepWireBytes({ part: { $case: 'chunk', value: payload } }, encoded);
      }
    }
    const md5Hex = md5.digest('hex');
    // Only a whole plain object's etag is the md5 of its bytes (a large object's is the md5 of its segments' etags).
    const checkable = !ranged && !object.isLargeObject && /^[0-9a-f]{32}$/.test(object.etag);
    if (checkable && object.etag !== md5Hex)
      throw new OaktreeError(
        GrpcStatus.DATA_LOSS,
        `object "${name}" in container "${container}": the bytes received have md5 ${md5Hex}, its etag is ${object.etag}`,
      );
    if (!ranged && size !== Number(object.sizeBytes))
      throw new OaktreeError(
        GrpcStatus.DATA_LOSS,
        `object "${name}" in container "${container}": received ${size} bytes, Swift announced ${object.sizeBytes}`,
      );
    yield { part: { $case: 'trailer', value: { sizeBytes: BigInt(size), md5: md5Hex, etagVerified: checkable } } };
  } finally {
    stream?.destroy();
  }
}
