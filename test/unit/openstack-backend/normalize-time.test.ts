import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestamp } from '../../../src/backends/openstack/normalize/time.ts';
import { extraProperties, stringMap } from '../../../src/backends/openstack/normalize/properties.ts';

test('timestamps in every OpenStack spelling are UTC', () => {
  assert.equal(parseTimestamp('2013-09-23T13:37:00Z')?.toISOString(), '2013-09-23T13:37:00.000Z');
  assert.equal(parseTimestamp('2013-09-23T13:37:00.880302')?.toISOString(), '2013-09-23T13:37:00.880Z');
  assert.equal(parseTimestamp('2013-09-23T13:37:00.000000+00:00')?.toISOString(), '2013-09-23T13:37:00.000Z');
  assert.equal(parseTimestamp('2013-09-23 13:37:00')?.toISOString(), '2013-09-23T13:37:00.000Z');
  assert.equal(parseTimestamp('2013-09-23T15:37:00+0200')?.toISOString(), '2013-09-23T13:37:00.000Z');
  assert.equal(parseTimestamp('2013-09-23T13:37')?.toISOString(), '2013-09-23T13:37:00.000Z');
  for (const bad of [undefined, null, '', 'yesterday', 42, '2013-13-45T99:99:99Z'])
    assert.equal(parseTimestamp(bad), undefined, String(bad));
});

test('extra properties keep strings, JSON-encode the rest, skip normalized keys', () => {
  assert.deepEqual(extraProperties({ id: 'x', a: 'b', n: 1, o: { k: [1] }, t: true, z: null }, ['id']), {
    a: 'b',
    n: '1',
    o: '{"k":[1]}',
    t: 'true',
    z: '',
  });
  assert.deepEqual(stringMap({ a: 'b', n: 2 }), { a: 'b', n: '2' });
  assert.deepEqual(stringMap(['x']), {});
});
