// DownloadImage: the image first, then its bytes as chunks of 256 KiB straight from Glance's
// GET /images/<id>/file (never the whole image in memory: the HTTP body is read as the client takes chunks),
// then a trailer with the size and checksums computed on the way.
import { createHash } from 'node:crypto';
import { OaktreeError } from '../../../core/errors.ts';
import { DownloadImageResponse } from '../../../gen/oaktree/v1/image.ts';
import { keepWireBytes } from '../../../core/wire-bytes.ts';
import { chunkTagOf, encodedChunks } from '../../../wire/message-encoding.ts';
import { normalizeImage } from '../normalize/image.ts';
import type { RegionContext } from '../region.ts';
import { announcedLength, GrpcStatus } from '../transport/index.ts';
import { findImageRaw } from './glance.ts';

/**
 * gRPC keeps about 16–32 messages of a stream in flight whatever their size (measured with nice-grpc: 1 MiB messages
 * held ~17–32 MiB, 256 KiB ones ~8 MiB, 64 KiB ones ~2 MiB), so the chunk size is what bounds memory per download.
 */
export const MAX_CHUNK = 256 * 1024;

const CHUNK_TAG = chunkTagOf(DownloadImageResponse)!;

export async function* downloadImage(
  ctx: RegionContext,
  nameOrId: string,
  signal: AbortSignal,
): AsyncGenerator<DownloadImageResponse> {
  const raw = await findImageRaw(ctx, nameOrId, signal);
  if (raw.status !== 'active') {
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `image ${raw.name ?? ''} (${raw.id}) is ${raw.status}, not active: it has no data to download`,
    );
  }
  const res = await ctx.session.request('image', ctx.region, {
    method: 'GET',
    path: `/images/${encodeURIComponent(String(raw.id))}/file`,
    rawResponse: true,
    signal,
  });
  const stream = res.stream;
  try {
    if (res.status === 204 || !stream) {
      throw new OaktreeError(
        GrpcStatus.FAILED_PRECONDITION,
        `image ${raw.id} has no data stored (Glance answered ${res.status})`,
      );
    }
    yield { part: { $case: 'image', value: normalizeImage(raw, ctx.location) } };
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    let size = 0;
    for await (const { payload, encoded } of encodedChunks(stream, CHUNK_TAG, MAX_CHUNK, announcedLength(res))) {
      md5.update(payload);
      sha256.update(payload);
      size += payload.length;
      ctx.session.transferred('image', 'download', payload.length);
      yield keepWireBytes({ part: { $case: 'chunk', value: payload } }, encoded);
    }
    const md5Hex = md5.digest('hex');
    // Glance records the md5 of what it stored: a different one means bytes were lost on the way.
    if (typeof raw.checksum === 'string' && raw.checksum && raw.checksum !== md5Hex) {
      throw new OaktreeError(
        GrpcStatus.DATA_LOSS,
        `image ${raw.id}: the bytes received have md5 ${md5Hex}, Glance recorded ${raw.checksum}`,
      );
    }
    if (typeof raw.size === 'number' && raw.size !== size) {
      throw new OaktreeError(
        GrpcStatus.DATA_LOSS,
        `image ${raw.id}: received ${size} bytes, Glance recorded ${raw.size}`,
      );
    }
    yield { part: { $case: 'trailer', value: { sizeBytes: BigInt(size), md5: md5Hex, sha256: sha256.digest('hex') } } };
  } finally {
    stream?.destroy();
  }
}
