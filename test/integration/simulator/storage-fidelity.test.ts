// Cinder and Glance on the simulator answer what the real cloud answers (the comparison itself runs in
// test/real/storage-fidelity.test.ts; here the simulator's side is checked on its own, with no real cloud).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulatorStorageAnswers } from '../../support/storage-fidelity.ts';

test('the simulator answers every cinder and glance request as the real cloud does', { timeout: 120_000 }, async () => {
  const a = (await simulatorStorageAnswers(`storage-fid-${Date.now().toString(36)}`)) as any;
  assert.equal(a.typeCreateAsMember.status, 403);
  assert.equal(a.hostsAsMember.status, 403);
  assert.equal(a.extensions.status, 200);
  assert.equal(a.snapshotCreate.status, 202);
  assert.equal(a.deleteWithSnapshot.status, 400);
  assert.deepEqual(a.readonlyShown, { readonly: 'True' });
  assert.equal(a.memberSchema.status, 200);
  assert.equal(a.membersSchema.status, 200);
  assert.equal(a.memberDuplicate.status, 409);
});
