// The TypeScript SDK against a real node on loopback (fake clouds behind it: see fake-clouds.ts).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, OaktreeError, Status, serverStatusName, type OaktreeClient } from '../../../src/client/index.ts';
import { startFakeClouds, type FakeClouds } from './fake-clouds.ts';

describe('oaktree/client', () => {
  let clouds: FakeClouds;
  let failing: FakeClouds;
  let client: OaktreeClient;
  let failingClient: OaktreeClient;
  let dir: string;

  const seen: { deadline?: Date | undefined } = {};

  before(async () => {
    clouds = await startFakeClouds({ seen });
    failing = await startFakeClouds({ failRegion: 'alpha/RegionTwo', buildMs: 2000 });
    client = connect(clouds.address);
    failingClient = connect(failing.address);
    dir = await mkdtemp(join(tmpdir(), 'oaktree-client-'));
  });
  after(async () => {
    client.close();
    failingClient.close();
    await Promise.all([clouds.close(), failing.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the locations of every cloud, and of one cloud with a selector', async () => {
    const all = await client.listLocations().toArray();
    assert.deepEqual(all.map((l) => `${l.cloud}/${l.region}`).sort(), [
      'alpha/RegionOne',
      'alpha/RegionTwo',
      'beta/RegionOne',
    ]);
    const alpha = await client.listLocations({ cloud: 'alpha' }).toArray();
    assert.equal(alpha.length, 2);
  });

  it('lists flavors across clouds as an async iterable of bare objects', async () => {
    const names: string[] = [];
    for await (const flavor of client.listFlavors())
      names.push(`${flavor.location!.cloud}/${flavor.location!.region}/${flavor.name}`);
    assert.equal(names.length, 6);
    assert.ok(names.includes('beta/RegionOne/m1.large'));
  });

  it('surfaces in-band errors via onError and .errors, and keeps the other locations', async () => {
    const seen: OaktreeError[] = [];
    const stream = failingClient.listFlavors(undefined, { onError: (error) => seen.push(error) });
    const flavors = await stream.toArray();
    assert.equal(flavors.length, 4);
    assert.equal(seen.length, 1);
    assert.equal(stream.errors.length, 1);
    const error = seen[0]!;
    assert.ok(error instanceof OaktreeError);
    assert.equal(error.code, Status.UNAVAILABLE);
    assert.equal(error.codeName, 'UNAVAILABLE');
    assert.equal(error.location?.cloud, 'alpha');
    assert.equal(error.location?.region, 'RegionTwo');
    assert.ok(error.inBand);
    assert.match(String(error), /^UNAVAILABLE: \[alpha\/RegionTwo\] /);
  });

  it('strict makes one failing location fail the whole list with a typed error', async () => {
    await assert.rejects(failingClient.listFlavors(undefined, { strict: true }).toArray(), (error: unknown) => {
      assert.ok(error instanceof OaktreeError);
      assert.equal(error.code, Status.UNAVAILABLE);
      return true;
    });
  });

  it('gets a flavor by name in one region; an ambiguous name is INVALID_ARGUMENT naming candidates', async () => {
    const flavor = await client.getFlavor('m1.small', { cloud: 'beta' });
    assert.equal(flavor.location!.cloud, 'beta');
    await assert.rejects(client.getFlavor('m1.small'), (error: OaktreeError) => error.code === Status.INVALID_ARGUMENT);
    await assert.rejects(client.getFlavor('nope', { cloud: 'beta' }), (error: OaktreeError) => {
      assert.equal(error.codeName, 'NOT_FOUND');
      assert.equal(error.location, undefined);
      return true;
    });
  });

  it('creates a server with wait, reporting stages, resolving ACTIVE; gets, waits for and deletes it', async () => {
    const stages: string[] = [];
    const server = await client.createServer(
      {
        location: { cloud: 'alpha', region: 'RegionOne' },
        name: 'web-1',
        image: 'cirros',
        flavor: 'm1.small',
        wait: true,
      },
      { onProgress: (stage) => stages.push(stage) },
    );
    assert.deepEqual(stages, ['accepted', 'progress', 'ready']);
    assert.equal(serverStatusName(server.status), 'ACTIVE');
    assert.equal(server.interfaceIp, '10.0.0.5');
    const got = await client.getServer('web-1');
    assert.equal(got.id, server.id);
    const waited = await client.waitForServer(server.id, { cloud: 'alpha' });
    assert.equal(serverStatusName(waited.status), 'ACTIVE');
    assert.equal(await client.getServerConsole('web-1'), 'login: ');
    const deleted = await client.deleteServer('web-1', { cloud: 'alpha', region: 'RegionOne' });
    assert.equal(deleted.id, server.id);
    await assert.rejects(client.getServer('web-1'), (error: OaktreeError) => error.code === Status.NOT_FOUND);
  });

  it('a server that goes to ERROR while waiting rejects with ABORTED after a failed stage', async () => {
    const stages: string[] = [];
    const where = { cloud: 'alpha', region: 'RegionTwo' };
    await assert.rejects(
      client.createServer(
        { location: where, name: 'doomed', image: 'broken', flavor: 'm1.small', wait: true },
        {
          onProgress: (stage) => stages.push(stage),
        },
      ),
      (error: OaktreeError) => error.codeName === 'ABORTED' && /still exists/.test(error.message),
    );
    assert.deepEqual(stages, ['accepted', 'failed']);
    await client.deleteServer('doomed', where);
  });

  it('a write whose selector matches several regions is INVALID_ARGUMENT', async () => {
    await assert.rejects(
      client.createServer({ location: { cloud: 'alpha' }, name: 'x', image: 'cirros', flavor: 'm1.small' }),
      (error: OaktreeError) => error.code === Status.INVALID_ARGUMENT && /RegionTwo/.test(error.message),
    );
  });

  it('timeoutMs fails a slow call with DEADLINE_EXCEEDED; an AbortSignal with CANCELLED', async () => {
    const spec = { location: { cloud: 'beta' }, name: 'slow', image: 'cirros', flavor: 'm1.small', wait: true };
    const started = Date.now();
    await assert.rejects(failingClient.createServer(spec, { timeoutMs: 100 }), (error: OaktreeError) => {
      assert.equal(error.codeName, 'DEADLINE_EXCEEDED');
      return true;
    });
    assert.ok(Date.now() - started < 1500);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50); // cancel mid-call; a cancel before it started ends the same way
    await assert.rejects(
      failingClient.createServer({ ...spec, name: 'slow-2' }, { signal: controller.signal }),
      (error: OaktreeError) => error.code === Status.CANCELLED,
    );
    const list = failingClient.listServers(undefined, { signal: AbortSignal.abort() });
    await assert.rejects(list.toArray(), (error: OaktreeError) => error.code === Status.CANCELLED);
  });

  it('timeoutMs travels to the node as the call deadline (every backend gets the time left)', async () => {
    await client.listFlavors({ cloud: 'beta' }).toArray();
    assert.equal(seen.deadline, undefined);
    const before = Date.now();
    await client.listFlavors({ cloud: 'beta' }, { timeoutMs: 5000 }).toArray();
    const left = seen.deadline!.getTime() - before;
    assert.ok(left > 4000 && left <= 5100, `deadline ${left} ms after the call started`);
  });

  it('uploads from a file with progress, downloads to a file with checksums, deletes', async () => {
    const source = join(dir, 'disk.qcow2');
    const bytes = Buffer.alloc(2.5 * 1024 * 1024, 7);
    await writeFile(source, bytes);
    const progress: number[] = [];
    const outcome = await client.uploadImage(
      source,
      { name: 'disk', location: { cloud: 'beta' }, diskFormat: 'qcow2' },
      { onProgress: (p) => progress.push(p.bytes) },
    );
    assert.equal(outcome.images.length, 1);
    assert.equal(outcome.bytesSent, bytes.length);
    assert.deepEqual(progress, [1024 * 1024, 2 * 1024 * 1024, bytes.length]);
    const target = join(dir, 'back.qcow2');
    const download = await client.downloadImage('disk', target, { cloud: 'beta' });
    assert.equal(download.sizeBytes, bytes.length);
    assert.deepEqual(await readFile(target), bytes);
    await client.deleteImage('disk', { cloud: 'beta' });
    await assert.rejects(
      client.getImage('disk', { cloud: 'beta' }),
      (error: OaktreeError) => error.code === Status.NOT_FOUND,
    );
  });

  it('uploads to every region of a cloud in one stream (allMatchingLocations)', async () => {
    const outcome = await client.uploadImage(Buffer.from('tiny image'), {
      name: 'tiny',
      location: { cloud: 'alpha' },
      allMatchingLocations: true,
    });
    assert.deepEqual(outcome.images.map((i) => i.location!.region).sort(), ['RegionOne', 'RegionTwo']);
  });

  it('keypairs, floating IPs, networks, ports, volumes, zones, limits, capabilities, routes', async () => {
    const where = { cloud: 'beta', region: 'RegionOne' };
    const created = await client.createKeypair('me', where);
    assert.match(created.privateKey, /PRIVATE KEY/);
    await assert.rejects(
      client.createKeypair('me', where),
      (error: OaktreeError) => error.code === Status.ALREADY_EXISTS,
    );
    assert.deepEqual(
      (await client.listKeypairs(where).toArray()).map((k) => k.name),
      ['me'],
    );
    await client.deleteKeypair('me', where);

    await client.createServer({ location: where, name: 'db', image: 'cirros', flavor: 'm1.small' });
    const fip = await client.createFloatingIp(where);
    assert.equal((await client.attachFloatingIp(fip.id, 'db', where)).isAttached, true);
    assert.equal((await client.detachFloatingIp(fip.id, where)).isAttached, false);
    const swept = await client.deleteUnattachedFloatingIps(where);
    assert.deepEqual(
      swept.deleted.map((f) => f.id),
      [fip.id],
    );
    assert.equal((await client.listFloatingIps(where).toArray()).length, 0);

    assert.equal((await client.listNetworks().toArray()).length, 6);
    const ports = await client.listPorts(where).toArray();
    await client.deletePort(ports[0]!.id, where);

    const volume = await client.createVolume({ location: where, name: 'data', sizeGb: 1 });
    assert.equal((await client.attachVolume('data', 'db', where)).attachments[0]!.device, '/dev/vdb');
    await client.detachVolume('data', 'db', where);
    assert.equal((await client.deleteVolume('data', where)).id, volume.id);
    await client.deleteServer('db', where);

    assert.equal((await client.listAvailabilityZones().toArray()).length, 3);
    assert.equal((await client.listLimits({ cloud: 'alpha' }).toArray()).length, 2);
    const caps = await client.listCapabilities(where).toArray();
    assert.deepEqual(caps[0]!.image!.diskFormats, ['qcow2', 'raw']);
    const routes = await client.listRoutes().toArray();
    assert.equal(routes.length, 3);
    assert.equal(routes[0]!.path[0], 'fake-clouds', 'a path starts at the node that answered');
  });

  it('watches servers: a snapshot, a synced marker per location, then changes with resume tokens', async () => {
    const where = { cloud: 'beta', region: 'RegionOne' };
    await client.createServer({ location: where, name: 'watched', image: 'cirros', flavor: 'm1.small' });
    const events = [];
    for await (const event of client.watchServers(where)) {
      events.push(event);
      if (event.type === 'added') break;
    }
    assert.deepEqual(
      events.map((e) => e.type),
      ['existing', 'synced', 'added'],
    );
    const last = events.at(-1)!;
    assert.ok('resumeToken' in last && last.resumeToken);
    await client.deleteServer('watched', where);
  });

  it('a node that is not there fails with UNAVAILABLE, quickly with a timeout', async () => {
    const nowhere = connect('127.0.0.1:1');
    try {
      await assert.rejects(nowhere.listLocations(undefined, { timeoutMs: 3000 }).toArray(), (error: OaktreeError) =>
        [Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED].includes(error.code),
      );
    } finally {
      nowhere.close();
    }
  });
});
