// UploadObject: one client stream (header, then chunks) into Swift at one or more locations of this cloud.
// Each location gets one PUT at a time fed through a small buffer with backpressure, so memory stays at a few MiB
// whatever the size. Data larger than the segment size goes into "<container>_segments" as segments of that size,
// each checked against the md5 Swift answers with, then a static large object manifest is written under the
// object's name. A declared size or md5 that does not match, a failing segment, or a client that goes away
// removes every segment written and leaves the object as it was.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { Status } from 'nice-grpc-common';
import type { CallContext } from '../../../core/call-context.ts';
import { OaktreeError, toStatus } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { MAX_CONTAINER_NAME_BYTES, MAX_OBJECT_NAME_BYTES } from '../../../core/object-names.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type {
  UploadObjectHeader,
  UploadObjectRequest,
  UploadObjectResponse,
  UploadObjectResult,
} from '../../../gen/oaktree/v1/object_store.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { checkMetadataLimits } from './metadata-limits.ts';
import { GrpcStatus } from '../transport/index.ts';
import {
  containerPath,
  encodeMeta,
  header as headerOf,
  headObject,
  objectPath,
  seg,
  swift,
  swiftInfo,
} from './swift.ts';

/** Segment size when the header names none (capped by the cloud's max object size). */
export const DEFAULT_SEGMENT_BYTES = 1024 ** 3;
/** The object metadata key that carries the request id, so a retried upload finds the first one. */
export const REQUEST_ID_META = 'oaktree-request-id';
/** Bytes buffered per location between the client and Swift. */
const BUFFER_BYTES = 1024 * 1024;
const CLEANUP_TIMEOUT_MS = 15_000;

const invalid = (message: string) => new OaktreeError(GrpcStatus.INVALID_ARGUMENT, message);
const dataLoss = (message: string) => new OaktreeError(GrpcStatus.DATA_LOSS, message);

interface Segment {
  path: string;
  etag: string;
  size: number;
}

/** One PUT in progress: its body, its md5 so far (segments only), and its answer. */
interface Put {
  container: string;
  name: string;
  body: PassThrough;
  /** A plain object's md5 is the whole upload's, checked in finish(): hashing it twice would cost CPU per byte. */
  md5?: Hash;
  bytes: number;
  /** Swift's answer headers; never rejects (see ObjectWriter.failure). */
  settled: Promise<IncomingHttpHeaders | undefined>;
}

function failedResult(target: Location, error: unknown): UploadObjectResult {
  const { code, message } = toStatus(error);
  return {
    location: target,
    object: undefined,
    error: { location: target, code, message },
    bytesStored: 0n,
    segments: 0,
  };
}

/** The metadata an upload sets: the client's, and the request id. */
const userMetadata = (header: UploadObjectHeader): Record<string, string> =>
  header.requestId ? { ...header.metadata, [REQUEST_ID_META]: header.requestId } : header.metadata;

/** The object's own headers: type, metadata (with the request id), expiry. */
function objectHeaders(header: UploadObjectHeader): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': header.contentType || 'application/octet-stream' };
  for (const [key, value] of Object.entries(userMetadata(header))) headers[`x-object-meta-${key}`] = encodeMeta(value);
  if (header.deleteAfterSeconds > 0n) headers['x-delete-after'] = String(header.deleteAfterSeconds);
  return headers;
}

/** Where segments go: "<container>_segments", or a hash of the container's name when that would be too long. */
function segmentContainerOf(container: string): string {
  const readable = `${container}_segments`;
  return Buffer.byteLength(readable) <= MAX_CONTAINER_NAME_BYTES
    ? readable
    : `${createHash('sha256').update(container).digest('hex')}_segments`;
}

/** One location's upload. */
class ObjectWriter {
  failure?: unknown;
  readonly segments: Segment[] = [];
  /** The object (a manifest over the segments, when segmented) is written: its segments are no longer ours to remove. */
  #stored = false;
  #current?: Put;
  readonly #segmentContainer: string;
  readonly #segmentPrefix: string;

  constructor(
    readonly ctx: RegionContext,
    readonly target: Location,
    readonly header: UploadObjectHeader,
    readonly segmentSize: number,
    /** The most segments one static large object may have here (/info). */
    readonly maxSegments: number,
    /** One plain PUT (the declared size fits one segment); otherwise segments. */
    readonly plain: boolean,
    readonly signal: AbortSignal,
  ) {
    this.#segmentContainer = segmentContainerOf(header.container);
    const uploadId = `${Date.now()}-${randomBytes(4).toString('hex')}`;
    const readable = `${header.name}/${uploadId}/`;
    this.#segmentPrefix =
      Buffer.byteLength(readable) + 8 <= MAX_OBJECT_NAME_BYTES
        ? readable
        : `${createHash('sha256').update(header.name).digest('hex')}/${uploadId}/`;
  }

  #open(container: string, name: string, headers: Record<string, string>): Put {
    const body = new PassThrough({ highWaterMark: BUFFER_BYTES });
    const md5 = this.plain ? undefined : createHash('md5');
    const put: Put = { container, name, body, md5, bytes: 0, settled: Promise.resolve(undefined) };
    put.settled = swift(this.ctx, {
      method: 'PUT',
      path: objectPath(container, name),
      rawBody: body,
      headers,
      signal: this.signal,
    }).then(
      (res) => res.headers,
      (error) => {
        this.failure ??= error;
        body.destroy();
        return undefined;
      },
    );
    return put;
  }

  async start(): Promise<void> {
    if (this.plain) {
      const headers = objectHeaders(this.header);
      // Swift reads exactly this many bytes and checks the md5 itself: a short or wrong body is never stored.
      headers['content-length'] = String(this.header.sizeBytes);
      if (this.header.md5) headers.etag = this.header.md5.toLowerCase();
      this.#current = this.#open(this.header.container, this.header.name, headers);
      return;
    }
    await swift(this.ctx, { method: 'PUT', path: containerPath(this.#segmentContainer), signal: this.signal });
    this.#nextSegment();
  }

  #nextSegment(): void {
    const name = `${this.#segmentPrefix}${String(this.segments.length + 1).padStart(8, '0')}`;
    const headers: Record<string, string> = {};
    // Segments expire with their object.
    if (this.header.deleteAfterSeconds > 0n) headers['x-delete-after'] = String(this.header.deleteAfterSeconds);
    this.#current = this.#open(this.#segmentContainer, name, headers);
  }

  /** Ends the current PUT and checks that Swift stored what was sent. */
  async #close(): Promise<void> {
    const put = this.#current!;
    put.body.end();
    const headers = await put.settled;
    if (this.failure || !headers) throw this.failure;
    if (!put.md5) return;
    const sent = put.md5.digest('hex');
    const stored = (headerOf(headers, 'etag') ?? '').replace(/"/g, '');
    if (stored && stored !== sent)
      throw dataLoss(`Swift stored md5 ${stored} for a segment oaktree sent with md5 ${sent}`);
    this.segments.push({ path: `/${put.container}/${put.name}`, etag: sent, size: put.bytes });
  }

  async write(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0 && !this.failure) {
      const put = this.#current!;
      if (!this.plain && put.bytes >= this.segmentSize) {
        await this.#close();
        // A declared size was checked up front; data of unknown size is stopped at the cloud's segment limit.
        if (this.segments.length >= this.maxSegments)
          throw new OaktreeError(
            GrpcStatus.FAILED_PRECONDITION,
            `the data is more than ${this.maxSegments} segments of ${this.segmentSize} bytes, the most one object at ${describeLocation(this.ctx.location)} may have: raise segment_size_bytes`,
          );
        this.#nextSegment();
        continue;
      }
      const piece = this.plain ? rest : rest.subarray(0, this.segmentSize - put.bytes);
      rest = rest.subarray(piece.length);
      put.md5?.update(piece);
      put.bytes += piece.length;
      this.ctx.session.transferred('object', 'upload', piece.length);
      if (put.body.write(piece)) continue;
      const stop = new AbortController();
      try {
        await Promise.race([once(put.body, 'drain', { signal: stop.signal }).catch(() => undefined), put.settled]);
      } finally {
        stop.abort();
      }
    }
  }

  async finish(sent: { size: bigint; md5: string }): Promise<UploadObjectResult> {
    if (this.header.sizeBytes > 0n && this.header.sizeBytes !== sent.size)
      throw dataLoss(`the data is ${sent.size} bytes, the header said ${this.header.sizeBytes}`);
    if (this.header.md5 && this.header.md5.toLowerCase() !== sent.md5)
      throw dataLoss(`the md5 of the data is ${sent.md5}, the header said ${this.header.md5}`);
    await this.#close();
    const { container, name } = this.header;
    if (this.plain) {
      this.#stored = true; // #close() has Swift's answer to the one PUT
    } else if (this.segments.length === 1) {
      // It fitted one segment after all (size not declared): a server-side copy makes it a plain object.
      await swift(this.ctx, {
        method: 'PUT',
        path: objectPath(container, name),
        rawBody: Buffer.alloc(0),
        headers: { ...objectHeaders(this.header), 'x-copy-from': this.#segmentUrl(this.segments[0]) },
        signal: this.signal,
      });
      this.#stored = true;
      await this.removeSegments(this.signal);
    } else {
      const manifest = this.segments.map((s) => ({ path: s.path, etag: s.etag, size_bytes: s.size }));
      await swift(this.ctx, {
        method: 'PUT',
        path: objectPath(container, name),
        query: { 'multipart-manifest': 'put' },
        rawBody: Buffer.from(JSON.stringify(manifest)),
        headers: objectHeaders(this.header),
        signal: this.signal,
      });
      this.#stored = true;
    }
    const object = await headObject(this.ctx, container, name, this.signal).catch((error) => {
      throw new OaktreeError(
        GrpcStatus.UNAVAILABLE,
        `the object was written but reading it back failed (${toStatus(error).message}): it may exist; GetObject says whether it does`,
      );
    });
    if (!object.isLargeObject && object.etag && object.etag !== sent.md5)
      throw dataLoss(`Swift stored md5 ${object.etag}, oaktree sent ${sent.md5}`);
    return {
      location: this.target,
      object,
      error: undefined,
      bytesStored: object.sizeBytes,
      segments: object.isLargeObject ? this.segments.length : 0,
    };
  }

  #segmentUrl(segment: Segment): string {
    const [, container, ...name] = segment.path.split('/');
    return `/${seg(container)}/${seg(name.join('/'))}`;
  }

  async removeSegments(signal: AbortSignal): Promise<number> {
    let left = 0;
    for (const segment of this.segments.splice(0)) {
      await swift(this.ctx, { method: 'DELETE', path: this.#segmentUrl(segment), signal }).catch(() => {
        left += 1;
      });
    }
    return left;
  }

  /** Stops the PUT in flight (Swift stores nothing of it) and removes the segments written. */
  async discard(why: unknown): Promise<UploadObjectResult> {
    // With an error, so the HTTP request is torn down now (a plain destroy only closes the body, and the PUT would
    // wait for bytes until the cloud's timeout).
    this.#current?.body.destroy(new Error('upload stopped'));
    await this.#current?.settled;
    // Under a written manifest the segments are the object's bytes: they stay.
    if (this.#stored) return failedResult(this.target, why);
    const written = this.segments.length;
    const left = await this.removeSegments(AbortSignal.timeout(CLEANUP_TIMEOUT_MS)).catch(() => written);
    const { code, message } = toStatus(why);
    const note = written
      ? left
        ? `; ${left} of ${written} segments in container "${this.#segmentContainer}" could not be removed (prefix "${this.#segmentPrefix}")`
        : `; the ${written} segments written were removed`
      : '';
    return failedResult(this.target, new OaktreeError(code, `${message}${note}`));
  }
}

type Prepared = { kind: 'writer'; writer: ObjectWriter } | { kind: 'done'; result: UploadObjectResult };

async function prepare(
  resolve: RegionResolver,
  header: UploadObjectHeader,
  target: Location,
  signal: AbortSignal,
): Promise<Prepared> {
  const ctx = await resolve(target);
  const info = await swiftInfo(ctx, signal);
  await checkMetadataLimits(ctx, userMetadata(header), 'header.metadata', signal);
  const segmentSize = Number(header.segmentSizeBytes) || Math.min(DEFAULT_SEGMENT_BYTES, info.maxFileSize);
  const where = describeLocation(ctx.location);
  if (segmentSize > info.maxFileSize)
    throw invalid(
      `segment_size_bytes ${segmentSize} is above the largest object ${where} stores (${info.maxFileSize})`,
    );
  const declared = Number(header.sizeBytes);
  if (declared > segmentSize && !info.slo)
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `${where} has no static large objects, and ${declared} bytes are more than one object of ${segmentSize}`,
    );
  if (declared > segmentSize * info.maxManifestSegments)
    throw new OaktreeError(
      GrpcStatus.FAILED_PRECONDITION,
      `${declared} bytes need more than the ${info.maxManifestSegments} segments ${where} allows: raise segment_size_bytes`,
    );
  if (header.requestId) {
    const earlier = await headObject(ctx, header.container, header.name, signal).catch(() => undefined);
    if (earlier?.metadata[REQUEST_ID_META] === header.requestId)
      return {
        kind: 'done',
        result: {
          location: ctx.location,
          object: earlier,
          error: undefined,
          bytesStored: earlier.sizeBytes,
          segments: 0,
        },
      };
  }
  // The container is created when missing (as openstacksdk's create_object does); an existing one is left as is.
  await swift(ctx, { method: 'PUT', path: containerPath(header.container), signal });
  const writer = new ObjectWriter(
    ctx,
    ctx.location,
    header,
    segmentSize,
    info.maxManifestSegments,
    declared > 0 && declared <= segmentSize,
    signal,
  );
  await writer.start();
  return { kind: 'writer', writer };
}

export async function uploadObject(
  resolve: RegionResolver,
  requests: AsyncIterable<UploadObjectRequest>,
  targets: readonly Location[],
  call: CallContext,
): Promise<UploadObjectResponse> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = !first.done && first.value.part?.$case === 'header' ? first.value.part.value : undefined;
  if (!header) throw invalid('the first UploadObject message must be the header');

  const prepared = await Promise.all(
    targets.map((target) =>
      prepare(resolve, header, target, call.signal).catch(
        (error): Prepared => ({ kind: 'done', result: failedResult(target, error) }),
      ),
    ),
  );
  const results = new Map<Location, UploadObjectResult>();
  const writers = new Map<ObjectWriter, Location>();
  prepared.forEach((p, i) =>
    p.kind === 'done' ? results.set(targets[i], p.result) : writers.set(p.writer, targets[i]),
  );
  const answer = (bytesReceived: bigint): UploadObjectResponse => {
    const list = targets.map((t) => results.get(t)!);
    if (targets.length === 1 && list[0].error) throw new OaktreeError(list[0].error.code, list[0].error.message);
    return { results: list, bytesReceived };
  };
  const live = () => [...writers.keys()].filter((w) => !results.has(writers.get(w)!));
  const settle = async (w: ObjectWriter, outcome: Promise<UploadObjectResult>) =>
    results.set(writers.get(w)!, await outcome.catch((error) => w.discard(error)));

  const md5 = createHash('md5');
  let received = 0n;
  try {
    while (live().length > 0) {
      const next = await iterator.next();
      if (next.done) break;
      const part = next.value.part;
      if (part?.$case !== 'chunk')
        throw invalid('only the first UploadObject message may be a header; send chunks after it');
      const chunk = Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value);
      md5.update(chunk);
      received += BigInt(chunk.length);
      if (header.sizeBytes > 0n && received > header.sizeBytes)
        throw dataLoss(`the data is more than the ${header.sizeBytes} bytes the header said`);
      await Promise.all(live().map((w) => w.write(chunk).catch((error) => void (w.failure ??= error))));
      for (const w of live()) if (w.failure) await settle(w, Promise.reject(w.failure));
    }
  } catch (error) {
    // The client went away, sent garbage, or the call was cancelled: no location keeps a segment.
    const why = call.signal.aborted ? new OaktreeError(Status.CANCELLED, 'the upload was cancelled') : error;
    const outcomes = await Promise.all(live().map((w) => w.discard(why)));
    const { code, message } = toStatus(why, call.signal);
    if (outcomes.length === 1) throw new OaktreeError(code, outcomes[0].error!.message);
    const notes = outcomes.map((o) => `${describeLocation(o.location!)}: ${o.error!.message}`);
    throw new OaktreeError(code, outcomes.length ? `the upload stopped (${message}): ${notes.join('; ')}` : message);
  }
  const sent = { size: received, md5: md5.digest('hex') };
  await Promise.all(live().map((w) => settle(w, w.finish(sent))));
  return answer(received);
}
