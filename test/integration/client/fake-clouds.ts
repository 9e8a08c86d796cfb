// Fake clouds for client tests: a real oaktree node (startNode, real gRPC on loopback) over HandlerBackends whose
// handlers keep a little state in memory (servers, images, keypairs, floating IPs, volumes). Two clouds:
// "alpha" with RegionOne and RegionTwo, "beta" with RegionOne. `failRegion` makes one region's lists fail, to see
// in-band errors. Only the OpenStack cloud behind the node is replaced; node, router and gRPC are the real ones.
import { createHash } from 'node:crypto';
import { delay } from 'abort-controller-x';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { HandlerBackend, type LocationHandlers } from '../../../src/backends/handler-backend.ts';
import { Capabilities } from '../../../src/gen/oaktree/v1/capabilities.ts';
import {
  AvailabilityZone,
  CreateServerStage,
  Flavor,
  Keypair,
  Server,
  ServerEventType,
  ServerStatus,
} from '../../../src/gen/oaktree/v1/compute.ts';
import { Image, ImageStatus, UploadImageResponse } from '../../../src/gen/oaktree/v1/image.ts';
import { Limits } from '../../../src/gen/oaktree/v1/limits.ts';
import type { Location } from '../../../src/gen/oaktree/v1/location.ts';
import { FloatingIP, Network, Port } from '../../../src/gen/oaktree/v1/network.ts';
import { Volume, VolumeStatus } from '../../../src/gen/oaktree/v1/volume.ts';
import { startNode, type RunningNode } from '../../../src/node/server.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { locationToken, positionIn } from '../../../src/cache/watch-token.ts';
import { routeKey } from '../../../src/core/location.ts';

export function fakeLocation(cloud: string, region: string): Location {
  return {
    cloud,
    region,
    zone: '',
    project: { id: 'demo-id', name: 'demo', domainId: 'default', domainName: 'Default' },
  };
}

interface RegionState {
  servers: Map<string, Server>;
  images: Map<string, { image: Image; data: Buffer }>;
  keypairs: Map<string, Keypair>;
  floatingIps: Map<string, FloatingIP>;
  volumes: Map<string, Volume>;
}

export interface FakeCloudsOptions {
  /** "cloud/region" whose lists fail with UNAVAILABLE. */
  failRegion?: string;
  /** How long a server stays BUILDING. */
  buildMs?: number;
  /** Filled by ListFlavors: the deadline the node handed the backend (from the client's grpc-timeout). */
  seen?: { deadline?: Date | undefined };
}

export interface FakeClouds {
  node: RunningNode;
  address: string;
  state: (cloud: string, region: string) => RegionState;
  close(): Promise<void>;
}

let counter = 0;
const nextId = (kind: string) => `${kind}-${++counter}`;
const matches = (nameOrId: string, object: { id?: string; name?: string }) =>
  !nameOrId || nameOrId === object.id || nameOrId === object.name;

function cloudBackend(cloud: string, regions: string[], options: FakeCloudsOptions, states: Map<string, RegionState>) {
  const locations = regions.map((region) => fakeLocation(cloud, region));
  const stateOf = (target: Location): RegionState => {
    const key = `${target.cloud}/${target.region}`;
    let state = states.get(key);
    if (!state) {
      state = {
        servers: new Map(),
        images: new Map(),
        keypairs: new Map(),
        floatingIps: new Map(),
        volumes: new Map(),
      };
      const image = Image.fromPartial({
        location: target,
        id: `${key}-cirros`,
        name: 'cirros',
        status: ImageStatus.IMAGE_STATUS_ACTIVE,
        diskFormat: 'qcow2',
        containerFormat: 'bare',
        sizeBytes: 5n,
      });
      state.images.set(image.id, { image, data: Buffer.from('cirro') });
      states.set(key, state);
    }
    return state;
  };
  const failing = (target: Location) => {
    if (options.failRegion === `${target.cloud}/${target.region}`) {
      throw new ServerError(Status.UNAVAILABLE, `${target.cloud}/${target.region} is not answering (simulated)`);
    }
  };
  const zoned = (target: Location): Location => ({ ...target, zone: 'nova' });
  const findServer = (target: Location, nameOrId: string) => {
    const found = [...stateOf(target).servers.values()].find((s) => matches(nameOrId, s));
    if (!found) throw new ServerError(Status.NOT_FOUND, `no server named or with id "${nameOrId}"`);
    return found;
  };

  const handlers: LocationHandlers = {
    async *listFlavors(request, target, ctx) {
      if (options.seen) options.seen.deadline = ctx.deadline;
      failing(target);
      for (const [n, name] of ['m1.small', 'm1.large'].entries()) {
        const flavor = Flavor.fromPartial({
          location: target,
          id: `${target.region}-flavor-${n}`,
          name,
          vcpus: 1 + n * 3,
          ramMb: 2048 * (1 + n * 3),
          diskGb: 20,
          isPublic: true,
        });
        if (matches(request.nameOrId, flavor)) yield flavor;
      }
    },
    async *listServers(request, target) {
      failing(target);
      for (const server of stateOf(target).servers.values()) if (matches(request.nameOrId, server)) yield server;
    },
    async *createServer(request, target, ctx) {
      if (request.flavor !== 'm1.small' && request.flavor !== 'm1.large') {
        throw new ServerError(
          Status.INVALID_ARGUMENT,
          `no flavor "${request.flavor}" in ${target.cloud}/${target.region}`,
        );
      }
      const server = Server.fromPartial({
        location: zoned(target),
        id: nextId('server'),
        name: request.name,
        status: ServerStatus.SERVER_STATUS_BUILDING,
        cloudStatus: 'BUILD',
        flavor: { name: request.flavor },
        image: { name: request.image },
        createTime: new Date(),
      });
      stateOf(target).servers.set(server.id, server);
      yield { stage: CreateServerStage.CREATE_SERVER_STAGE_ACCEPTED, server };
      if (!request.wait) return;
      await delay(ctx.signal, options.buildMs ?? 30);
      if (request.image === 'broken') {
        const failed = Server.fromPartial({
          ...server,
          status: ServerStatus.SERVER_STATUS_ERROR,
          fault: { code: 500, message: 'No valid host was found' },
        });
        stateOf(target).servers.set(server.id, failed);
        yield { stage: CreateServerStage.CREATE_SERVER_STAGE_FAILED, server: failed };
        throw new ServerError(
          Status.ABORTED,
          `server ${server.id} went to ERROR: No valid host was found; it still exists`,
        );
      }
      const progressing = { ...server, progress: 50 };
      yield { stage: CreateServerStage.CREATE_SERVER_STAGE_PROGRESS, server: progressing };
      await delay(ctx.signal, options.buildMs ?? 30);
      const active = Server.fromPartial({
        ...server,
        status: ServerStatus.SERVER_STATUS_ACTIVE,
        cloudStatus: 'ACTIVE',
        privateV4: '10.0.0.5',
        interfaceIp: '10.0.0.5',
        addresses: [{ network: 'private', address: '10.0.0.5', version: 4 }],
      });
      stateOf(target).servers.set(server.id, active);
      yield { stage: CreateServerStage.CREATE_SERVER_STAGE_READY, server: active };
    },
    async deleteServer(request, target) {
      const server = findServer(target, request.nameOrId);
      stateOf(target).servers.delete(server.id);
      return { location: server.location, id: server.id, floatingIpsDeleted: 0 };
    },
    async *waitForServer(request, target, ctx) {
      const server = findServer(target, request.nameOrId);
      yield { server };
      await delay(ctx.signal, options.buildMs ?? 30);
      yield { server: { ...server, status: ServerStatus.SERVER_STATUS_ACTIVE, cloudStatus: 'ACTIVE' } };
    },
    async *watchServers(request, target, ctx) {
      // Positions in the node's token format: each location stamps its own, the node merges them.
      const key = routeKey(target);
      const servers = [...stateOf(target).servers.values()];
      let n = positionIn(request.resumeToken, key)?.seq ?? 0;
      const token = () => locationToken(key, 'fake', ++n);
      if (!request.resumeToken) {
        for (const server of servers) {
          yield {
            item: { $case: 'event', value: { type: ServerEventType.SERVER_EVENT_TYPE_EXISTING, server } },
            resumeToken: token(),
          };
        }
        yield {
          item: { $case: 'checkpoint', value: { location: target, initialStateComplete: true } },
          resumeToken: token(),
        };
      }
      await delay(ctx.signal, 20);
      const server = Server.fromPartial({ location: zoned(target), id: `watched-${n}`, name: `watched-${n}` });
      yield {
        item: { $case: 'event', value: { type: ServerEventType.SERVER_EVENT_TYPE_ADDED, server } },
        resumeToken: token(),
      };
    },
    async getServerConsole(request, target) {
      const server = findServer(target, request.nameOrId);
      return { location: server.location, serverId: server.id, output: 'login: ' };
    },
    async *listAvailabilityZones(_request, target) {
      yield AvailabilityZone.fromPartial({ location: zoned(target), name: 'nova', available: true });
    },
    async *listKeypairs(_request, target) {
      failing(target);
      yield* stateOf(target).keypairs.values();
    },
    async createKeypair(request, target) {
      if (stateOf(target).keypairs.has(request.name)) {
        throw new ServerError(Status.ALREADY_EXISTS, `keypair "${request.name}" already exists`);
      }
      const keypair = Keypair.fromPartial({
        location: target,
        name: request.name,
        publicKey: request.publicKey || 'ssh-ed25519 AAAAgenerated',
        fingerprint: 'aa:bb',
      });
      stateOf(target).keypairs.set(request.name, keypair);
      return { keypair, privateKey: request.publicKey ? '' : '-----BEGIN OPENSSH PRIVATE KEY-----' };
    },
    async deleteKeypair(request, target) {
      if (!stateOf(target).keypairs.delete(request.name)) {
        throw new ServerError(Status.NOT_FOUND, `no keypair "${request.name}"`);
      }
      return { location: target };
    },
    async *listImages(request, target) {
      failing(target);
      for (const { image } of stateOf(target).images.values()) if (matches(request.nameOrId, image)) yield image;
    },
    async uploadImage(requests, targets) {
      let header: any;
      const chunks: Buffer[] = [];
      for await (const message of requests) {
        if (message.part?.$case === 'header') header = message.part.value;
        else if (message.part?.$case === 'chunk') chunks.push(Buffer.from(message.part.value));
      }
      const data = Buffer.concat(chunks);
      const sha256 = createHash('sha256').update(data).digest('hex');
      const results = targets.map((target) => {
        if (header.sha256 && header.sha256 !== sha256) {
          return {
            location: target,
            error: { location: target, code: Status.DATA_LOSS, message: 'sha256 mismatch' },
            bytesStored: 0n,
          };
        }
        const image = Image.fromPartial({
          location: target,
          id: nextId('image'),
          name: header.name,
          status: ImageStatus.IMAGE_STATUS_ACTIVE,
          diskFormat: header.diskFormat || 'qcow2',
          containerFormat: header.containerFormat || 'bare',
          sizeBytes: BigInt(data.length),
        });
        stateOf(target).images.set(image.id, { image, data });
        return { location: target, image, bytesStored: BigInt(data.length) };
      });
      return UploadImageResponse.fromPartial({ results, bytesReceived: BigInt(data.length) });
    },
    async *downloadImage(request, target) {
      const entry = [...stateOf(target).images.values()].find(({ image }) => matches(request.nameOrId, image));
      if (!entry) throw new ServerError(Status.NOT_FOUND, `no image "${request.nameOrId}"`);
      yield { part: { $case: 'image', value: entry.image } };
      for (let at = 0; at < entry.data.length; at += 1000) {
        yield { part: { $case: 'chunk', value: entry.data.subarray(at, at + 1000) } };
      }
      yield {
        part: {
          $case: 'trailer',
          value: {
            sizeBytes: BigInt(entry.data.length),
            md5: createHash('md5').update(entry.data).digest('hex'),
            sha256: createHash('sha256').update(entry.data).digest('hex'),
          },
        },
      };
    },
    async deleteImage(request, target) {
      const entry = [...stateOf(target).images.values()].find(({ image }) => matches(request.nameOrId, image));
      if (!entry) throw new ServerError(Status.NOT_FOUND, `no image "${request.nameOrId}"`);
      stateOf(target).images.delete(entry.image.id);
      return { location: target, id: entry.image.id };
    },
    async *listNetworks(_request, target) {
      failing(target);
      yield Network.fromPartial({
        location: target,
        id: `${target.region}-net-public`,
        name: 'public',
        isExternal: true,
      });
      yield Network.fromPartial({ location: target, id: `${target.region}-net-private`, name: 'private' });
    },
    async *listPorts(_request, target) {
      yield Port.fromPartial({
        location: target,
        id: `${target.region}-port-1`,
        name: '',
        networkId: `${target.region}-net-private`,
      });
    },
    async deletePort(request, target) {
      if (request.id !== `${target.region}-port-1`) throw new ServerError(Status.NOT_FOUND, `no port ${request.id}`);
      return { location: target };
    },
    async *listFloatingIps(_request, target) {
      yield* stateOf(target).floatingIps.values();
    },
    async createFloatingIp(request, target) {
      const fip = FloatingIP.fromPartial({
        location: target,
        id: nextId('fip'),
        floatingIpAddress: `203.0.113.${counter}`,
        serverId: request.server,
        isAttached: Boolean(request.server),
      });
      stateOf(target).floatingIps.set(fip.id, fip);
      return { floatingIp: fip };
    },
    async attachFloatingIp(request, target) {
      const fip = stateOf(target).floatingIps.get(request.floatingIp);
      if (!fip) throw new ServerError(Status.NOT_FOUND, `no floating IP ${request.floatingIp}`);
      Object.assign(fip, { serverId: request.server, isAttached: true });
      return { floatingIp: fip };
    },
    async detachFloatingIp(request, target) {
      const fip = stateOf(target).floatingIps.get(request.floatingIp);
      if (!fip) throw new ServerError(Status.NOT_FOUND, `no floating IP ${request.floatingIp}`);
      Object.assign(fip, { serverId: '', isAttached: false });
      return { floatingIp: fip };
    },
    async deleteFloatingIp(request, target) {
      if (!stateOf(target).floatingIps.delete(request.floatingIp)) {
        throw new ServerError(Status.NOT_FOUND, `no floating IP ${request.floatingIp}`);
      }
      return { location: target, id: request.floatingIp };
    },
    async deleteUnattachedFloatingIps(_request, target) {
      const deleted = [...stateOf(target).floatingIps.values()].filter((f) => !f.isAttached);
      for (const fip of deleted) stateOf(target).floatingIps.delete(fip.id);
      return { location: target, deleted };
    },
    async *listVolumes(_request, target) {
      yield* stateOf(target).volumes.values();
    },
    async createVolume(request, target) {
      const volume = Volume.fromPartial({
        location: zoned(target),
        id: nextId('volume'),
        name: request.name,
        sizeGb: request.sizeGb,
        status: VolumeStatus.VOLUME_STATUS_AVAILABLE,
        cloudStatus: 'available',
      });
      stateOf(target).volumes.set(volume.id, volume);
      return { volume };
    },
    async deleteVolume(request, target) {
      const volume = [...stateOf(target).volumes.values()].find((v) => matches(request.nameOrId, v));
      if (!volume) throw new ServerError(Status.NOT_FOUND, `no volume "${request.nameOrId}"`);
      stateOf(target).volumes.delete(volume.id);
      return { location: target, id: volume.id };
    },
    async attachVolume(request, target) {
      const volume = [...stateOf(target).volumes.values()].find((v) => matches(request.volume, v));
      if (!volume) throw new ServerError(Status.NOT_FOUND, `no volume "${request.volume}"`);
      const server = findServer(target, request.server);
      Object.assign(volume, {
        status: VolumeStatus.VOLUME_STATUS_IN_USE,
        attachments: [{ serverId: server.id, device: '/dev/vdb', attachmentId: 'a1' }],
      });
      return { volume };
    },
    async detachVolume(request, target) {
      const volume = [...stateOf(target).volumes.values()].find((v) => matches(request.volume, v));
      if (!volume) throw new ServerError(Status.NOT_FOUND, `no volume "${request.volume}"`);
      Object.assign(volume, { status: VolumeStatus.VOLUME_STATUS_AVAILABLE, attachments: [] });
      return { volume };
    },
    async *listLimits(_request, target) {
      failing(target);
      yield Limits.fromPartial({
        location: target,
        compute: { maxInstances: 10, usedInstances: stateOf(target).servers.size, maxCores: 20, maxRamMb: 51200 },
      });
    },
    async *listCapabilities(_request, target) {
      yield Capabilities.fromPartial({
        location: target,
        image: { diskFormats: ['qcow2', 'raw'], preferredDiskFormat: 'qcow2' },
        network: { hasNetworkService: true },
      });
    },
  };
  return new HandlerBackend({ id: `cloud:${cloud}`, locations: () => locations, handlers });
}

export async function startFakeClouds(options: FakeCloudsOptions = {}): Promise<FakeClouds> {
  const states = new Map<string, RegionState>();
  const backends = [
    cloudBackend('alpha', ['RegionOne', 'RegionTwo'], options, states),
    cloudBackend('beta', ['RegionOne'], options, states),
  ];
  const node = await startNode({ nodeId: 'fake-clouds', listen: '127.0.0.1:0', backends, logger: silentLogger() });
  return {
    node,
    address: node.address,
    state: (cloud, region) => states.get(`${cloud}/${region}`)!,
    close: () => node.close(100),
  };
}
