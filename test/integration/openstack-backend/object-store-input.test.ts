// Object-store input that once went wrong (the issue 16 audit), through a real node over gRPC against the simulated
// Swift over HTTP: each answer is the right gRPC code with a message that names what to change, and nothing the
// cloud stores can make a later call fail.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, type ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import {
  ObjectStoreServiceDefinition,
  ObjectUrlMethod,
  type UploadObjectRequest,
} from '../../../src/gen/oaktree/v1/object_store.ts';
import { collect, startHarness, type Harness } from './harness.ts';

const where = { cloud: 'objects', region: 'RegionOne' };

async function* uploadOf(header: object, data: Buffer): AsyncGenerator<UploadObjectRequest> {
  yield { part: { $case: 'header', value: { location: where, ...header } as any } };
  if (data.length) yield { part: { $case: 'chunk', value: data } };
}

async function rejects(promise: Promise<unknown>, code: Status, pattern?: RegExp) {
  await assert.rejects(promise, (error: ServerError) => {
    assert.equal(error.code, code, `${Status[error.code]}: ${error.details}`);
    if (pattern) assert.match(error.details, pattern);
    return true;
  });
}

describe('object-store input', { timeout: 120_000 }, () => {
  let h: Harness;
  let objects: ReturnType<typeof createClient<typeof ObjectStoreServiceDefinition>>;
  before(async () => {
    h = await startHarness({ clouds: [{ name: 'objects', regions: ['RegionOne'] }] });
    objects = createClient(ObjectStoreServiceDefinition, h.channel);
    await objects.createContainer({ location: where, name: 'box' });
  });
  after(() => h?.close());

  test('delete_after_seconds beyond 100 years is INVALID_ARGUMENT naming the bound; nothing is stored', async () => {
    const huge = 2n ** 62n;
    await rejects(
      objects.uploadObject(uploadOf({ container: 'box', name: 'forever', deleteAfterSeconds: huge }, Buffer.from('x'))),
      Status.INVALID_ARGUMENT,
      /header\.delete_after_seconds may be at most 3153600000 \(100 years\)/,
    );
    await rejects(objects.getObject({ location: where, container: 'box', name: 'forever' }), Status.NOT_FOUND);

    await objects.uploadObject(uploadOf({ container: 'box', name: 'kept' }, Buffer.from('x')));
    await rejects(
      objects.updateObject({ location: where, container: 'box', name: 'kept', deleteAfterSeconds: huge }),
      Status.INVALID_ARGUMENT,
      /delete_after_seconds may be at most 3153600000/,
    );
    const { object } = await objects.getObject({ location: where, container: 'box', name: 'kept' });
    assert.equal(object?.deleteAt, undefined, 'the refused update changed nothing');
  });

  test('the longest expiry allowed is stored and read back as a date', async () => {
    const seconds = 100n * 365n * 24n * 3600n;
    const before = Date.now();
    const result = await objects.uploadObject(
      uploadOf({ container: 'box', name: 'century', deleteAfterSeconds: seconds }, Buffer.from('x')),
    );
    const deleteAt = result.results[0].object?.deleteAt;
    assert.ok(deleteAt, 'the object carries its expiry');
    const expected = before + Number(seconds) * 1000;
    assert.ok(Math.abs(deleteAt.getTime() - expected) < 60_000, `${deleteAt.toISOString()} is 100 years from now`);
    const { object } = await objects.updateObject({
      location: where,
      container: 'box',
      name: 'century',
      metadata: { note: 'still there' },
    });
    assert.equal(object?.deleteAt?.getTime(), deleteAt.getTime(), 'an update without an expiry keeps it');
  });

  test('CopyObject into a missing destination container names that container; a missing source names the source', async () => {
    await objects.uploadObject(uploadOf({ container: 'box', name: 'source' }, Buffer.from('copy me')));
    const copy = { location: where, container: 'box', name: 'source', destinationName: 'copy' };
    await rejects(
      objects.copyObject({ ...copy, destinationContainer: 'nowhere' }),
      Status.NOT_FOUND,
      /^destination container "nowhere" does not exist in objects\/RegionOne$/,
    );
    await rejects(
      objects.copyObject({ ...copy, name: 'absent', destinationContainer: 'box' }),
      Status.NOT_FOUND,
      /^object "absent" in container "box" does not exist/,
    );
    const { object } = await objects.copyObject({ ...copy, destinationContainer: 'box' });
    assert.equal(object?.sizeBytes, 7n);
  });

  test('container names are up to 256 bytes, not the 255 characters other names get; their segments fit too', async () => {
    for (const name of ['c'.repeat(256), 'é'.repeat(128)]) {
      const { container } = await objects.createContainer({ location: where, name });
      assert.equal(container?.name, name);
      assert.equal((await objects.getContainer({ location: where, nameOrId: name })).container?.name, name);
      await objects.uploadObject(uploadOf({ container: name, name: 'o' }, Buffer.from('x')));
      const { object } = await objects.copyObject({
        location: where,
        container: name,
        name: 'o',
        destinationContainer: name,
        destinationName: 'o2',
      });
      assert.equal(object?.container, name);
      await collect(objects.deleteContainer({ location: where, container: name, emptyFirst: true }));
    }
    await rejects(
      objects.createContainer({ location: where, name: 'c'.repeat(257) }),
      Status.INVALID_ARGUMENT,
      /^name is 257 characters long; the limit is 256$/,
    );
    await rejects(
      objects.createContainer({ location: where, name: 'é'.repeat(129) }),
      Status.INVALID_ARGUMENT,
      /^name is 258 bytes of UTF-8 long; the limit is 256$/,
    );
  });

  test('an ObjectUrlMethod this node does not know is INVALID_ARGUMENT, never a GET URL', async () => {
    await rejects(
      objects.createObjectUrl({ location: where, container: 'box', name: 'kept', method: 9 as ObjectUrlMethod }),
      Status.INVALID_ARGUMENT,
      /^method is not a value this node knows: use one of OBJECT_URL_METHOD_UNSPECIFIED, OBJECT_URL_METHOD_GET, /,
    );
    const { method } = await objects.createObjectUrl({
      location: where,
      container: 'box',
      name: 'kept',
      method: ObjectUrlMethod.OBJECT_URL_METHOD_HEAD,
    });
    assert.equal(method, 'HEAD');
  });

  test("metadata beyond the cloud's /info limits is INVALID_ARGUMENT naming the limit, before anything is sent", async () => {
    const items = (n: number, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));
    // 100 items of 200 characters were 20 KiB of headers: a reset connection (UNAVAILABLE) before this check.
    await rejects(
      objects.uploadObject(
        uploadOf({ container: 'box', name: 'tagged', metadata: items(100, 'v'.repeat(200)) }, Buffer.from('x')),
      ),
      Status.INVALID_ARGUMENT,
      /^header\.metadata has 100 items; the object store of objects\/RegionOne \(project demo\) allows at most 90 \(max_meta_count\)$/,
    );
    await rejects(
      objects.uploadObject(
        uploadOf({ container: 'box', name: 'tagged', metadata: { note: 'é'.repeat(255) } }, Buffer.from('x')),
      ),
      Status.INVALID_ARGUMENT,
      /a header\.metadata value is 1530 bytes long as sent .* at most 256 \(max_meta_value_length\)$/,
    );
    await rejects(
      objects.uploadObject(
        uploadOf({ container: 'box', name: 'tagged', metadata: items(20, 'v'.repeat(250)) }, Buffer.from('x')),
      ),
      Status.INVALID_ARGUMENT,
      /header\.metadata is 5050 bytes of keys and values as sent.* at most 4096 \(max_meta_overall_size\)$/,
    );
    await rejects(objects.getObject({ location: where, container: 'box', name: 'tagged' }), Status.NOT_FOUND);

    // 89 items and the request id are 90: the limit exactly.
    const result = await objects.uploadObject(
      uploadOf({ container: 'box', name: 'tagged', metadata: items(89), requestId: 'r-1' }, Buffer.from('x')),
    );
    assert.equal(Object.keys(result.results[0].object!.metadata).length, 90);
    await rejects(
      objects.updateObject({ location: where, container: 'box', name: 'tagged', metadata: { one: 'more' } }),
      Status.INVALID_ARGUMENT,
      /^metadata has 91 items; .*\(max_meta_count\)$/,
    );
    await rejects(
      objects.copyObject({
        location: where,
        container: 'box',
        name: 'tagged',
        destinationName: 'c',
        metadata: items(91),
      }),
      Status.INVALID_ARGUMENT,
      /max_meta_count/,
    );
    await rejects(
      objects.createContainer({ location: where, name: 'labelled', metadata: items(91) }),
      Status.INVALID_ARGUMENT,
      /max_meta_count/,
    );
    await rejects(
      objects.updateContainer({ location: where, container: 'box', metadata: { [`k${'x'.repeat(128)}`]: 'v' } }),
      Status.INVALID_ARGUMENT,
      /a metadata key is 129 bytes long; .* at most 128 \(max_meta_name_length\)$/,
    );
  });

  test('segment_size_bytes is 0 (the default) or at least 1 MiB', async () => {
    await rejects(
      objects.uploadObject(uploadOf({ container: 'box', name: 'bytes', segmentSizeBytes: 1n }, Buffer.from('xyz'))),
      Status.INVALID_ARGUMENT,
      /^header\.segment_size_bytes may be 0 \(the default\) or at least 1048576 \(1 MiB\)$/,
    );
    await rejects(objects.getObject({ location: where, container: 'box', name: 'bytes' }), Status.NOT_FOUND);
    const data = Buffer.alloc(1024 * 1024 + 1, 7);
    const result = await objects.uploadObject(
      uploadOf({ container: 'box', name: 'two', segmentSizeBytes: BigInt(1024 * 1024) }, data),
    );
    assert.equal(result.results[0].segments, 2, 'the last segment is the one byte left');
  });
});

describe('an upload of unknown size at a cloud that allows 3 segments per object', { timeout: 120_000 }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      clouds: [{ name: 'objects', regions: ['RegionOne'], objectStore: { maxManifestSegments: 3 } }],
    });
  });
  after(() => h?.close());

  test('stops at the fourth segment with FAILED_PRECONDITION and leaves no segment', async () => {
    const objects = createClient(ObjectStoreServiceDefinition, h.channel);
    const header = { container: 'logs', name: 'endless.log', segmentSizeBytes: BigInt(1024 * 1024) };
    await rejects(
      objects.uploadObject(uploadOf(header, Buffer.alloc(3.5 * 1024 * 1024, 1))),
      Status.FAILED_PRECONDITION,
      /^the data is more than 3 segments of 1048576 bytes, the most one object at objects\/RegionOne \(project demo\) may have: raise segment_size_bytes; the 3 segments written were removed$/,
    );
    const left = await collect(objects.listObjects({ location: where, container: 'logs_segments' }));
    assert.equal(left.filter((i) => i.item?.$case === 'object').length, 0);
    await rejects(objects.getObject({ location: where, container: 'logs', name: 'endless.log' }), Status.NOT_FOUND);
    const fits = await objects.uploadObject(uploadOf(header, Buffer.alloc(3 * 1024 * 1024, 1)));
    assert.equal(fits.results[0].segments, 3, 'three segments are allowed');
  });
});
