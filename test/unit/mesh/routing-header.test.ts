// The routing header's encoding: what a peer writes is what the next node reads, and "no assignment" stays
// distinct from "an empty assignment".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRoutingHeader, encodeRoutingHeader, viaForLog } from '../../../src/core/routing-header.ts';
import { Location } from '../../../src/gen/oaktree/v1/location.ts';

test('the path and the assigned locations survive the wire', () => {
  const assigned = [Location.fromPartial({ cloud: 'c', region: 'R1', project: { id: 'p1' } })];
  const routing = decodeRoutingHeader([encodeRoutingHeader(['edge', 'hub'], assigned)]);
  assert.deepEqual(routing.via, ['edge', 'hub']);
  assert.deepEqual(routing.assigned, assigned);
});

test('no assignment and an empty assignment are different', () => {
  assert.equal(decodeRoutingHeader([encodeRoutingHeader(['edge'])]).assigned, undefined);
  assert.deepEqual(decodeRoutingHeader([encodeRoutingHeader(['edge'], [])]).assigned, []);
  assert.deepEqual(decodeRoutingHeader([]), { via: [] }, 'a call from a client carries no header');
});

test('a text value is refused, and the log helper never throws', () => {
  assert.throws(() => decodeRoutingHeader(['edge,hub']), /must be binary/);
  assert.equal(viaForLog([Uint8Array.from([0xff])]), undefined);
  assert.equal(viaForLog([encodeRoutingHeader(['a', 'b'])]), 'a,b');
});
