// The routing header (oaktree.mesh.v1.RoutingHeader as `oaktree-routing-bin`) over a real socket: the node path
// refuses loops and long paths, an assignment limits the locations asked, and a malformed header is the sender's
// mistake (INVALID_ARGUMENT), never INTERNAL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerError } from 'nice-grpc';
import { Metadata, Status } from 'nice-grpc-common';
import { encodeRoutingHeader } from '../../../src/core/routing-header.ts';
import { DEFAULT_MAX_HOPS } from '../../../src/mesh/router.ts';
import { RoutingHeader } from '../../../src/gen/oaktree/mesh/v1/routing.ts';
import { Location } from '../../../src/gen/oaktree/v1/location.ts';
import { clients, collect, inProcessNode } from '../../support/node.ts';
import { fixedBackend } from '../../support/fixed-backend.ts';

const node = await inProcessNode([fixedBackend({ cloud: 'alpha', regions: ['R1', 'R2'], flavors: 1 })], 'routing-node');
const api = clients(node.address);
after(async () => {
  api.close();
  await node.close();
});

const withRouting = (value: Uint8Array) => ({ metadata: Metadata({ 'oaktree-routing-bin': value }) });
const regionsOf = (items: Awaited<ReturnType<typeof listFlavors>>) =>
  items.map((i) => (i.item?.$case === 'flavor' ? i.item.value.location?.region : i.item?.$case)).sort();
const listFlavors = (value: Uint8Array) => collect(api.compute.listFlavors({}, withRouting(value)));

function rejectsWith(code: Status, pattern: RegExp) {
  return (error: ServerError) => {
    assert.equal(Status[error.code], Status[code], error.details);
    assert.match(error.details, pattern);
    return true;
  };
}

test('a path through other nodes is accepted and an unassigned call asks every location', async () => {
  assert.deepEqual(regionsOf(await listFlavors(encodeRoutingHeader(['edge', 'hub']))), ['R1', 'R2']);
});

test('a path longer than the hop limit is refused', async () => {
  const path = Array.from({ length: DEFAULT_MAX_HOPS + 1 }, (_, i) => `n${i}`);
  await assert.rejects(listFlavors(encodeRoutingHeader(path)), rejectsWith(Status.FAILED_PRECONDITION, /hop limit/));
});

test('an assignment limits the call to the assigned locations; an empty one assigns none', async () => {
  const known = await collect(api.location.listLocations({ location: { region: 'R2' } }));
  const served = known[0]?.item?.$case === 'location' ? known[0].item.value : assert.fail('R2 is served');
  const r2 = Location.fromPartial({ ...served, zone: 'zones-are-not-part-of-a-route' });
  assert.deepEqual(regionsOf(await listFlavors(encodeRoutingHeader(['edge'], [r2]))), ['R2']);
  await assert.rejects(
    listFlavors(encodeRoutingHeader(['edge'], [])),
    rejectsWith(Status.NOT_FOUND, /no location matches/),
  );
});

test('bytes that are not a RoutingHeader are INVALID_ARGUMENT with a clear message', async () => {
  await assert.rejects(
    listFlavors(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
    rejectsWith(
      Status.INVALID_ARGUMENT,
      /malformed oaktree-routing-bin metadata: it is not a serialized oaktree\.mesh\.v1\.RoutingHeader/,
    ),
  );
});

test('a node id outside the allowed characters is INVALID_ARGUMENT', async () => {
  const header = RoutingHeader.encode(RoutingHeader.fromPartial({ via: ['edge', 'bad id,with comma'] })).finish();
  await assert.rejects(listFlavors(header), rejectsWith(Status.INVALID_ARGUMENT, /node ids use only letters, digits/));
});

test('the header sent twice is INVALID_ARGUMENT', async () => {
  const metadata = Metadata();
  metadata.append('oaktree-routing-bin', encodeRoutingHeader(['a']));
  metadata.append('oaktree-routing-bin', encodeRoutingHeader(['b']));
  await assert.rejects(
    collect(api.compute.listFlavors({}, { metadata })),
    rejectsWith(Status.INVALID_ARGUMENT, /sent 2 times/),
  );
});
