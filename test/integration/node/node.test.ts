// The node over a real socket: health, reflection with a standard tool, errors that say what to fix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createChannel, createClient, type ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { HealthDefinition } from 'nice-grpc-server-health';
import { OAKTREE_SERVICES } from '../../../src/node/server.ts';
import { clients, collect, inProcessNode, ROOT } from '../../support/node.ts';
import { fixedBackend } from '../../support/fixed-backend.ts';

const node = await inProcessNode([
  fixedBackend({ cloud: 'alpha', regions: ['R1', 'R2'] }),
  fixedBackend({ cloud: 'beta' }),
]);
const api = clients(node.address);
after(async () => {
  api.close();
  await node.close();
});

test('health reports SERVING for the node and every oaktree service', async () => {
  const channel = createChannel(node.address);
  const health = createClient(HealthDefinition, channel);
  for (const service of ['', ...OAKTREE_SERVICES]) {
    const response = await health.check({ service });
    assert.equal(response.status, 1 /* SERVING */, service || '(node)');
  }
  channel.close();
});

test('reflection lets a standard tool (buf curl) list every method of every service', async () => {
  const { stdout } = await promisify(execFile)(
    `${ROOT}node_modules/.bin/buf`,
    ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-methods', `http://${node.address}`],
    { cwd: ROOT },
  );
  const methods = stdout.trim().split('\n');
  for (const service of OAKTREE_SERVICES) {
    assert.ok(
      methods.some((m) => m.startsWith(`${service}/`)),
      `${service} is listed`,
    );
  }
  for (const rpc of [
    'ComputeService/CreateServer',
    'ImageService/UploadImage',
    'LimitsService/ListLimits',
    'NetworkService/DeleteUnattachedFloatingIPs',
  ]) {
    assert.ok(methods.includes(`oaktree.v1.${rpc}`), rpc);
  }
  assert.ok(methods.includes('oaktree.mesh.v1.MeshService/ListRoutes'), 'the mesh service, in its own package');
  assert.ok(methods.length >= 40, `${methods.length} methods`);
});

test('a standard tool can call a server-streaming method through reflection', async () => {
  const { stdout } = await promisify(execFile)(
    `${ROOT}node_modules/.bin/buf`,
    [
      'curl',
      '--protocol',
      'grpc',
      '--http2-prior-knowledge',
      '-d',
      '{"location":{"cloud":"beta"}}',
      `http://${node.address}/oaktree.v1.ComputeService/ListFlavors`,
    ],
    { cwd: ROOT },
  );
  assert.match(stdout, /"name": "f-0"/);
  assert.doesNotMatch(stdout, /alpha/);
});

test('a malformed selector is INVALID_ARGUMENT with a message that says what to fix', async () => {
  await assert.rejects(
    collect(api.compute.listFlavors({ location: { cloud: '*' } })),
    (error: ServerError) =>
      error.code === Status.INVALID_ARGUMENT && /no wildcards; leave the field empty/.test(error.details),
  );
  await assert.rejects(
    collect(api.compute.listFlavors({ location: { region: ' R1' } })),
    (error: ServerError) => error.code === Status.INVALID_ARGUMENT && /spaces/.test(error.details),
  );
});

test('a selector that matches nothing is NOT_FOUND and names what the node reaches', async () => {
  await assert.rejects(
    collect(api.compute.listFlavors({ location: { cloud: 'gamma' } })),
    (error: ServerError) =>
      error.code === Status.NOT_FOUND && /alpha\/R1/.test(error.details) && /beta/.test(error.details),
  );
});

test('ListLocations lists every location once, filtered by the selector', async () => {
  const all = await collect(api.location.listLocations({}));
  assert.equal(all.length, 3);
  const alpha = await collect(api.location.listLocations({ location: { cloud: 'alpha' } }));
  assert.deepEqual(alpha.map((r) => (r.item as any).value.region).sort(), ['R1', 'R2']);
});

test('a method whose backend part is not built answers UNIMPLEMENTED, in-band for lists, as status for writes', async () => {
  const items = await collect(api.compute.listServers({ location: { cloud: 'beta' } }));
  assert.equal(items.length, 1);
  assert.equal(items[0].item?.$case, 'error');
  assert.equal((items[0].item as any).value.code, Status.UNIMPLEMENTED);
  await assert.rejects(
    api.compute.deleteKeypair({ location: { cloud: 'beta' }, name: 'k' }),
    (error: ServerError) => error.code === Status.UNIMPLEMENTED,
  );
});

test('a write with an ambiguous selector is INVALID_ARGUMENT naming the candidate locations', async () => {
  await assert.rejects(
    api.compute.deleteKeypair({ location: { cloud: 'alpha' }, name: 'k' }),
    (error: ServerError) =>
      error.code === Status.INVALID_ARGUMENT && /alpha\/R1/.test(error.details) && /alpha\/R2/.test(error.details),
  );
});

test('missing required fields are INVALID_ARGUMENT naming the field', async () => {
  await assert.rejects(
    api.compute.getFlavor({ location: {} }),
    (error: ServerError) => error.code === Status.INVALID_ARGUMENT && /name_or_id is required/.test(error.details),
  );
  await assert.rejects(
    collect(
      api.compute.createServer({ location: { cloud: 'beta' }, name: 'x', flavor: 'f', image: 'i', floatingIp: 3 }),
    ),
    (error: ServerError) => error.code === Status.INVALID_ARGUMENT && /set wait to true/.test(error.details),
  );
});

test('GetFlavor finds one by name across locations or names every candidate', async () => {
  const one = await api.compute.getFlavor({ location: { cloud: 'beta' }, nameOrId: 'f-1' });
  assert.equal(one.flavor?.location?.cloud, 'beta');
  await assert.rejects(
    api.compute.getFlavor({ nameOrId: 'f-1' }),
    (error: ServerError) => error.code === Status.INVALID_ARGUMENT && /3 flavors match "f-1"/.test(error.details),
  );
  await assert.rejects(
    api.compute.getFlavor({ nameOrId: 'f-9' }),
    (error: ServerError) => error.code === Status.NOT_FOUND,
  );
});

test('a call that already passed this node is refused (loop safety)', async () => {
  const { Metadata } = await import('nice-grpc-common');
  const { encodeRoutingHeader } = await import('../../../src/core/routing-header.ts');
  const routing = encodeRoutingHeader(['edge', 'test-node', 'hub']);
  await assert.rejects(
    collect(api.compute.listFlavors({}, { metadata: Metadata({ 'oaktree-routing-bin': routing }) })),
    (error: ServerError) => error.code === Status.FAILED_PRECONDITION && /routing loop/.test(error.details),
  );
});
