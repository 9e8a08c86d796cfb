// UploadImage: one client stream (header, then chunks) into Glance at one or more locations of this cloud.
// For each location: refuse a format Glance does not accept before anything exists; find an earlier upload with the
// same request_id; create the image record; stream the chunks into PUT /images/<id>/file with backpressure (a slow
// location slows the client down, memory stays at a few MiB whatever the size); verify size and checksums; delete
// the image on any failure and say so.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { Status } from 'nice-grpc-common';
import { OaktreeError, toStatus } from '../../../core/errors.ts';
import type {
  UploadImageHeader,
  UploadImageRequest,
  UploadImageResponse,
  UploadImageResult,
} from '../../../gen/oaktree/v1/image.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { describeLocation } from '../../../core/location.ts';
import type { CallContext } from '../../../core/call-context.ts';
import { glanceVisibilityWord, normalizeImage } from '../normalize/image.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { acceptedFormats, formatProblem } from './formats.ts';
import { deleteImageQuietly, glanceGet, glanceList } from './glance.ts';
import { checkGlanceDirect, importStaged, usesStagedUpload } from './staged-upload.ts';

/** The image property that carries the request id, so a retried upload finds the first one. */
export const REQUEST_ID_PROPERTY = 'oaktree_request_id';
/** Bytes buffered per location between the client and Glance. */
const BUFFER_BYTES = 1024 * 1024;
const CLEANUP_TIMEOUT_MS = 15_000;

const invalid = (message: string) => new OaktreeError(GrpcStatus.INVALID_ARGUMENT, message);

/** One location's upload in progress. */
interface Sink {
  ctx: RegionContext;
  target: Location;
  imageId: string;
  body: PassThrough;
  /** Settles when Glance answered the PUT; never rejects (see `failure`). */
  settled: Promise<void>;
  /** The bytes go to /stage and are imported afterwards (clouds that require the task API). */
  staged: boolean;
  failure?: unknown;
}

type Prepared = { kind: 'sink'; sink: Sink } | { kind: 'done'; result: UploadImageResult };

function failedResult(target: Location, error: unknown, bytesStored = 0n): UploadImageResult {
  const { code, message } = toStatus(error);
  return { location: target, image: undefined, error: { location: target, code, message }, bytesStored };
}

async function createRecord(
  ctx: RegionContext,
  header: UploadImageHeader,
  disk: string,
  container: string,
  signal: AbortSignal,
): Promise<string> {
  const body: Record<string, unknown> = {
    ...header.properties,
    name: header.name,
    disk_format: disk,
    container_format: container,
  };
  const visibility = glanceVisibilityWord(header.visibility);
  if (visibility) body.visibility = visibility;
  if (header.minDiskGb) body.min_disk = header.minDiskGb;
  if (header.minRamMb) body.min_ram = header.minRamMb;
  if (header.tags.length) body.tags = header.tags;
  if (header.requestId) body[REQUEST_ID_PROPERTY] = header.requestId;
  const res = await ctx.session.request('image', ctx.region, { method: 'POST', path: '/images', body, signal });
  return String((res.body as { id: string }).id);
}

/** An earlier upload with this request id: reused when active, cleared away when it never got its data. */
async function earlierUpload(
  ctx: RegionContext,
  requestId: string,
  signal: AbortSignal,
): Promise<UploadImageResult | undefined> {
  for await (const raw of glanceList(ctx, { [REQUEST_ID_PROPERTY]: requestId }, signal)) {
    if (raw[REQUEST_ID_PROPERTY] !== requestId) continue;
    if (raw.status === 'active') {
      return {
        location: ctx.location,
        image: normalizeImage(raw, ctx.location),
        error: undefined,
        bytesStored: BigInt(Number(raw.size ?? 0)),
      };
    }
    if (raw.status === 'saving' || raw.status === 'importing' || raw.status === 'uploading') {
      throw new OaktreeError(
        GrpcStatus.ABORTED,
        `an upload with request_id "${requestId}" is still in progress (image ${raw.id}); try again when it is done`,
      );
    }
    await deleteImageQuietly(ctx, String(raw.id), signal);
  }
  return undefined;
}

async function prepare(
  resolve: RegionResolver,
  header: UploadImageHeader,
  target: Location,
  signal: AbortSignal,
): Promise<Prepared> {
  const ctx = await resolve(target);
  const disk = (header.diskFormat || ctx.regionConfig.imageFormat || 'qcow2').toLowerCase();
  const container = (header.containerFormat || 'bare').toLowerCase();
  const problem = formatProblem(await acceptedFormats(ctx, signal), disk, container, describeLocation(ctx.location));
  if (problem) throw new OaktreeError(GrpcStatus.FAILED_PRECONDITION, problem);
  const staged = usesStagedUpload(ctx, header.uploadMethod ?? '');
  if (staged) await checkGlanceDirect(ctx, signal);
  if (header.requestId) {
    const earlier = await earlierUpload(ctx, header.requestId, signal);
    if (earlier) return { kind: 'done', result: earlier };
  }
  const imageId = await createRecord(ctx, header, disk, container, signal);
  const body = new PassThrough({ highWaterMark: BUFFER_BYTES });
  const sink: Sink = { ctx, target: ctx.location, imageId, body, settled: Promise.resolve(), staged };
  sink.settled = ctx.session
    .request('image', ctx.region, {
      method: 'PUT',
      path: `/images/${encodeURIComponent(imageId)}/${staged ? 'stage' : 'file'}`,
      rawBody: body,
      signal,
    })
    .then(
      () => undefined,
      (error) => {
        sink.failure ??= error;
        body.destroy();
      },
    );
  return { kind: 'sink', sink };
}

/** Writes a chunk, waiting for the location to take it when its buffer is full. */
async function write(sink: Sink, chunk: Buffer): Promise<void> {
  if (sink.failure || sink.body.destroyed) return;
  sink.ctx.session.transferred('image', 'upload', chunk.length);
  if (sink.body.write(chunk)) return;
  const stop = new AbortController();
  try {
    await Promise.race([once(sink.body, 'drain', { signal: stop.signal }).catch(() => undefined), sink.settled]);
  } finally {
    stop.abort();
  }
}

async function discard(sink: Sink, why: unknown): Promise<UploadImageResult> {
  sink.body.destroy();
  await sink.settled;
  const deleted = await deleteImageQuietly(sink.ctx, sink.imageId, AbortSignal.timeout(CLEANUP_TIMEOUT_MS));
  const { code, message } = toStatus(why);
  const note = deleted
    ? `; the partial image ${sink.imageId} was deleted`
    : `; the partial image ${sink.imageId} could not be deleted: delete it by hand`;
  return failedResult(sink.target, new OaktreeError(code, `${message}${note}`));
}

/** What the node streamed to Glance; a digest only where the node had to compute it (see uploadImage). */
interface SentBytes {
  size: bigint;
  md5?: string;
  sha256?: string;
}

/** After the data went in: Glance's view must agree with what the client sent and what it declared. */
async function finish(
  sink: Sink,
  header: UploadImageHeader,
  sent: SentBytes,
  signal: AbortSignal,
): Promise<UploadImageResult> {
  await sink.settled;
  if (sink.failure) return discard(sink, sink.failure);
  if (sink.staged) await importStaged(sink.ctx, sink.imageId, signal);
  const raw = await glanceGet(sink.ctx, sink.imageId, signal);
  if (!raw)
    return failedResult(
      sink.target,
      new OaktreeError(GrpcStatus.ABORTED, `image ${sink.imageId} disappeared during the upload`),
    );
  const mismatch = (what: string, declared: string, got: string) =>
    new OaktreeError(GrpcStatus.DATA_LOSS, `the ${what} of the data ${declared} ${got}`);
  const stored = typeof raw.checksum === 'string' ? raw.checksum.toLowerCase() : '';
  const declared = header.md5.toLowerCase();
  let problem: OaktreeError | undefined;
  if (header.sizeBytes > 0n && header.sizeBytes !== sent.size)
    problem = mismatch('size', `is ${sent.size} bytes, the header said`, String(header.sizeBytes));
  else if (declared && stored && stored !== declared)
    problem = mismatch('md5', `stored by Glance is ${stored}, the header said`, header.md5);
  else if (declared && !stored)
    problem = new OaktreeError(
      GrpcStatus.DATA_LOSS,
      'Glance reported no checksum for the image, so the md5 the header declared could not be verified',
    );
  else if (header.sha256 && header.sha256.toLowerCase() !== sent.sha256)
    problem = mismatch('sha256', `is ${sent.sha256}, the header said`, header.sha256);
  else if (!declared && stored && sent.md5 && stored !== sent.md5)
    problem = mismatch('md5', `stored by Glance is ${stored}, oaktree sent`, sent.md5);
  else if (raw.status !== 'active')
    problem = new OaktreeError(GrpcStatus.ABORTED, `Glance left the image ${raw.status} after the upload`);
  if (problem) return discard(sink, problem);
  return {
    location: sink.target,
    image: normalizeImage(raw, sink.ctx.location),
    error: undefined,
    bytesStored: BigInt(Number(raw.size ?? sent.size)),
  };
}

export async function uploadImage(
  resolve: RegionResolver,
  requests: AsyncIterable<UploadImageRequest>,
  targets: readonly Location[],
  call: CallContext,
): Promise<UploadImageResponse> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = !first.done && first.value.part?.$case === 'header' ? first.value.part.value : undefined;
  // Its properties were checked by the method table (src/core/image-rules.ts): none poses as a Glance field.
  if (!header) throw invalid('the first UploadImage message must be the header');

  const prepared = await Promise.all(
    targets.map((target) =>
      prepare(resolve, header, target, call.signal).catch(
        (error): Prepared => ({ kind: 'done', result: failedResult(target, error) }),
      ),
    ),
  );
  const results = new Map<Location, UploadImageResult>();
  const sinks: Sink[] = [];
  prepared.forEach((p, i) => (p.kind === 'done' ? results.set(targets[i], p.result) : sinks.push(p.sink)));
  const single = targets.length === 1;
  const answer = (bytesReceived: bigint): UploadImageResponse => {
    const list = targets.map((t) => results.get(t)!);
    if (single && list[0].error) throw new OaktreeError(list[0].error.code, list[0].error.message);
    return { results: list, bytesReceived };
  };
  if (sinks.length === 0) return answer(0n);

  // Glance computes the md5 itself (its `checksum`): a declared md5 is checked against what Glance stored, so the
  // node hashes for md5 only when the client declared none, and for sha256 only when the client declared one. Each
  // hash costs the node about as much CPU as moving the bytes (0.3–0.4 s per 256 MiB here).
  const md5 = header.md5 ? undefined : createHash('md5');
  const sha256 = header.sha256 ? createHash('sha256') : undefined;
  let received = 0n;
  const live = () => sinks.filter((s) => !s.failure && !results.has(targetOf(s)));
  const targetOf = (s: Sink) => targets[prepared.findIndex((p) => p.kind === 'sink' && p.sink === s)];
  try {
    while (true) {
      const next = await iterator.next();
      if (next.done) break;
      const part = next.value.part;
      if (part?.$case !== 'chunk')
        throw invalid('only the first UploadImage message may be a header; send chunks after it');
      const chunk = Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value);
      md5?.update(chunk);
      sha256?.update(chunk);
      received += BigInt(chunk.length);
      await Promise.all(live().map((s) => write(s, chunk)));
      for (const s of sinks)
        if (s.failure && !results.has(targetOf(s))) results.set(targetOf(s), await discard(s, s.failure));
      // Nothing is listening any more: stop reading the client's bytes.
      if (live().length === 0) return answer(received);
    }
  } catch (error) {
    // The client went away, sent garbage, or the call was cancelled: no location keeps a half image.
    const why = call.signal.aborted ? new OaktreeError(Status.CANCELLED, 'the upload was cancelled') : error;
    const outcomes = await Promise.all(live().map((s) => discard(s, why)));
    const { code, message } = toStatus(why, call.signal);
    if (outcomes.length === 1) throw new OaktreeError(code, outcomes[0].error!.message);
    const notes = outcomes.map((o) => `${describeLocation(o.location)}: ${o.error!.message}`);
    throw new OaktreeError(code, outcomes.length ? `the upload stopped (${message}): ${notes.join('; ')}` : message);
  }
  for (const s of live()) s.body.end();
  const sent: SentBytes = { size: received, md5: md5?.digest('hex'), sha256: sha256?.digest('hex') };
  await Promise.all(
    live().map(async (s) => {
      results.set(targetOf(s), await finish(s, header, sent, call.signal).catch((error) => discard(s, error)));
    }),
  );
  return answer(received);
}
