// Image bytes in and out as bounded chunks: a file, a buffer or any stream becomes upload chunks; a download goes
// to a file (written to a .partial name and renamed only when the checksums match) or to any writable stream.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { once } from 'node:events';

/** What to upload: a file path, the bytes themselves, or a stream of bytes (a Readable is one). */
export type ImageSource = string | Uint8Array | AsyncIterable<Uint8Array | string>;

/** Where a download goes: a file path, or a writable stream (not ended by oaktree). */
export type ImageSink = string | Writable;

export interface TransferProgress {
  /** Bytes sent or received so far. */
  bytes: number;
  /** The total, when known. */
  totalBytes?: number;
}

export const CHUNK_BYTES = 1024 * 1024;

/** Splits any byte source into chunks of at most CHUNK_BYTES, without reading more than one chunk ahead. */
export async function* chunksOf(source: ImageSource): AsyncGenerator<Uint8Array> {
  if (typeof source === 'string') {
    yield* rechunk(createReadStream(source, { highWaterMark: CHUNK_BYTES }));
  } else if (source instanceof Uint8Array) {
    for (let at = 0; at < source.length; at += CHUNK_BYTES) yield source.subarray(at, at + CHUNK_BYTES);
  } else {
    yield* rechunk(source);
  }
}

async function* rechunk(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) yield bytes.subarray(at, at + CHUNK_BYTES);
  }
}

/**
 * Size and SHA-256 of a file or buffer, so the node can verify what it stored; unknown for a stream. The caller
 * that already knows the SHA-256 passes `hash: false`: hashing a file means reading all of it before the upload.
 */
export async function describeSource(
  source: ImageSource,
  { hash: wanted = true } = {},
): Promise<{ size?: number; sha256?: string }> {
  if (source instanceof Uint8Array) {
    return { size: source.length, ...(wanted ? { sha256: createHash('sha256').update(source).digest('hex') } : {}) };
  }
  if (typeof source === 'string') {
    const info = await stat(source);
    if (!wanted) return { size: info.size };
    const hash = createHash('sha256');
    for await (const piece of createReadStream(source, { highWaterMark: CHUNK_BYTES })) hash.update(piece as Buffer);
    return { size: info.size, sha256: hash.digest('hex') };
  }
  return {};
}

/** Writes chunks to a sink; for a file, only a complete download with matching checksums gets the real name. */
export class DownloadWriter {
  private readonly out: Writable;
  private readonly md5 = createHash('md5');
  private readonly sha256 = createHash('sha256');
  bytes = 0;

  constructor(private readonly sink: ImageSink) {
    this.out = typeof sink === 'string' ? createWriteStream(`${sink}.partial`) : sink;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  digests(): { md5: string; sha256: string } {
    return { md5: this.md5.digest('hex'), sha256: this.sha256.digest('hex') };
  }

  async commit(): Promise<void> {
    if (typeof this.sink !== 'string') return;
    this.out.end();
    await once(this.out, 'finish');
    await rename(`${this.sink}.partial`, this.sink);
  }

  async discard(): Promise<void> {
    if (typeof this.sink !== 'string') return;
    this.out.destroy();
    await unlink(`${this.sink}.partial`).catch(() => {});
  }
}
