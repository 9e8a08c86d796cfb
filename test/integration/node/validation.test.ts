// Validation from the method table over a real socket: a client's mistake is INVALID_ARGUMENT with a short
// message naming the field and its limit, never the refused input (issue 22 saw 80 KB names in grpc-message).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { clients, collect, inProcessNode } from '../../support/node.ts';
import { fixedBackend } from '../../support/fixed-backend.ts';

const node = await inProcessNode([fixedBackend({ cloud: 'alpha' })]);
const api = clients(node.address);
after(async () => {
  api.close();
  await node.close();
});

const huge = 'x'.repeat(80 * 1024);
const refused = (pattern: RegExp) => (error: ServerError) => {
  assert.equal(error.code, Status.INVALID_ARGUMENT);
  assert.match(error.details, pattern);
  assert.ok(error.details.length < 200, `short message: ${error.details.length} characters`);
  return true;
};

test('an 80 KB name or name_or_id is refused by its limit in every kind of RPC', async () => {
  const limit = /is 81920 characters long; the limit is 255$/;
  await assert.rejects(collect(api.compute.listServers({ nameOrId: huge })), refused(limit));
  await assert.rejects(api.compute.getServer({ nameOrId: huge }), refused(limit));
  await assert.rejects(collect(api.compute.waitForServer({ nameOrId: huge })), refused(limit));
  await assert.rejects(api.compute.createKeypair({ location: { cloud: 'alpha' }, name: huge }), refused(limit));
  await assert.rejects(api.volume.deleteVolume({ location: { cloud: 'alpha' }, nameOrId: huge }), refused(limit));
  async function* upload() {
    yield { part: { $case: 'header' as const, value: { location: { cloud: 'alpha' }, name: huge } } };
  }
  await assert.rejects(api.image.uploadImage(upload()), refused(/^header\.name is 81920 characters long/));
});

test('request_id longer than 36 characters: the same message from every create', async () => {
  const id = 'r'.repeat(37);
  const message = /^request_id is 37 characters long; the limit is 36$/;
  await assert.rejects(
    api.volume.createVolume({ location: { cloud: 'alpha' }, sizeGb: 1, requestId: id }),
    refused(message),
  );
  await assert.rejects(api.network.createFloatingIP({ location: { cloud: 'alpha' }, requestId: id }), refused(message));
  await assert.rejects(
    collect(
      api.compute.createServer({ location: { cloud: 'alpha' }, name: 'n', flavor: 'f', image: 'i', requestId: id }),
    ),
    refused(message),
  );
});

test('an upload whose first message is not the header is refused before anything is routed', async () => {
  async function* upload() {
    yield { part: { $case: 'chunk' as const, value: Buffer.alloc(8) } };
  }
  await assert.rejects(api.image.uploadImage(upload()), refused(/first UploadImage message must be the header/));
  async function* nothing() {}
  await assert.rejects(api.image.uploadImage(nothing()), refused(/first UploadImage message must be the header/));
});
