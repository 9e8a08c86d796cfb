// Issue 22, defect 2: a status message is bounded by every node that sends it, so one client's oversized error
// through a peer neither fails its own call with a transport error nor cuts another client's list on that link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ClientError, ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { fixedBackend } from '../../support/fixed-backend.ts';
import { startMesh } from '../../support/mesh.ts';
import { clients } from '../../support/node.ts';
import { MAX_STATUS_MESSAGE_LENGTH } from '../../../src/core/bounded-text.ts';

const FLAVORS = 20_000;

test("an 80 KB error from a peer reaches the client bounded, and a second client's long list is not cut", {
  timeout: 60_000,
}, async () => {
  const far = fixedBackend({
    cloud: 'far',
    flavors: FLAVORS,
    handlers: {
      async deleteKeypair(request: { name: string }) {
        throw new ServerError(Status.FAILED_PRECONDITION, `keypair ${request.name} is in use: ${'x'.repeat(80_000)}`);
      },
    },
  });
  const mesh = await startMesh([
    { id: 'peer', backends: [far] },
    { id: 'edge', peers: ['peer'] },
  ]);
  const first = clients(mesh.address('edge'));
  const second = clients(mesh.address('edge'));
  try {
    let listed = 0;
    const list = (async () => {
      for await (const response of second.compute.listFlavors({
        location: { cloud: 'far', region: '', zone: '', project: undefined },
      })) {
        if (response.item?.$case === 'flavor') listed++;
        else assert.fail(`in-band error in the long list: ${JSON.stringify(response.item)}`);
      }
    })();
    for (let n = 0; n < 5; n++) {
      await assert.rejects(
        first.compute.deleteKeypair({
          location: { cloud: 'far', region: 'RegionOne', zone: '', project: undefined },
          name: 'k',
        }),
        (error: ClientError) => {
          assert.equal(error.code, Status.FAILED_PRECONDITION, error.details.slice(0, 200));
          assert.ok(error.details.length <= MAX_STATUS_MESSAGE_LENGTH, `${error.details.length} characters`);
          assert.ok(error.details.startsWith('keypair k is in use: xxx') && error.details.endsWith('…'));
          return true;
        },
      );
    }
    await list;
    assert.equal(listed, FLAVORS);
  } finally {
    first.close();
    second.close();
    await mesh.close();
  }
});
