import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Collection } from '../../../src/simulator/collection.ts';

test('pages after a marker in both directions and survives deletes', () => {
  const c = new Collection<{ id: string }>();
  for (let i = 0; i < 300; i++) c.add({ id: `x${i}` });
  for (let i = 0; i < 200; i += 2) c.delete(`x${i}`);
  const first = c.page({ limit: 5, descending: true })!;
  assert.deepEqual(
    first.items.map((i) => i.id),
    ['x299', 'x298', 'x297', 'x296', 'x295'],
  );
  assert.equal(first.more, true);
  const after = c.page({ marker: 'x101', limit: 3 })!;
  assert.deepEqual(
    after.items.map((i) => i.id),
    ['x103', 'x105', 'x107'],
  );
  assert.equal(c.page({ marker: 'nope', limit: 3 }), undefined);
  assert.equal(c.size, 200);
  const all = c.page({ limit: Infinity })!;
  assert.equal(all.items.length, 200);
  assert.equal(all.more, false);
});
