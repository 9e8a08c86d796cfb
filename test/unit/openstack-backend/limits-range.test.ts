// Issue 22, defect 5: usage beyond an int32 field is clamped in normalization, and a message that still cannot be
// encoded fails only its own location (the handler's error becomes that location's in-band item).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Status } from 'nice-grpc-common';
import { Limits } from '../../../src/gen/oaktree/v1/limits.ts';
import { volumeLimitsFrom } from '../../../src/backends/openstack/volume/limits.ts';
import { normalizeComputeLimits } from '../../../src/backends/openstack/normalize/limits.ts';
import { encodable } from '../../../src/backends/openstack/encodable.ts';
import { OaktreeError } from '../../../src/core/errors.ts';

const INT32_MAX = 2_147_483_647;

test('volume and compute usage beyond int32 are clamped, and the limits encode', () => {
  const volume = volumeLimitsFrom({
    totalGigabytesUsed: 3 * INT32_MAX,
    maxTotalVolumeGigabytes: -1,
    totalVolumesUsed: -5,
    maxTotalVolumes: 1e300,
  });
  assert.equal(volume.usedGigabytes, INT32_MAX);
  assert.equal(volume.maxGigabytes, -1, 'unlimited stays -1');
  assert.equal(volume.usedVolumes, -1);
  assert.equal(volume.maxVolumes, INT32_MAX);
  const { compute } = normalizeComputeLimits({ limits: { absolute: { totalRAMUsed: 5e12 } } });
  assert.equal(compute.usedRamMb, INT32_MAX);
  const limits = { location: undefined, compute, volume, properties: {} };
  assert.equal(encodable(Limits, limits, 'limits'), limits);
});

test("a message that cannot be encoded is its location's error, not a serialization failure of the call", () => {
  const bad = {
    location: undefined,
    compute: undefined,
    volume: { ...volumeLimitsFrom({}), usedGigabytes: 3 * INT32_MAX },
    properties: {},
  };
  assert.throws(
    () => encodable(Limits, bad, 'limits'),
    (error: OaktreeError) => {
      assert.ok(error instanceof OaktreeError);
      assert.equal(error.grpcCode, Status.INTERNAL);
      assert.match(error.message, /the cloud's limits could not be encoded/);
      return true;
    },
  );
});
