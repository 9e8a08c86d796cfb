import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relayingDefinition, wireBytesOf } from '../../../src/core/wire-bytes.ts';
import { ImageServiceDefinition, UploadImageRequest } from '../../../src/gen/oaktree/v1/image.ts';

test('a relay keeps the bytes of client-stream requests and sends them on unchanged', { timeout: 10_000 }, () => {
  const methods = relayingDefinition(ImageServiceDefinition) as unknown as Record<
    string,
    { requestDeserialize(b: Uint8Array): unknown; requestSerialize(v: unknown): Uint8Array }
  >;
  const bytes = Buffer.from(
    UploadImageRequest.encode({ part: { $case: 'chunk', value: Buffer.from('image bytes') } }).finish(),
  );
  const request = methods.uploadImage.requestDeserialize(bytes);
  assert.equal(wireBytesOf(request), bytes);
  assert.equal(methods.uploadImage.requestSerialize(request), bytes);
  // A unary request is decoded as before: nothing kept (a relay rewrites those by building new objects).
  const unary = methods.getImage.requestDeserialize(Buffer.alloc(0));
  assert.equal(wireBytesOf(unary), undefined);
});
