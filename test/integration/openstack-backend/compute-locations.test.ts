import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, collect } from './harness.ts';

test('each cloud region is a location with the scoped project', async () => {
  const h = await startHarness();
  try {
    const items = await collect(h.clients.location.listLocations({}));
    
    assert.equal(items.length, 3);
  } finally { await h.close(); }
});
