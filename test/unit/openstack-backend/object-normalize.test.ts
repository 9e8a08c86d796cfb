// Swift's object headers into a StoredObject: whatever a cloud sends as X-Delete-At, the object stays readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectFromHead } from '../../../src/backends/openstack/object-store/swift.ts';
import { StoredObject } from '../../../src/gen/oaktree/v1/object_store.ts';

const location = { cloud: 'c', region: 'r', zone: '', project: undefined };
const head = (deleteAt: string) => objectFromHead('box', 'o', { 'x-delete-at': deleteAt }, location as any);

test('X-Delete-At: seconds since the epoch, up to the last date a Timestamp carries; anything else is no expiry', () => {
  assert.equal(head('1700000000').deleteAt?.toISOString(), '2023-11-14T22:13:20.000Z');
  assert.equal(head('9999999999').deleteAt?.toISOString(), '2286-11-20T17:46:39.000Z', "Swift's own cap");
  for (const odd of ['4611686018427387904', '1e300', 'Infinity', 'soon', '', '0', '-5', '253402300800']) {
    const object = head(odd);
    assert.equal(object.deleteAt, undefined, odd);
    assert.doesNotThrow(() => StoredObject.encode(object), `${odd}: the object still serializes`);
  }
});
