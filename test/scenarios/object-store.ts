// The object-store contract scenarios (issue 16): containers, objects, large objects, ranges, copies, expiry,
// bulk delete and signed URLs, through a real oaktree node over gRPC, against the simulator and the real Swift.
// Every name starts with the branch name and a run id; every scenario cleans up after itself.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createClient, type ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import {
  ObjectStoreServiceDefinition,
  ObjectUrlMethod,
  type StoredObject,
  type UploadObjectRequest,
} from '../../src/gen/oaktree/v1/object_store.ts';
import { collect } from '../support/node.ts';
import { eventually } from '../support/wait.ts';
import type { ScenarioTarget } from './target.ts';

type ObjectStore = ReturnType<typeof objectStoreOf>;
const objectStoreOf = (t: ScenarioTarget) => createClient(ObjectStoreServiceDefinition, t.api.channel);

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
/** The smallest segment size oaktree takes. */
const SEGMENT = 1024 * 1024;

async function* uploadOf(
  header: Record<string, unknown>,
  data: Buffer,
  chunk = 64 * 1024,
): AsyncGenerator<UploadObjectRequest> {
  yield { part: { $case: 'header', value: header as any } };
  for (let offset = 0; offset < data.length; offset += chunk)
    yield { part: { $case: 'chunk', value: data.subarray(offset, offset + chunk) } };
}

async function download(api: ObjectStore, request: Record<string, unknown>) {
  let object: StoredObject | undefined;
  const chunks: Buffer[] = [];
  let trailer: any;
  for await (const message of api.downloadObject(request as any)) {
    const part = message.part;
    if (part?.$case === 'object') object = part.value;
    else if (part?.$case === 'chunk') chunks.push(Buffer.from(part.value));
    else if (part?.$case === 'trailer') trailer = part.value;
  }
  return { object, data: Buffer.concat(chunks), trailer };
}

async function rejects(promise: Promise<unknown>, code: Status, pattern?: RegExp) {
  await assert.rejects(promise, (error: ServerError) => {
    assert.equal(error.code, code, `${Status[error.code]}: ${error.details}`);
    if (pattern) assert.match(error.details, pattern);
    return true;
  });
}

/** Deletes a container and everything in it, whatever state a failed scenario left it in. */
async function removeContainer(api: ObjectStore, where: object, container: string) {
  // Uploads of unknown size make "<container>_segments" up front: it goes too.
  for (const name of [container, `${container}_segments`]) {
    try {
      await collect(api.deleteContainer({ location: where, container: name, emptyFirst: true }));
    } catch {
      // never made, or already gone
    }
  }
}

export function defineObjectStoreScenarios(label: string, target: () => ScenarioTarget) {
  describe(`object-store scenarios on ${label}`, { concurrency: false }, () => {
    const run = `s3-objects-${Date.now().toString(36)}`;
    const names = (suffix: string) => `${run}-${suffix}`;

    test('capabilities say what the object store offers (from /info)', async () => {
      const t = target();
      const items = await collect(t.api.capabilities.listCapabilities({ location: t.where, strict: true }));
      const caps = items.find((i) => i.item?.$case === 'capabilities')?.item?.value as any;
      const os = caps.objectStore;
      assert.equal(os.available, true);
      assert.equal(os.tempUrl, true);
      assert.equal(os.staticLargeObjects, true);
      assert.equal(os.bulkDelete, true);
      assert.ok(os.maxObjectSizeBytes > 5n * 1024n ** 3n, `max object size ${os.maxObjectSizeBytes}`);
      assert.equal(os.maxSegments, 1000);
      assert.equal(os.maxObjectNameBytes, 1024);
      assert.ok(os.tempUrlMethods.includes('PUT'));
    });

    test('containers: create with metadata and public read, get, list by prefix, update, delete', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const name = names('box');
      try {
        const created = await api.createContainer({
          location: t.where,
          name,
          publicRead: true,
          metadata: { owner: 'scenarios', note: 'crème brûlée' },
        });
        assert.equal(created.created, true);
        assert.equal(created.container?.name, name);
        const again = await api.createContainer({ location: t.where, name });
        assert.equal(again.created, false, 'a second create of the same name is not a new container');

        const { container } = await api.getContainer({ location: t.where, nameOrId: name });
        assert.equal(container?.publicRead, true);
        assert.match(container!.readAcl, /\.r:\*/);
        assert.equal(container?.metadata.owner, 'scenarios');
        assert.equal(container?.metadata.note, 'crème brûlée', 'non-ASCII values survive');
        assert.equal(container?.location?.cloud, t.cloud);

        const listed = (await collect(api.listContainers({ location: t.where, prefix: run, strict: true })))
          .filter((i) => i.item?.$case === 'container')
          .map((i) => i.item!.value as any);
        assert.ok(listed.some((c) => c.name === name));

        const updated = await api.updateContainer({
          location: t.where,
          container: name,
          metadata: { stage: 'two' },
          removeMetadata: ['owner'],
          publicRead: false,
        });
        assert.equal(updated.container?.publicRead, false);
        assert.equal(updated.container?.metadata.stage, 'two');
        assert.equal(updated.container?.metadata.owner, undefined);
        assert.equal(updated.container?.metadata.note, 'crème brûlée', 'keys not named stay');
        await rejects(
          api.updateContainer({ location: t.where, container: name, metadata: { café: 'x' } }),
          Status.INVALID_ARGUMENT,
          /header tokens/,
        );
      } finally {
        await removeContainer(api, t.where, name);
      }
      await rejects(api.getContainer({ location: t.where, nameOrId: name }), Status.NOT_FOUND);
    });

    test('objects: upload with metadata and md5, head, list with prefix/delimiter/marker, ranges, copy, update, delete', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('obj');
      const data = randomBytes(200_000);
      try {
        const response = await api.uploadObject(
          uploadOf(
            {
              location: t.where,
              container,
              name: 'logs/build/1.txt',
              contentType: 'text/plain',
              metadata: { job: 'unit' },
              md5: md5(data),
              sizeBytes: BigInt(data.length),
            },
            data,
          ),
        );
        assert.equal(response.bytesReceived, BigInt(data.length));
        const result = response.results[0];
        assert.equal(result.object?.etag, md5(data));
        assert.equal(result.object?.sizeBytes, BigInt(data.length));
        assert.equal(result.segments, 0);
        for (const extra of ['logs/build/2.txt', 'logs/other.txt', 'readme'])
          await api.uploadObject(uploadOf({ location: t.where, container, name: extra }, Buffer.from(extra)));

        const { object } = await api.getObject({ location: t.where, container, name: 'logs/build/1.txt' });
        assert.equal(object?.contentType, 'text/plain');
        assert.equal(object?.metadata.job, 'unit');
        assert.equal(object?.sizeBytes, BigInt(data.length));

        const list = async (request: object) =>
          (await collect(api.listObjects({ location: t.where, container, strict: true, ...request })))
            .filter((i) => i.item?.$case === 'object')
            .map((i) => i.item!.value as StoredObject);
        assert.deepEqual(
          (await list({ prefix: 'logs/' })).map((o) => o.name),
          ['logs/build/1.txt', 'logs/build/2.txt', 'logs/other.txt'],
        );
        const dirs = await list({ prefix: 'logs/', delimiter: '/' });
        assert.deepEqual(
          dirs.map((o) => [o.name, o.isDirectory]),
          [
            ['logs/build/', true],
            ['logs/other.txt', false],
          ],
        );
        assert.deepEqual(
          (await list({ marker: 'logs/other.txt' })).map((o) => o.name),
          ['readme'],
        );
        assert.equal((await list({ limit: 2 })).length, 2);

        const whole = await download(api, { location: t.where, container, name: 'logs/build/1.txt' });
        assert.ok(whole.data.equals(data));
        assert.equal(whole.trailer.etagVerified, true);
        assert.equal(whole.trailer.md5, md5(data));
        const range = await download(api, {
          location: t.where,
          container,
          name: 'logs/build/1.txt',
          offset: 1000n,
          length: 5000n,
        });
        assert.ok(range.data.equals(data.subarray(1000, 6000)));
        assert.equal(range.object?.sizeBytes, BigInt(data.length), 'a range still reports the whole size');
        assert.equal(range.trailer.etagVerified, false);
        await rejects(
          collect(api.downloadObject({ location: t.where, container, name: 'readme', offset: 10_000n })),
          Status.OUT_OF_RANGE,
        );

        const copy = await api.copyObject({
          location: t.where,
          container,
          name: 'logs/build/1.txt',
          destinationName: 'copy.txt',
        });
        assert.equal(copy.object?.etag, md5(data));
        assert.equal(copy.object?.metadata.job, 'unit', 'a copy keeps the metadata');

        const updated = await api.updateObject({
          location: t.where,
          container,
          name: 'copy.txt',
          metadata: { stage: 'copied' },
          contentType: 'application/x-log',
        });
        assert.equal(updated.object?.metadata.stage, 'copied');
        assert.equal(updated.object?.metadata.job, 'unit', 'metadata not named is kept');
        assert.equal(updated.object?.contentType, 'application/x-log');

        const deleted = await api.deleteObject({ location: t.where, container, name: 'copy.txt' });
        assert.equal(deleted.segmentsDeleted, 0);
        await rejects(api.getObject({ location: t.where, container, name: 'copy.txt' }), Status.NOT_FOUND, /copy\.txt/);
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('a large object goes up in segments, comes back whole, and its segments go with it', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('slo');
      const data = randomBytes(5 * SEGMENT + 123);
      try {
        const response = await api.uploadObject(
          uploadOf({ location: t.where, container, name: 'big.bin', segmentSizeBytes: BigInt(SEGMENT) }, data, 500_000),
        );
        const result = response.results[0];
        assert.equal(result.segments, 6);
        assert.equal(result.object?.isLargeObject, true);
        assert.equal(result.object?.sizeBytes, BigInt(data.length));
        const segmentsOf = async () =>
          (
            await collect(api.listObjects({ location: t.where, container: `${container}_segments`, strict: true }))
          ).filter((i) => i.item?.$case === 'object').length;
        assert.equal(await segmentsOf(), 6);

        const back = await download(api, { location: t.where, container, name: 'big.bin' });
        assert.ok(back.data.equals(data), 'the bytes come back whole');
        assert.equal(back.trailer.md5, md5(data));
        const middle = await download(api, {
          location: t.where,
          container,
          name: 'big.bin',
          offset: BigInt(SEGMENT - 10),
          length: 100n,
        });
        assert.ok(middle.data.equals(data.subarray(SEGMENT - 10, SEGMENT + 90)), 'a range across two segments');

        // Small data with no declared size is stored plain, without leftovers in the segments container.
        const small = await api.uploadObject(
          uploadOf(
            { location: t.where, container, name: 'small.bin', segmentSizeBytes: BigInt(SEGMENT) },
            data.subarray(0, 1000),
          ),
        );
        assert.equal(small.results[0].object?.isLargeObject, false);
        assert.equal(small.results[0].object?.etag, md5(data.subarray(0, 1000)));
        assert.equal(await segmentsOf(), 6);

        const deleted = await api.deleteObject({ location: t.where, container, name: 'big.bin' });
        assert.equal(deleted.segmentsDeleted, 6);
        assert.equal(await segmentsOf(), 0, 'the segments were deleted with the manifest');
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('a wrong declared size or md5 fails the upload and leaves no object and no segment', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('bad');
      const data = randomBytes(3 * SEGMENT);
      try {
        await rejects(
          api.uploadObject(uploadOf({ location: t.where, container, name: 'plain', sizeBytes: 10n }, data)),
          Status.DATA_LOSS,
        );
        await rejects(
          api.uploadObject(uploadOf({ location: t.where, container, name: 'plain', md5: 'f'.repeat(32) }, data)),
          Status.DATA_LOSS,
          /md5/,
        );
        await rejects(
          api.uploadObject(
            uploadOf(
              {
                location: t.where,
                container,
                name: 'segmented',
                md5: 'f'.repeat(32),
                segmentSizeBytes: BigInt(SEGMENT),
              },
              data,
            ),
          ),
          Status.DATA_LOSS,
          /segments written were removed/,
        );
        await rejects(api.getObject({ location: t.where, container, name: 'plain' }), Status.NOT_FOUND);
        await rejects(api.getObject({ location: t.where, container, name: 'segmented' }), Status.NOT_FOUND);
        const segments = await collect(api.listObjects({ location: t.where, container: `${container}_segments` }));
        assert.equal(segments.filter((i) => i.item?.$case === 'object').length, 0);
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('a segment the cloud refuses mid-upload ends the upload with its error and removes the segments', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('quota');
      try {
        // The segments container takes 2.5 MiB: once three 1 MiB segments are in, the next one is refused (413).
        await api.createContainer({
          location: t.where,
          name: `${container}_segments`,
          quotaBytes: BigInt(2.5 * SEGMENT),
        });
        await rejects(
          api.uploadObject(
            uploadOf(
              { location: t.where, container, name: 'too-big', segmentSizeBytes: BigInt(SEGMENT) },
              randomBytes(6.25 * SEGMENT),
              SEGMENT / 2,
            ),
          ),
          Status.RESOURCE_EXHAUSTED,
          /segments written were removed/,
        );
        const left = (await collect(api.listObjects({ location: t.where, container: `${container}_segments` }))).filter(
          (i) => i.item?.$case === 'object',
        );
        assert.equal(left.length, 0, 'no segment is left behind');
        await rejects(api.getObject({ location: t.where, container, name: 'too-big' }), Status.NOT_FOUND);
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('an upload the client abandons leaves no segment behind', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('abort');
      const controller = new AbortController();
      const block = randomBytes(SEGMENT);
      let sent = 0;
      async function* endless(): AsyncGenerator<UploadObjectRequest> {
        yield {
          part: {
            $case: 'header',
            value: { location: t.where, container, name: 'never', segmentSizeBytes: BigInt(SEGMENT) } as any,
          },
        };
        while (true) {
          yield { part: { $case: 'chunk', value: block } };
          sent += 1;
          if (sent === 5) controller.abort(); // four segments are stored by now
        }
      }
      try {
        await assert.rejects(api.uploadObject(endless(), { signal: controller.signal }));
        const left = async () =>
          (await collect(api.listObjects({ location: t.where, container: `${container}_segments` }))).filter(
            (i) => i.item?.$case === 'object',
          ).length;
        await eventually(async () => (await left()) === 0, 'the segments of the abandoned upload are removed');
        await rejects(api.getObject({ location: t.where, container, name: 'never' }), Status.NOT_FOUND);
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('names with slashes, unicode and 1,024 bytes work; longer is INVALID_ARGUMENT', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('names');
      const longest = `${'é'.repeat(500)}/${'x'.repeat(23)}`; // 1,000 + 1 + 23 bytes
      assert.equal(Buffer.byteLength(longest), 1024);
      const odd = ['a/b/c.txt', 'dir//double', '日本語/ファイル 名.txt', 'spaces and %25 percent?&#', longest];
      try {
        for (const name of odd) {
          const body = Buffer.from(`content of ${name}`);
          await api.uploadObject(uploadOf({ location: t.where, container, name }, body));
          const back = await download(api, { location: t.where, container, name });
          assert.ok(back.data.equals(body), name);
        }
        const listed = (await collect(api.listObjects({ location: t.where, container, strict: true })))
          .filter((i) => i.item?.$case === 'object')
          .map((i) => (i.item!.value as StoredObject).name);
        assert.deepEqual([...listed].sort(), [...odd].sort());
        await rejects(
          api.uploadObject(uploadOf({ location: t.where, container, name: `${longest}x` }, Buffer.from('x'))),
          Status.INVALID_ARGUMENT,
          /1025 bytes.*1024/,
        );
        await rejects(api.getObject({ location: t.where, container, name: 'y'.repeat(1025) }), Status.INVALID_ARGUMENT);
        await rejects(api.createContainer({ location: t.where, name: 'a/b' }), Status.INVALID_ARGUMENT, /slash/);
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('a missing container is NOT_FOUND for every call about it', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('missing');
      await rejects(api.getObject({ location: t.where, container, name: 'x' }), Status.NOT_FOUND, /container/);
      await rejects(collect(api.downloadObject({ location: t.where, container, name: 'x' })), Status.NOT_FOUND);
      await rejects(api.deleteObject({ location: t.where, container, name: 'x' }), Status.NOT_FOUND);
      await rejects(collect(api.listObjects({ location: t.where, container, strict: true })), Status.NOT_FOUND);
      await rejects(collect(api.deleteContainer({ location: t.where, container })), Status.NOT_FOUND);
    });

    test('a non-empty container is refused unless emptied first; bulk delete by prefix reports progress', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('full');
      try {
        for (let i = 0; i < 6; i++)
          await api.uploadObject(
            uploadOf({ location: t.where, container, name: `${i < 4 ? 'tmp' : 'keep'}/${i}` }, Buffer.from(`${i}`)),
          );
        await rejects(
          collect(api.deleteContainer({ location: t.where, container })),
          Status.FAILED_PRECONDITION,
          /empty_first/,
        );

        const bulk = await collect(api.deleteObjects({ location: t.where, container, prefix: 'tmp/' }));
        assert.equal(bulk.at(-1)?.done, true);
        assert.equal(bulk.at(-1)?.objectsDeleted, 4n);
        const left = (await collect(api.listObjects({ location: t.where, container, strict: true })))
          .filter((i) => i.item?.$case === 'object')
          .map((i) => (i.item!.value as StoredObject).name);
        assert.deepEqual(left, ['keep/4', 'keep/5']);

        const progress = await collect(api.deleteContainer({ location: t.where, container, emptyFirst: true }));
        assert.equal(progress.at(-1)?.done, true);
        assert.equal(progress.at(-1)?.objectsDeleted, 2n);
        await rejects(api.getContainer({ location: t.where, nameOrId: container }), Status.NOT_FOUND);
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('an object with delete_after_seconds expires', { timeout: 60_000 }, async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('expiry');
      try {
        const uploaded = await api.uploadObject(
          uploadOf({ location: t.where, container, name: 'short-lived', deleteAfterSeconds: 2n }, Buffer.from('bye')),
        );
        assert.ok(uploaded.results[0].object?.deleteAt, 'the object says when it goes');
        await eventually(
          () =>
            api.getObject({ location: t.where, container, name: 'short-lived' }).then(
              () => false,
              (error: ServerError) => error.code === Status.NOT_FOUND,
            ),
          'the object is gone after its expiry',
          { timeoutMs: 15_000, everyMs: 250 },
        );
      } finally {
        await removeContainer(api, t.where, container);
      }
    });

    test('signed URLs move bytes straight to and from the cloud; a tampered one is refused', async () => {
      const t = target();
      const api = objectStoreOf(t);
      const container = names('url');
      const data = randomBytes(70_000);
      try {
        await api.createContainer({ location: t.where, name: container });
        const put = await api.createObjectUrl({
          location: t.where,
          container,
          name: 'direct/upload.bin',
          method: ObjectUrlMethod.OBJECT_URL_METHOD_PUT,
          expiresInSeconds: 300n,
        });
        assert.equal(put.method, 'PUT');
        assert.ok(put.maxSizeBytes > 0n);
        const stored = await fetch(put.url, { method: 'PUT', body: data });
        assert.equal(stored.status, 201);

        const get = await api.createObjectUrl({ location: t.where, container, name: 'direct/upload.bin' });
        assert.equal(get.method, 'GET');
        assert.ok(get.expireTime!.getTime() > Date.now());
        const fetched = await fetch(get.url);
        assert.equal(fetched.status, 200);
        assert.ok(Buffer.from(await fetched.arrayBuffer()).equals(data));
        const { object } = await api.getObject({ location: t.where, container, name: 'direct/upload.bin' });
        assert.equal(object?.etag, md5(data), 'what went up directly is what oaktree sees');

        const tampered = new URL(get.url);
        const sig = tampered.searchParams.get('temp_url_sig')!;
        tampered.searchParams.set('temp_url_sig', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
        assert.equal((await fetch(tampered)).status, 401);
        const otherObject = new URL(get.url.replace('upload.bin', 'other.bin'));
        assert.equal((await fetch(otherObject)).status, 401, 'a signature is for one object only');
      } finally {
        await removeContainer(api, t.where, container);
      }
    });
  });
}
