// Object bytes in and out for the SDK: an upload is a header then 1 MiB chunks of a file, buffer or stream (with
// its size and md5 when they can be known up front, so the node and the cloud verify them); a download goes to a
// file (a .partial name, renamed when complete) or a writable stream and is checked against the node's trailer.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Client } from 'nice-grpc';
import type { GrpcCallOptions } from './call-options.ts';
import { fromLocationError, OaktreeError, Status } from './errors.ts';
import { chunksOf, DownloadWriter, type ImageSink, type ImageSource, type TransferProgress } from './image-transfer.ts';
import type {
  ObjectStoreServiceDefinition,
  StoredObject,
  UploadObjectHeader,
  UploadObjectRequest,
} from '../gen/oaktree/v1/object_store.ts';

export type ObjectSource = ImageSource;
export type ObjectSink = ImageSink;

export interface UploadObjectOutcome {
  /** The object in each location that stored it. */
  objects: StoredObject[];
  /** Locations that failed. */
  errors: OaktreeError[];
  bytesSent: number;
}

export interface DownloadObjectOutcome {
  object: StoredObject;
  sizeBytes: number;
  md5: string;
}

/** Size and md5 of a file or buffer; unknown for a stream. */
async function describe(source: ObjectSource): Promise<{ size?: number; md5?: string }> {
  if (source instanceof Uint8Array) return { size: source.length, md5: createHash('md5').update(source).digest('hex') };
  if (typeof source === 'string') {
    const hash = createHash('md5');
    for await (const piece of createReadStream(source, { highWaterMark: 1 << 20 })) hash.update(piece as Buffer);
    return { size: (await stat(source)).size, md5: hash.digest('hex') };
  }
  return {};
}

export async function uploadObject(
  client: Client<typeof ObjectStoreServiceDefinition>,
  source: ObjectSource,
  header: Partial<UploadObjectHeader>,
  grpc: GrpcCallOptions,
  onProgress?: (progress: TransferProgress) => void,
  onError?: (error: OaktreeError) => void,
): Promise<UploadObjectOutcome> {
  // A caller that already knows both saves reading a file twice.
  const known = header.md5 && header.sizeBytes ? {} : await describe(source);
  const totalBytes = header.sizeBytes ? Number(header.sizeBytes) : known.size;
  const full: Partial<UploadObjectHeader> = {
    ...header,
    sizeBytes: BigInt(totalBytes ?? 0),
    md5: header.md5 || known.md5 || '',
  };
  let bytesSent = 0;
  async function* requests(): AsyncGenerator<Partial<UploadObjectRequest>> {
    yield { part: { $case: 'header', value: full as UploadObjectHeader } };
    for await (const chunk of chunksOf(source)) {
      yield { part: { $case: 'chunk', value: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) } };
      bytesSent += chunk.length;
      onProgress?.({ bytes: bytesSent, ...(totalBytes !== undefined ? { totalBytes } : {}) });
    }
  }
  const response = await client.uploadObject(requests() as AsyncIterable<any>, grpc);
  const objects: StoredObject[] = [];
  const errors: OaktreeError[] = [];
  for (const result of response.results) {
    if (result.object && !result.error) objects.push(result.object);
    else if (result.error) {
      const error = fromLocationError({ ...result.error, location: result.error.location ?? result.location });
      errors.push(error);
      onError?.(error);
    }
  }
  if (objects.length === 0 && errors.length > 0) throw errors[0];
  return { objects, errors, bytesSent };
}

export async function downloadObject(
  client: Client<typeof ObjectStoreServiceDefinition>,
  request: { location: any; container: string; name: string; offset?: bigint; length?: bigint },
  sink: ObjectSink,
  grpc: GrpcCallOptions,
  onProgress?: (progress: TransferProgress) => void,
): Promise<DownloadObjectOutcome> {
  const writer = new DownloadWriter(sink);
  let object: StoredObject | undefined;
  let trailer: { sizeBytes: bigint; md5: string } | undefined;
  try {
    for await (const response of client.downloadObject(request, grpc)) {
      const part = response.part;
      if (part?.$case === 'object') object = part.value;
      else if (part?.$case === 'chunk') {
        await writer.write(part.value as Uint8Array);
        const totalBytes = request.length ? Number(request.length) : object ? Number(object.sizeBytes) : 0;
        onProgress?.({ bytes: writer.bytes, ...(totalBytes ? { totalBytes } : {}) });
      } else if (part?.$case === 'trailer') trailer = part.value;
    }
    const { md5 } = writer.digests();
    if (!object) throw new OaktreeError(Status.INTERNAL, 'the node sent no object metadata');
    if (!trailer || BigInt(writer.bytes) !== trailer.sizeBytes || trailer.md5 !== md5)
      throw new OaktreeError(
        Status.DATA_LOSS,
        `received ${writer.bytes} bytes with md5 ${md5}, the node sent ${trailer?.sizeBytes ?? '?'} with ${trailer?.md5 ?? '?'}`,
      );
    await writer.commit();
    return { object, sizeBytes: writer.bytes, md5 };
  } catch (error) {
    await writer.discard();
    throw error;
  }
}
