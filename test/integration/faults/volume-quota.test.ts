// Issue 22, defect 5: a volume larger than the project's quota is refused like Cinder refuses it (413 with the
// quota message, RESOURCE_EXHAUSTED through oaktree), and limits and capabilities still answer for every location.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import type { ClientError } from 'nice-grpc';
import { collect, startHarness } from '../openstack-backend/harness.ts';

test('a volume over the gigabytes quota is RESOURCE_EXHAUSTED and every location still has limits', {
  timeout: 60_000,
}, async () => {
  const h = await startHarness();
  try {
    const alpha1 = { cloud: 'alpha', region: 'RegionOne', zone: '', project: undefined };
    await assert.rejects(
      h.clients.volume.createVolume({ location: alpha1, name: 'huge', sizeGb: 2_147_483_647 }),
      (error: ClientError) => {
        assert.equal(error.code, Status.RESOURCE_EXHAUSTED, error.details);
        assert.match(error.details, /exceeds allowed gigabytes quota/);
        return true;
      },
    );
    const limits = await collect(h.clients.limits.listLimits({}));
    assert.equal(limits.filter((l) => l.item?.$case === 'limits').length, 3, JSON.stringify(limits));
    const capabilities = await collect(h.clients.capabilities.listCapabilities({}));
    assert.equal(capabilities.filter((c) => c.item?.$case === 'capabilities').length, 3);
  } finally {
    await h.close();
  }
});
