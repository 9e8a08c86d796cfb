// The SDK's pure parts: selectors, enum words, errors, deadlines, chunking, and the watch's reconnect rules.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ClientError } from 'nice-grpc';
import { startCall } from '../../../src/client/call-options.ts';
import { fromLocationError, OaktreeError, Status, toOaktreeError } from '../../../src/client/errors.ts';
import { chunksOf, CHUNK_BYTES, describeSource } from '../../../src/client/image-transfer.ts';
import { parseServerStatus, serverStatusName } from '../../../src/client/names.ts';
import { toLocationSelector } from '../../../src/client/selector.ts';
import { watchServers } from '../../../src/client/watch.ts';
import {
  ServerEventType,
  ServerStatus,
  type WatchServersRequest,
  type WatchServersResponse,
} from '../../../src/gen/oaktree/v1/compute.ts';

describe('client parts', () => {
  it('selectors: empty fields mean any; a project string is a name', () => {
    assert.deepEqual(toLocationSelector(undefined), { cloud: '', region: '', zone: '', project: undefined });
    assert.deepEqual(toLocationSelector({ cloud: 'a', project: 'demo' }).project, {
      id: '',
      name: 'demo',
      domainId: '',
      domainName: '',
    });
  });

  it('server status words both ways, and a clear error for an unknown word', () => {
    assert.equal(serverStatusName(ServerStatus.SERVER_STATUS_ACTIVE), 'ACTIVE');
    assert.equal(parseServerStatus('active'), ServerStatus.SERVER_STATUS_ACTIVE);
    assert.throws(
      () => parseServerStatus('UNSPECIFIED'),
      /unknown server status "UNSPECIFIED": use one of BUILDING, ACTIVE/,
    );
  });

  it('errors carry the code, its name, the message and, in-band, the location', () => {
    const fromCall = toOaktreeError(
      new ClientError('/oaktree.v1.ComputeService/GetServer', Status.NOT_FOUND, 'no server x'),
    );
    assert.equal(fromCall.code, 5);
    assert.equal(fromCall.codeName, 'NOT_FOUND');
    assert.equal(fromCall.method, '/oaktree.v1.ComputeService/GetServer');
    assert.equal(String(fromCall), 'NOT_FOUND: no server x');
    assert.equal(fromCall.inBand, false);
    const inBand = fromLocationError({
      location: { cloud: 'c', region: 'r', zone: '', project: undefined },
      code: 14,
      message: 'down',
    });
    assert.equal(String(inBand), 'UNAVAILABLE: [c/r] down');
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    assert.equal(toOaktreeError(abort, { timedOut: true, timeoutMs: 5 }).codeName, 'DEADLINE_EXCEEDED');
    assert.equal(toOaktreeError(abort, { timedOut: false }).codeName, 'CANCELLED');
    assert.ok(toOaktreeError(new Error('boom')) instanceof OaktreeError);
  });

  it('a call signal fires on the timeout (and says so), or on the caller signal', async () => {
    const timed = startCall({ timeoutMs: 10 });
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve));
    assert.equal(timed.timedOut, true);
    const caller = new AbortController();
    const linked = startCall({ signal: caller.signal, timeoutMs: 10_000 });
    caller.abort();
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.timedOut, false);
    linked.done();
  });

  it('chunks any source into at most 1 MiB pieces, in order', async () => {
    const bytes = Buffer.alloc(CHUNK_BYTES * 2 + 10, 1);
    const sizes: number[] = [];
    for await (const chunk of chunksOf(bytes)) sizes.push(chunk.length);
    assert.deepEqual(sizes, [CHUNK_BYTES, CHUNK_BYTES, 10]);
    async function* stream() {
      yield Buffer.alloc(CHUNK_BYTES + 1);
      yield 'abc';
    }
    const streamed: number[] = [];
    for await (const chunk of chunksOf(stream())) streamed.push(chunk.length);
    assert.deepEqual(streamed, [CHUNK_BYTES, 1, 3]);
  });

  it('describes a file by size and SHA-256, and does not read it when the caller knows the SHA-256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oaktree-describe-'));
    try {
      const file = join(dir, 'image.raw');
      const bytes = Buffer.alloc(CHUNK_BYTES + 7, 3);
      await writeFile(file, bytes);
      assert.deepEqual(await describeSource(file), {
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
      assert.deepEqual(await describeSource(file, { hash: false }), { size: bytes.length });
      // A directory can be stat'ed but not read: only the hashing path fails on it.
      await assert.rejects(describeSource(dir), /EISDIR/);
      assert.ok((await describeSource(dir, { hash: false })).size !== undefined);
      assert.deepEqual(await describeSource(bytes, { hash: false }), { size: bytes.length });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('watch: reconnects after UNAVAILABLE with the last token; starts over after OUT_OF_RANGE', async () => {
    const requests: string[] = [];
    let calls = 0;
    const server = { id: 's1', name: 's1' } as never;
    const event = (token: string): WatchServersResponse => ({
      item: { $case: 'event', value: { type: ServerEventType.SERVER_EVENT_TYPE_MODIFIED, server } },
      resumeToken: token,
    });
    async function* open(request: Partial<WatchServersRequest>): AsyncGenerator<WatchServersResponse> {
      requests.push(request.resumeToken ?? '');
      calls++;
      if (calls === 1) {
        yield event('t1');
        throw new ClientError('/w', Status.UNAVAILABLE, 'node restarting');
      }
      if (calls === 2) throw new ClientError('/w', Status.OUT_OF_RANGE, 'token too old');
      yield event('t9');
    }
    const types: string[] = [];
    for await (const e of watchServers(open, {}, {}, [])) types.push(e.type);
    assert.deepEqual(types, ['modified', 'restarted', 'modified']);
    assert.deepEqual(requests, ['', 't1', '']);
  });

  it('watch: other errors end the iteration with a typed error; reconnect: false does not retry', async () => {
    // biome-ignore lint/correctness/useYield: a stream that fails before its first item
    async function* unavailable(): AsyncGenerator<WatchServersResponse> {
      throw new ClientError('/w', Status.UNAVAILABLE, 'gone');
    }
    await assert.rejects(
      async () => {
        for await (const _ of watchServers(unavailable, {}, { reconnect: false }, [])) void _;
      },
      (error: OaktreeError) => error.code === Status.UNAVAILABLE,
    );
    // biome-ignore lint/correctness/useYield: a stream that fails before its first item
    async function* denied(): AsyncGenerator<WatchServersResponse> {
      throw new ClientError('/w', Status.PERMISSION_DENIED, 'no');
    }
    await assert.rejects(
      async () => {
        for await (const _ of watchServers(denied, {}, {}, [])) void _;
      },
      (error: OaktreeError) => error.codeName === 'PERMISSION_DENIED',
    );
  });
});
