// Object-store name rules: bytes of UTF-8 (not characters), no slash in a container, metadata keys as header tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Status } from 'nice-grpc-common';
import { Methods } from '../../../src/core/methods.ts';
import { containerName, headerTokenKeys, utf8Bytes } from '../../../src/core/object-names.ts';

test('a name is measured in UTF-8 bytes: 512 two-byte characters fit 1,024, one more does not', () => {
  const rule = utf8Bytes('name', 1024);
  assert.equal(rule({ name: 'é'.repeat(512) }, ''), undefined);
  assert.equal(
    rule({ name: `${'é'.repeat(512)}x` }, 'header.'),
    'header.name is 1025 bytes of UTF-8 long; the limit is 1024',
  );
  assert.equal(rule({ name: '' }, ''), undefined, 'required() says when it is missing');
});

test('a container name has no slash and at most 256 bytes', () => {
  const rule = containerName('name');
  assert.match(rule({ name: 'a/b' }, '')!, /slash/);
  assert.match(rule({ name: 'x'.repeat(257) }, '')!, /257 bytes/);
  assert.equal(rule({ name: 'ok-名前' }, ''), undefined);
});

test('metadata keys must be header tokens; the message does not echo them', () => {
  const rule = headerTokenKeys('metadata');
  assert.equal(rule({ metadata: { 'build-id': 'é' } }, ''), undefined, 'values may be any text');
  const problem = rule({ metadata: { 'bad key': 'v', café: 'v' } }, '')!;
  assert.match(problem, /2 key\(s\)/);
  assert.doesNotMatch(problem, /café|bad key/);
});

test('rows: an object call needs its container and name, an upload header its name in bytes', () => {
  const code = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      return (error as { grpcCode: number }).grpcCode;
    }
    return Status.OK;
  };
  assert.equal(
    code(() => Methods.getObject.validate({ container: 'c', name: 'o' } as any)),
    Status.OK,
  );
  assert.equal(
    code(() => Methods.getObject.validate({ container: '', name: 'o' } as any)),
    Status.INVALID_ARGUMENT,
  );
  assert.equal(
    code(() => Methods.getObject.validate({ container: 'c', name: 'x'.repeat(1025) } as any)),
    Status.INVALID_ARGUMENT,
  );
  const header = (name: string) => ({ part: { $case: 'header', value: { container: 'c', name, metadata: {} } } });
  assert.equal(
    code(() => Methods.uploadObject.validate(header('x'.repeat(1024)) as any)),
    Status.OK,
  );
  assert.equal(
    code(() => Methods.uploadObject.validate(header('é'.repeat(513)) as any)),
    Status.INVALID_ARGUMENT,
  );
  assert.equal(Methods.getObject.followUp?.over, Methods.listContainers, 'routed to where the container is');
  assert.equal(Methods.getObject.followUp?.key, 'container');
});
