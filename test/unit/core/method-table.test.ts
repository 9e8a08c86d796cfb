// The method table: every RPC of the table-driven services has a row, writes are marked as writes, and the
// validation rules give one message per problem without echoing what they refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { Methods, methodByPath } from '../../../src/core/methods.ts';
import { MAX_TEXT_LENGTH } from '../../../src/core/field-rules.ts';
import { ComputeServiceDefinition, CreateServerRequest, FloatingIPMode } from '../../../src/gen/oaktree/v1/compute.ts';
import { ImageServiceDefinition, UploadImageHeader } from '../../../src/gen/oaktree/v1/image.ts';
import { NetworkServiceDefinition, CreateFloatingIPRequest } from '../../../src/gen/oaktree/v1/network.ts';
import { CreateVolumeRequest, VolumeServiceDefinition } from '../../../src/gen/oaktree/v1/volume.ts';
import { CreateKeypairRequest, GetServerRequest, ListServersRequest } from '../../../src/gen/oaktree/v1/compute.ts';

const services = [ComputeServiceDefinition, ImageServiceDefinition, NetworkServiceDefinition, VolumeServiceDefinition];

function problem(validate: () => void): string {
  try {
    validate();
  } catch (error: any) {
    assert.equal(error.grpcCode, Status.INVALID_ARGUMENT);
    return error.message;
  }
  assert.fail('expected INVALID_ARGUMENT');
}

test('every method of the table-driven services has a row; its kind matches the proto streaming', () => {
  for (const service of services) {
    for (const method of Object.values(service.methods)) {
      const row = methodByPath(`/${service.fullName}/${method.name}`);
      assert.ok(row, `${method.name} has a row`);
      const expected = method.requestStream
        ? ['client-stream']
        : method.responseStream
          ? ['list', 'server-stream']
          : ['unary', 'get'];
      assert.ok(expected.includes(row.kind), `${method.name}: ${row.kind}`);
    }
  }
});

test('creates, updates, deletes, adds, removes, attaches, detaches, uploads and server actions are writes; everything else reads', () => {
  for (const row of Object.values(Methods)) {
    const writes =
      /^(Create|Delete|Attach|Detach|Upload|Update|Extend|Retype|Restore|Deactivate|Reactivate|Add|Remove|Import|Set|Copy|RunServerAction|SnapshotServer)/.test(
        row.name,
      );
    assert.equal(row.action, writes ? 'write' : 'read', row.name);
  }
});

test('gets and follow-ups find their object over the matching list', () => {
  assert.equal(Methods.getServer.kind, 'get');
  assert.equal(Methods.getServer.over, Methods.listServers);
  assert.equal(Methods.waitForServer.followUp?.over, Methods.listServers);
  assert.equal(Methods.getServerConsole.followUp?.over, Methods.listServers);
  assert.equal(Methods.downloadImage.followUp?.over, Methods.listImages);
  assert.equal(Methods.deleteServer.followUp, undefined);
});

test('request_id: one rule, one message, in every row that has one', () => {
  const long = 'r'.repeat(37);
  const messages = [
    problem(() =>
      Methods.createServer.validate(
        CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', requestId: long }),
      ),
    ),
    problem(() => Methods.createVolume.validate(CreateVolumeRequest.fromPartial({ sizeGb: 1, requestId: long }))),
    problem(() => Methods.createFloatingIp.validate(CreateFloatingIPRequest.fromPartial({ requestId: long }))),
    problem(() => Methods.createKeypair.validate(CreateKeypairRequest.fromPartial({ name: 'k', requestId: long }))),
  ];
  assert.deepEqual(new Set(messages), new Set(['request_id is 37 characters long; the limit is 36']));
  const header = UploadImageHeader.fromPartial({ name: 'n', requestId: long });
  assert.equal(
    problem(() => Methods.uploadImage.validate({ part: { $case: 'header', value: header } })),
    'header.request_id is 37 characters long; the limit is 36',
  );
  assert.doesNotThrow(() =>
    Methods.createVolume.validate(CreateVolumeRequest.fromPartial({ sizeGb: 1, requestId: 'r'.repeat(36) })),
  );
});

test('free text is bounded everywhere and the refused value is never echoed', () => {
  const huge = 'x'.repeat(80 * 1024);
  const cases: Array<[() => void, RegExp]> = [
    [
      () => Methods.listServers.validate(ListServersRequest.fromPartial({ nameOrId: huge })),
      /^name_or_id is 81920 characters long; the limit is 255$/,
    ],
    [() => Methods.getServer.validate(GetServerRequest.fromPartial({ nameOrId: huge })), /^name_or_id is 81920/],
    [() => Methods.createKeypair.validate(CreateKeypairRequest.fromPartial({ name: huge })), /^name is 81920/],
    [
      () =>
        Methods.createServer.validate(
          CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', networks: ['ok', huge] }),
        ),
      /^networks\[1\] is 81920/,
    ],
    [
      () =>
        Methods.createServer.validate(
          CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', metadata: { k: huge } }),
        ),
      /^metadata\.k is 81920/,
    ],
    [
      () =>
        Methods.createServer.validate(
          CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', metadata: { [huge]: 'v' } }),
        ),
      /^metadata key is 81920/,
    ],
    [
      () =>
        Methods.createServer.validate(
          CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', location: { cloud: huge } }),
        ),
      /^location\.cloud is 81920/,
    ],
  ];
  for (const [validate, expected] of cases) {
    const message = problem(validate);
    assert.match(message, expected);
    assert.ok(message.length < 200, 'the message does not carry the input');
  }
  // Longer limits where the field needs them: an OpenSSH key, user data.
  assert.doesNotThrow(() =>
    Methods.createKeypair.validate(
      CreateKeypairRequest.fromPartial({ name: 'k', publicKey: `ssh-rsa ${'A'.repeat(3000)}` }),
    ),
  );
  assert.doesNotThrow(() =>
    Methods.createServer.validate(
      CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', userData: 'u'.repeat(20_000) }),
    ),
  );
  assert.match(
    problem(() =>
      Methods.createKeypair.validate(CreateKeypairRequest.fromPartial({ name: 'k'.repeat(MAX_TEXT_LENGTH + 1) })),
    ),
    /limit is 255/,
  );
});

test('row rules: required fields, one-of, non-negative numbers, checksums, ALWAYS needs wait', () => {
  const server = (fields: Partial<CreateServerRequest>) => () =>
    Methods.createServer.validate(CreateServerRequest.fromPartial({ name: 'n', flavor: 'f', image: 'i', ...fields }));
  assert.match(problem(server({ name: ' ' })), /^name is required: the server needs a name$/);
  assert.match(problem(server({ image: '' })), /^image is required/);
  assert.match(
    problem(server({ image: '', bootFromVolume: true })),
    /boot_from_volume makes the boot volume from an image/,
  );
  assert.match(
    problem(server({ floatingIp: FloatingIPMode.FLOATING_IP_MODE_ALWAYS })),
    /floating_ip ALWAYS needs wait/,
  );
  assert.doesNotThrow(server({ floatingIp: FloatingIPMode.FLOATING_IP_MODE_ALWAYS, wait: true }));

  const volume = (fields: Partial<CreateVolumeRequest>) => () =>
    Methods.createVolume.validate(CreateVolumeRequest.fromPartial(fields));
  assert.match(problem(volume({})), /^one of size_gb, image, snapshot, source_volume is required/);
  assert.match(problem(volume({ sizeGb: -1, image: 'i' })), /^size_gb is -1: it may not be negative$/);
  assert.doesNotThrow(volume({ image: 'cirros' }));

  const upload = (fields: Partial<UploadImageHeader>) => () =>
    Methods.uploadImage.validate({
      part: { $case: 'header', value: UploadImageHeader.fromPartial({ name: 'n', ...fields }) },
    });
  assert.match(problem(upload({ md5: 'xyz' })), /^header\.md5 must be 32 hex digits$/);
  assert.match(problem(upload({ sha256: 'a'.repeat(63) })), /^header\.sha256 must be 64 hex digits$/);
  assert.match(problem(upload({ name: '' })), /^header\.name is required/);
  assert.match(
    problem(() => Methods.uploadImage.validate({ part: { $case: 'chunk', value: Buffer.alloc(1) } })),
    /first UploadImage message must be the header/,
  );
});

test('every request that carries a request_id is marked so, and backends hold its request lock', () => {
  for (const [key, row] of Object.entries(Methods)) {
    if (row.kind !== 'unary' && row.kind !== 'server-stream') continue;
    const carries = 'requestId' in (row.requestType.fromPartial({}) as object);
    assert.equal(row.takesRequestId, carries, `${key}: takesRequestId`);
  }
  assert.equal(Methods.uploadImage.takesRequestId, true);
  assert.equal(Methods.uploadObject.takesRequestId, true);
});
