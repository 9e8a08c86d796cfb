// OaktreeClient: oaktree's API as calls that read like openstacksdk's cloud layer (list_servers, get_server,
// create_server(wait=True) ...), over the generated nice-grpc clients. Every call takes an AbortSignal and a
// timeout; every failure is an OaktreeError; lists are ListStreams (in-band errors: see list-stream.ts).
import { randomUUID } from 'node:crypto';
import { createChannel, type Channel, type Client, type TsProtoServiceDefinition } from 'nice-grpc';
import { encodingDefinition } from '../wire/message-encoding.ts';
import { CapabilitiesServiceDefinition, type Capabilities } from '../gen/oaktree/v1/capabilities.ts';
import {
  ComputeServiceDefinition,
  CreateServerStage,
  FloatingIPMode,
  ServerStatus,
  type AvailabilityZone,
  type CreateKeypairResponse,
  type DeleteServerGroupResponse,
  type DeleteServerMetadataResponse,
  type DeleteServerTagsResponse,
  type ServerGroup,
  type SetServerMetadataResponse,
  type SetServerTagsResponse,
  type DeleteServerResponse,
  type Flavor,
  type Keypair,
  type Server,
  type WatchServersRequest,
} from '../gen/oaktree/v1/compute.ts';
import {
  ImageServiceDefinition,
  ImageStatus,
  ImageVisibility,
  type DeleteImageResponse,
  type DownloadImageTrailer,
  type Image,
  type ImageMember,
  ImageMemberStatus,
  type ImportImageRequest,
  type RemoveImageMemberResponse,
  type UpdateImageRequest,
  type UploadImageHeader,
  type UploadImageRequest,
} from '../gen/oaktree/v1/image.ts';
import { LimitsServiceDefinition, type Limits } from '../gen/oaktree/v1/limits.ts';
import { LocationServiceDefinition, type Location } from '../gen/oaktree/v1/location.ts';
import { MeshServiceDefinition, type Route } from '../gen/oaktree/mesh/v1/mesh.ts';
import {
  NetworkServiceDefinition,
  NetworkResourceStatus,
  type DeleteFloatingIPResponse,
  type DeleteNetworkResponse,
  type DeletePortResponse,
  type DeleteRouterResponse,
  type DeleteSecurityGroupResponse,
  type DeleteSecurityGroupRuleResponse,
  type DeleteSubnetResponse,
  type DeleteUnattachedFloatingIPsResponse,
  type FloatingIP,
  type Network,
  type NetworkQuotas,
  type Port,
  type Router,
  type SecurityGroup,
  type SecurityGroupRule,
  type Subnet,
} from '../gen/oaktree/v1/network.ts';
import type * as NetworkWrites from './network-specs.ts';
import {
  VolumeServiceDefinition,
  VolumeStatus,
  type CreateVolumeBackupRequest,
  type CreateVolumeSnapshotRequest,
  type DeleteVolumeBackupResponse,
  type DeleteVolumeResponse,
  type DeleteVolumeSnapshotResponse,
  type UpdateVolumeRequest,
  type UpdateVolumeSnapshotRequest,
  type Volume,
  type VolumeBackup,
  type VolumeSnapshot,
  type VolumeType,
} from '../gen/oaktree/v1/volume.ts';
import { IdentityServiceDefinition, type Caller, type IdentityProject } from '../gen/oaktree/v1/identity.ts';
import { startCall, type CallOptions, type GrpcCallOptions } from './call-options.ts';
import { clientFactory } from './bearer.ts';
import {
  channelCredentials,
  DEFAULT_ENDPOINT,
  tlsChannelOptions,
  withEnvironment,
  type ConnectOptions,
} from './connect-options.ts';
import { fromLocationError, OaktreeError, Status, toOaktreeError } from './errors.ts';
import {
  createServerFields,
  flavorListFields,
  serverFilterFields,
  serverGroupPolicies,
  type CreateServerExtras,
  type FlavorListExtras,
  type ServerFilters,
  type ServerGroupPolicyName,
} from './server-config.ts';
import {
  chunksOf,
  describeSource,
  DownloadWriter,
  type ImageSink,
  type ImageSource,
  type TransferProgress,
} from './image-transfer.ts';
import { ListStream, type ListOptions } from './list-stream.ts';
import {
  ObjectStoreServiceDefinition,
  ObjectUrlMethod,
  type Container,
  type CreateObjectUrlResponse,
  type DeleteContainerResponse,
  type DeleteObjectResponse,
  type DeleteObjectsResponse,
  type StoredObject,
  type UpdateContainerRequest,
  type UploadObjectHeader,
} from '../gen/oaktree/v1/object_store.ts';
import {
  downloadObject,
  uploadObject,
  type DownloadObjectOutcome,
  type ObjectSink,
  type ObjectSource,
  type UploadObjectOutcome,
} from './object-transfer.ts';
import { toLocationSelector, type Selector } from './selector.ts';
import { watchServers, type WatchEvent, type WatchOptions } from './watch.ts';
import {
  actionStageNames,
  toActionOneof,
  type ServerActionOptions,
  type ServerActionSpec,
  type SnapshotServerOptions,
} from './server-actions.ts';

export type CreateServerStageName = 'accepted' | 'progress' | 'attaching-floating-ip' | 'ready' | 'failed';

export interface CreateServerSpec extends CreateServerExtras {
  /** Exactly one cloud and region (zone: the availability zone). */
  location: Selector;
  name: string;
  /** Image name or id. */
  image?: string;
  /** Flavor name or id. */
  flavor: string;
  networks?: string[];
  keyName?: string;
  securityGroups?: string[];
  userData?: string;
  metadata?: Record<string, string>;
  availabilityZone?: string;
  bootFromVolume?: boolean;
  bootVolumeSizeGb?: number;
  keepBootVolume?: boolean;
  /** auto (default): only when the cloud needs one to be reachable; none; always. */
  floatingIp?: 'auto' | 'none' | 'always';
  /** Resolve once the server is ACTIVE with its addresses (default false, as in openstacksdk). */
  wait?: boolean;
  configDrive?: boolean;
  /** Idempotency key; a fresh UUID per call when absent. */
  requestId?: string;
}

export interface CreateServerOptions extends CallOptions {
  onProgress?: (stage: CreateServerStageName, server: Server) => void;
}

export interface UploadImageOptions extends CallOptions {
  onProgress?: (progress: TransferProgress) => void;
  /** Called for each location that failed (the others still got the image). */
  onError?: (error: OaktreeError) => void;
}

export interface UploadImageOutcome {
  /** The image in each location that stored it. */
  images: Image[];
  /** Locations that failed. */
  errors: OaktreeError[];
  bytesSent: number;
}

export interface DownloadImageOutcome {
  image: Image;
  sizeBytes: number;
  md5: string;
  sha256: string;
}

const floatingIpModes = {
  auto: FloatingIPMode.FLOATING_IP_MODE_AUTO,
  none: FloatingIPMode.FLOATING_IP_MODE_NONE,
  always: FloatingIPMode.FLOATING_IP_MODE_ALWAYS,
} as const;

const stageNames: Record<number, CreateServerStageName> = {
  [CreateServerStage.CREATE_SERVER_STAGE_ACCEPTED]: 'accepted',
  [CreateServerStage.CREATE_SERVER_STAGE_PROGRESS]: 'progress',
  [CreateServerStage.CREATE_SERVER_STAGE_ATTACHING_FLOATING_IP]: 'attaching-floating-ip',
  [CreateServerStage.CREATE_SERVER_STAGE_READY]: 'ready',
  [CreateServerStage.CREATE_SERVER_STAGE_FAILED]: 'failed',
};

/**
 * Connects to an oaktree node (no round trip yet: the first call connects). What is left out comes from
 * OAKTREE_ENDPOINT, OAKTREE_CA, OAKTREE_CERT, OAKTREE_KEY, OAKTREE_SERVER_NAME and OAKTREE_TOKEN.
 */
export function connect(address?: string, options: ConnectOptions = {}): OaktreeClient {
  return new OaktreeClient(address || process.env.OAKTREE_ENDPOINT || DEFAULT_ENDPOINT, withEnvironment(options));
}

export class OaktreeClient {
  readonly address: string;
  private readonly channel: Channel;
  private readonly defaultTimeoutMs: number | undefined;
  private readonly locations: Client<typeof LocationServiceDefinition>;
  private readonly compute: Client<typeof ComputeServiceDefinition>;
  private readonly images: Client<typeof ImageServiceDefinition>;
  private readonly network: Client<typeof NetworkServiceDefinition>;
  private readonly volumes: Client<typeof VolumeServiceDefinition>;
  private readonly limits: Client<typeof LimitsServiceDefinition>;
  private readonly capabilities: Client<typeof CapabilitiesServiceDefinition>;
  private readonly mesh: Client<typeof MeshServiceDefinition>;
  private readonly identity: Client<typeof IdentityServiceDefinition>;
  private readonly objectStore: Client<typeof ObjectStoreServiceDefinition>;

  constructor(address: string, options: ConnectOptions = {}) {
    this.address = address;
    this.defaultTimeoutMs = options.timeoutMs;
    this.channel = createChannel(address, channelCredentials(address, options), {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      // A download streams 1 MiB chunks: with HTTP/2's 64 KiB window the node sends each in 16 pieces, waiting for
      // a window update between them (measured: 2-hop image downloads 29–31 MiB/s with it, 47–64 with 4 MiB).
      'grpc-node.flow_control_window': 4 * 1024 * 1024,
      ...tlsChannelOptions(options),
      ...options.channelOptions,
    });
    // Messages are encoded as the node encodes them (src/wire): image and object chunks in one allocation each.
    const factory = clientFactory(options.token);
    const createClient = <D extends TsProtoServiceDefinition>(definition: D, channel: Channel) =>
      factory.create(encodingDefinition(definition), channel) as unknown as Client<D>;
    this.locations = createClient(LocationServiceDefinition, this.channel);
    this.compute = createClient(ComputeServiceDefinition, this.channel);
    this.images = createClient(ImageServiceDefinition, this.channel);
    this.network = createClient(NetworkServiceDefinition, this.channel);
    this.volumes = createClient(VolumeServiceDefinition, this.channel);
    this.limits = createClient(LimitsServiceDefinition, this.channel);
    this.capabilities = createClient(CapabilitiesServiceDefinition, this.channel);
    this.mesh = createClient(MeshServiceDefinition, this.channel);
    this.identity = createClient(IdentityServiceDefinition, this.channel);
    this.objectStore = createClient(ObjectStoreServiceDefinition, this.channel);
  }

  /** Closes the connection; calls still running fail with CANCELLED or UNAVAILABLE. */
  close(): void {
    this.channel.close();
  }

  private async unary<T>(options: CallOptions | undefined, run: (grpc: GrpcCallOptions) => Promise<T>): Promise<T> {
    const call = startCall(options, this.defaultTimeoutMs);
    try {
      return await run(call.grpc());
    } catch (error) {
      throw toOaktreeError(error, call);
    } finally {
      call.done();
    }
  }

  private list<T>(
    options: ListOptions | undefined,
    open: (grpc: GrpcCallOptions) => AsyncIterable<{ item?: { $case: string; value: any } | undefined }>,
  ): ListStream<T> {
    return new ListStream<T>(open, options ?? {}, this.defaultTimeoutMs);
  }

  // ---- locations and routes ----

  /** Every location (cloud, region, project) the node reaches that matches the selector. */
  listLocations(selector?: Selector, options?: ListOptions): ListStream<Location> {
    const request = { location: toLocationSelector(selector), strict: options?.strict ?? false };
    return this.list(options, (grpc) => this.locations.listLocations(request, grpc));
  }

  /** How the node reaches each location: hops and the path of node ids, starting with the node that answered. */
  listRoutes(selector?: Selector, options?: Omit<ListOptions, 'strict'>): ListStream<Route> {
    const request = { location: toLocationSelector(selector) };
    return this.list(options, (grpc) => this.mesh.listRoutes(request, grpc));
  }

  // ---- servers ----

  listServers(
    selector?: Selector,
    options?: ListOptions & ServerFilters & { nameOrId?: string; status?: ServerStatus; fresh?: boolean },
  ): ListStream<Server> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
      nameOrId: options?.nameOrId ?? '',
      status: options?.status ?? ServerStatus.SERVER_STATUS_UNSPECIFIED,
      ...serverFilterFields(options),
    };
    return this.list(options, (grpc) => this.compute.listServers(request, grpc));
  }

  /** One server by name or id: NOT_FOUND when none, INVALID_ARGUMENT naming the candidates when several. */
  getServer(nameOrId: string, selector?: Selector, options?: CallOptions & { fresh?: boolean }): Promise<Server> {
    return this.unary(options, async (grpc) => {
      const response = await this.compute.getServer(
        { location: toLocationSelector(selector), nameOrId, fresh: options?.fresh ?? false },
        grpc,
      );
      return response.server!;
    });
  }

  /**
   * Creates a server. With `wait` it resolves when the server is ACTIVE with its addresses (and floating IP),
   * reporting each stage to `onProgress`; a server that goes to ERROR rejects with ABORTED (the server still
   * exists: the message says so). Without `wait` it resolves with the accepted, still building server.
   */
  createServer(spec: CreateServerSpec, options?: CreateServerOptions): Promise<Server> {
    return this.unary(options, async (grpc) => {
      const request = {
        location: toLocationSelector(spec.location),
        name: spec.name,
        image: spec.image ?? '',
        flavor: spec.flavor,
        networks: spec.networks ?? [],
        keyName: spec.keyName ?? '',
        securityGroups: spec.securityGroups ?? [],
        userData: spec.userData ?? '',
        metadata: spec.metadata ?? {},
        availabilityZone: spec.availabilityZone ?? '',
        bootFromVolume: spec.bootFromVolume ?? false,
        bootVolumeSizeGb: spec.bootVolumeSizeGb ?? 0,
        keepBootVolume: spec.keepBootVolume ?? false,
        floatingIp: floatingIpModes[spec.floatingIp ?? 'auto'],
        wait: spec.wait ?? false,
        configDrive: spec.configDrive ?? false,
        requestId: spec.requestId ?? randomUUID(),
        ...createServerFields(spec),
      };
      let last: Server | undefined;
      for await (const response of this.compute.createServer(request, grpc)) {
        if (!response.server) continue;
        last = response.server;
        options?.onProgress?.(stageNames[response.stage] ?? 'progress', response.server);
      }
      if (!last) throw new OaktreeError(Status.INTERNAL, 'the node ended CreateServer without a server');
      return last;
    });
  }

  /** Deletes a server (by name or id) in exactly one cloud and region. */
  deleteServer(
    nameOrId: string,
    selector: Selector,
    options?: CallOptions & { deleteFloatingIps?: boolean; wait?: boolean },
  ): Promise<DeleteServerResponse> {
    return this.unary(options, (grpc) =>
      this.compute.deleteServer(
        {
          location: toLocationSelector(selector),
          nameOrId,
          deleteFloatingIps: options?.deleteFloatingIps ?? false,
          wait: options?.wait ?? false,
        },
        grpc,
      ),
    );
  }

  /**
   * Waits (pushed by the node, no polling here) until the server reaches one of `until` (ACTIVE by default) and
   * resolves with it; ABORTED when it goes to ERROR, NOT_FOUND when it is deleted.
   */
  waitForServer(
    nameOrId: string,
    selector?: Selector,
    options?: CallOptions & { until?: ServerStatus[]; onProgress?: (server: Server) => void },
  ): Promise<Server> {
    return this.unary(options, async (grpc) => {
      let last: Server | undefined;
      const request = { location: toLocationSelector(selector), nameOrId, until: options?.until ?? [] };
      for await (const response of this.compute.waitForServer(request, grpc)) {
        if (!response.server) continue;
        last = response.server;
        options?.onProgress?.(last);
      }
      if (!last) throw new OaktreeError(Status.INTERNAL, 'the node ended WaitForServer without a server');
      return last;
    });
  }

  /**
   * Watches servers: a snapshot (`existing`), a `synced` marker per location, then every change. Reconnects
   * with the last resume token when the connection drops. In-band errors go to `onError` and `errors`.
   */
  watchServers(
    selector?: Selector,
    options: WatchOptions = {},
  ): AsyncIterable<WatchEvent> & { errors: OaktreeError[] } {
    const errors: OaktreeError[] = [];
    const request = {
      location: toLocationSelector(selector),
      serverIds: options.serverIds ?? [],
      strict: options.strict ?? false,
    };
    const open = (req: Partial<WatchServersRequest>, grpc: GrpcCallOptions) => this.compute.watchServers(req, grpc);
    const timeout = this.defaultTimeoutMs;
    return {
      errors,
      [Symbol.asyncIterator]: () => watchServers(open, request, options, errors, timeout),
    };
  }

  getServerConsole(nameOrId: string, selector?: Selector, options?: CallOptions & { lines?: number }): Promise<string> {
    return this.unary(options, async (grpc) => {
      const response = await this.compute.getServerConsole(
        { location: toLocationSelector(selector), nameOrId, lines: options?.lines ?? 0 },
        grpc,
      );
      return response.output;
    });
  }

  /**
   * Runs an action on a server (reboot, stop, resize ...) in exactly one cloud and region. Without `wait` it
   * resolves with the server once the cloud accepted the action; with `wait` once the cloud has finished it.
   * FAILED_PRECONDITION when the server's state forbids it; ABORTED when the server goes to ERROR.
   */
  serverAction(
    nameOrId: string,
    selector: Selector,
    spec: ServerActionSpec,
    options?: ServerActionOptions,
  ): Promise<Server> {
    return this.unary(options, async (grpc) => {
      const request = {
        location: toLocationSelector(selector),
        nameOrId,
        action: toActionOneof(spec),
        wait: options?.wait ?? false,
        requestId: options?.requestId ?? randomUUID(),
      };
      let last: Server | undefined;
      for await (const response of this.compute.runServerAction(request, grpc)) {
        if (!response.server) continue;
        last = response.server;
        options?.onProgress?.(actionStageNames[response.stage] ?? 'progress', response.server);
      }
      if (!last) throw new OaktreeError(Status.INTERNAL, 'the node ended RunServerAction without a server');
      return last;
    });
  }

  /** Snapshots a server to a new image; with `wait` it resolves once the image is ACTIVE. */
  snapshotServer(
    nameOrId: string,
    selector: Selector,
    imageName: string,
    options?: SnapshotServerOptions,
  ): Promise<Image> {
    return this.unary(options, async (grpc) => {
      const request = {
        location: toLocationSelector(selector),
        nameOrId,
        imageName,
        metadata: options?.metadata ?? {},
        wait: options?.wait ?? false,
        requestId: options?.requestId ?? randomUUID(),
      };
      let last: Image | undefined;
      for await (const response of this.compute.snapshotServer(request, grpc)) {
        last = response.image ?? last;
        options?.onProgress?.(actionStageNames[response.stage] ?? 'progress', response.image, response.server);
      }
      if (!last) throw new OaktreeError(Status.INTERNAL, 'the node ended SnapshotServer without an image');
      return last;
    });
  }

  /** Renames a server and/or sets its description (an empty description clears it). */
  updateServer(
    nameOrId: string,
    selector: Selector,
    change: { name?: string; description?: string },
    options?: CallOptions,
  ): Promise<Server> {
    return this.unary(options, async (grpc) => {
      const request = {
        location: toLocationSelector(selector),
        nameOrId,
        name: change.name ?? '',
        description: change.description,
      };
      const response = await this.compute.updateServer(request, grpc);
      if (!response.server) throw new OaktreeError(Status.INTERNAL, 'the node ended UpdateServer without a server');
      return response.server;
    });
  }

  listAvailabilityZones(selector?: Selector, options?: ListOptions): ListStream<AvailabilityZone> {
    const request = { location: toLocationSelector(selector), strict: options?.strict ?? false };
    return this.list(options, (grpc) => this.compute.listAvailabilityZones(request, grpc));
  }

  // ---- flavors and keypairs ----

  listFlavors(
    selector?: Selector,
    options?: ListOptions &
      FlavorListExtras & { nameOrId?: string; minRamMb?: number; minVcpus?: number; fresh?: boolean },
  ): ListStream<Flavor> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
      nameOrId: options?.nameOrId ?? '',
      minRamMb: options?.minRamMb ?? 0,
      minVcpus: options?.minVcpus ?? 0,
      ...flavorListFields(options),
    };
    return this.list(options, (grpc) => this.compute.listFlavors(request, grpc));
  }

  getFlavor(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<Flavor> {
    return this.unary(options, async (grpc) => {
      const response = await this.compute.getFlavor({ location: toLocationSelector(selector), nameOrId }, grpc);
      return response.flavor!;
    });
  }

  // ---- server metadata, tags and groups ----

  /** Sets metadata keys on a server (merged), or replaces all of it with `replace`; resolves with the whole map. */
  setServerMetadata(
    nameOrId: string,
    metadata: Record<string, string>,
    selector?: Selector,
    options?: CallOptions & { replace?: boolean },
  ): Promise<SetServerMetadataResponse> {
    return this.unary(options, (grpc) =>
      this.compute.setServerMetadata(
        { location: toLocationSelector(selector), nameOrId, metadata, replace: options?.replace ?? false },
        grpc,
      ),
    );
  }

  /** Deletes metadata keys (absent ones are ignored); resolves with what is left. */
  deleteServerMetadata(
    nameOrId: string,
    keys: string[],
    selector?: Selector,
    options?: CallOptions,
  ): Promise<DeleteServerMetadataResponse> {
    return this.unary(options, (grpc) =>
      this.compute.deleteServerMetadata({ location: toLocationSelector(selector), nameOrId, keys }, grpc),
    );
  }

  /** Adds tags (or replaces them all with `replace`); FAILED_PRECONDITION on clouds before microversion 2.26. */
  setServerTags(
    nameOrId: string,
    tags: string[],
    selector?: Selector,
    options?: CallOptions & { replace?: boolean },
  ): Promise<SetServerTagsResponse> {
    return this.unary(options, (grpc) =>
      this.compute.setServerTags(
        { location: toLocationSelector(selector), nameOrId, tags, replace: options?.replace ?? false },
        grpc,
      ),
    );
  }

  /** Removes tags (or every tag with `all`); absent ones are ignored. */
  deleteServerTags(
    nameOrId: string,
    tags: string[],
    selector?: Selector,
    options?: CallOptions & { all?: boolean },
  ): Promise<DeleteServerTagsResponse> {
    return this.unary(options, (grpc) =>
      this.compute.deleteServerTags(
        { location: toLocationSelector(selector), nameOrId, tags, all: options?.all ?? false },
        grpc,
      ),
    );
  }

  listServerGroups(selector?: Selector, options?: ListOptions & { nameOrId?: string }): ListStream<ServerGroup> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: false,
      nameOrId: options?.nameOrId ?? '',
    };
    return this.list(options, (grpc) => this.compute.listServerGroups(request, grpc));
  }

  getServerGroup(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<ServerGroup> {
    return this.unary(options, async (grpc) => {
      const response = await this.compute.getServerGroup({ location: toLocationSelector(selector), nameOrId }, grpc);
      return response.serverGroup!;
    });
  }

  /** Creates a server group; `maxServerPerHost` is an anti-affinity rule (microversion 2.64). */
  createServerGroup(
    name: string,
    policy: ServerGroupPolicyName,
    selector: Selector,
    options?: CallOptions & { maxServerPerHost?: number; requestId?: string },
  ): Promise<ServerGroup> {
    return this.unary(options, async (grpc) => {
      const response = await this.compute.createServerGroup(
        {
          location: toLocationSelector(selector),
          name,
          policy: serverGroupPolicies[policy],
          maxServerPerHost: options?.maxServerPerHost ?? 0,
          requestId: options?.requestId ?? randomUUID(),
        },
        grpc,
      );
      return response.serverGroup!;
    });
  }

  deleteServerGroup(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<DeleteServerGroupResponse> {
    return this.unary(options, (grpc) =>
      this.compute.deleteServerGroup({ location: toLocationSelector(selector), nameOrId }, grpc),
    );
  }

  listKeypairs(selector?: Selector, options?: ListOptions & { nameOrId?: string }): ListStream<Keypair> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      nameOrId: options?.nameOrId ?? '',
    };
    return this.list(options, (grpc) => this.compute.listKeypairs(request, grpc));
  }

  /** Creates a keypair from `publicKey`, or has one generated (its private key is returned once). */
  createKeypair(
    name: string,
    selector: Selector,
    options?: CallOptions & { publicKey?: string; requestId?: string },
  ): Promise<CreateKeypairResponse> {
    return this.unary(options, (grpc) =>
      this.compute.createKeypair(
        {
          location: toLocationSelector(selector),
          name,
          publicKey: options?.publicKey ?? '',
          requestId: options?.requestId ?? randomUUID(),
        },
        grpc,
      ),
    );
  }

  deleteKeypair(name: string, selector: Selector, options?: CallOptions): Promise<Location> {
    return this.unary(options, async (grpc) => {
      const response = await this.compute.deleteKeypair({ location: toLocationSelector(selector), name }, grpc);
      return response.location!;
    });
  }

  // ---- images ----

  listImages(
    selector?: Selector,
    options?: ListOptions & { nameOrId?: string; status?: ImageStatus; visibility?: ImageVisibility; fresh?: boolean },
  ): ListStream<Image> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
      nameOrId: options?.nameOrId ?? '',
      status: options?.status ?? ImageStatus.IMAGE_STATUS_UNSPECIFIED,
      visibility: options?.visibility ?? ImageVisibility.IMAGE_VISIBILITY_UNSPECIFIED,
    };
    return this.list(options, (grpc) => this.images.listImages(request, grpc));
  }

  getImage(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<Image> {
    return this.unary(options, async (grpc) => {
      const response = await this.images.getImage({ location: toLocationSelector(selector), nameOrId }, grpc);
      return response.image!;
    });
  }

  /**
   * Uploads an image from a file, a buffer or a stream, in 1 MiB chunks (never whole in memory). For a file or a
   * buffer the size and SHA-256 go in the header so the node verifies what each cloud stored. With
   * `header.allMatchingLocations` one upload reaches every matching location; locations that fail are in
   * `errors` (and `onError`); when every location fails the call rejects with the first error.
   */
  uploadImage(
    source: ImageSource,
    header: Omit<Partial<UploadImageHeader>, 'location'> & { name: string; location?: Selector },
    options?: UploadImageOptions,
  ): Promise<UploadImageOutcome> {
    return this.unary(options, async (grpc) => {
      const known = await describeSource(source, { hash: !header.sha256 });
      const totalBytes = header.sizeBytes !== undefined ? Number(header.sizeBytes) : known.size;
      const fullHeader: Partial<UploadImageHeader> = {
        ...header,
        location: toLocationSelector(header.location),
        sizeBytes: BigInt(totalBytes ?? 0),
        sha256: header.sha256 ?? known.sha256 ?? '',
        requestId: header.requestId ?? randomUUID(),
      };
      let bytesSent = 0;
      const onProgress = options?.onProgress;
      async function* requests(): AsyncGenerator<Partial<UploadImageRequest>> {
        yield { part: { $case: 'header', value: fullHeader as UploadImageHeader } };
        for await (const chunk of chunksOf(source)) {
          yield { part: { $case: 'chunk', value: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) } };
          bytesSent += chunk.length;
          onProgress?.({ bytes: bytesSent, ...(totalBytes !== undefined ? { totalBytes } : {}) });
        }
      }
      const response = await this.images.uploadImage(requests() as AsyncIterable<any>, grpc);
      const images: Image[] = [];
      const errors: OaktreeError[] = [];
      for (const result of response.results) {
        if (result.image && !result.error) images.push(result.image);
        else if (result.error) {
          const error = fromLocationError({ ...result.error, location: result.error.location ?? result.location });
          errors.push(error);
          options?.onError?.(error);
        }
      }
      if (images.length === 0 && errors.length > 0) throw errors[0];
      return { images, errors, bytesSent };
    });
  }

  /**
   * Downloads an image to a file (written as <file>.partial, renamed when complete) or a writable stream, and
   * checks the bytes against the node's checksums: DATA_LOSS when they differ.
   */
  downloadImage(
    nameOrId: string,
    sink: ImageSink,
    selector?: Selector,
    options?: CallOptions & { onProgress?: (progress: TransferProgress) => void },
  ): Promise<DownloadImageOutcome> {
    return this.unary(options, async (grpc) => {
      const writer = new DownloadWriter(sink);
      let image: Image | undefined;
      let trailer: DownloadImageTrailer | undefined;
      try {
        const request = { location: toLocationSelector(selector), nameOrId };
        for await (const response of this.images.downloadImage(request, grpc)) {
          const part = response.part;
          if (part?.$case === 'image') image = part.value;
          else if (part?.$case === 'chunk') {
            await writer.write(part.value as Uint8Array);
            const totalBytes = image ? Number(image.sizeBytes) : 0;
            options?.onProgress?.({ bytes: writer.bytes, ...(totalBytes ? { totalBytes } : {}) });
          } else if (part?.$case === 'trailer') trailer = part.value;
        }
        const sums = writer.digests();
        if (!image) throw new OaktreeError(Status.INTERNAL, 'the node sent no image metadata');
        if (
          trailer &&
          (BigInt(writer.bytes) !== trailer.sizeBytes || (trailer.sha256 && trailer.sha256 !== sums.sha256))
        ) {
          throw new OaktreeError(
            Status.DATA_LOSS,
            `received ${writer.bytes} bytes with sha256 ${sums.sha256}, the node sent ${trailer.sizeBytes} with ${trailer.sha256}`,
          );
        }
        await writer.commit();
        return { image, sizeBytes: writer.bytes, ...sums };
      } catch (error) {
        await writer.discard();
        throw error;
      }
    });
  }

  deleteImage(nameOrId: string, selector: Selector, options?: CallOptions): Promise<DeleteImageResponse> {
    return this.unary(options, (grpc) =>
      this.images.deleteImage({ location: toLocationSelector(selector), nameOrId }, grpc),
    );
  }

  /** Changes only what `changes` sets (name, visibility, protection, minimums, tags, properties). */
  updateImage(
    nameOrId: string,
    selector: Selector,
    changes: Omit<Partial<UpdateImageRequest>, 'location' | 'nameOrId'>,
    options?: CallOptions,
  ): Promise<Image> {
    return this.unary(options, async (grpc) => {
      const request = { ...changes, location: toLocationSelector(selector), nameOrId };
      return (await this.images.updateImage(request, grpc)).image!;
    });
  }

  deactivateImage(nameOrId: string, selector: Selector, options?: CallOptions): Promise<Image> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), nameOrId };
      return (await this.images.deactivateImage(request, grpc)).image!;
    });
  }

  reactivateImage(nameOrId: string, selector: Selector, options?: CallOptions): Promise<Image> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), nameOrId };
      return (await this.images.reactivateImage(request, grpc)).image!;
    });
  }

  /** The projects an image is shared with. */
  listImageMembers(image: string, selector?: Selector, options?: ListOptions): ListStream<ImageMember> {
    const request = { location: toLocationSelector(selector), strict: options?.strict ?? false, image };
    return this.list(options, (grpc) => this.images.listImageMembers(request, grpc));
  }

  addImageMember(nameOrId: string, memberId: string, selector: Selector, options?: CallOptions): Promise<ImageMember> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), nameOrId, memberId };
      return (await this.images.addImageMember(request, grpc)).member!;
    });
  }

  /** The member project's answer: accepted, rejected or pending again. */
  updateImageMember(
    imageId: string,
    memberId: string,
    status: 'accepted' | 'rejected' | 'pending',
    selector: Selector,
    options?: CallOptions,
  ): Promise<ImageMember> {
    const statuses = {
      accepted: ImageMemberStatus.IMAGE_MEMBER_STATUS_ACCEPTED,
      rejected: ImageMemberStatus.IMAGE_MEMBER_STATUS_REJECTED,
      pending: ImageMemberStatus.IMAGE_MEMBER_STATUS_PENDING,
    };
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), nameOrId: imageId, memberId, status: statuses[status] };
      return (await this.images.updateImageMember(request, grpc)).member!;
    });
  }

  removeImageMember(
    nameOrId: string,
    memberId: string,
    selector: Selector,
    options?: CallOptions,
  ): Promise<RemoveImageMemberResponse> {
    return this.unary(options, (grpc) =>
      this.images.removeImageMember({ location: toLocationSelector(selector), nameOrId, memberId }, grpc),
    );
  }

  /** Has the cloud fetch an image from a URL (web-download); resolves once it is ACTIVE. */
  importImage(
    spec: Omit<Partial<ImportImageRequest>, 'location'> & { location: Selector; name: string; uri: string },
    options?: CallOptions & { onProgress?: (image: Image) => void },
  ): Promise<Image> {
    return this.unary(options, async (grpc) => {
      const request = {
        ...spec,
        location: toLocationSelector(spec.location),
        requestId: spec.requestId ?? randomUUID(),
      };
      let last: Image | undefined;
      for await (const response of this.images.importImage(request, grpc)) {
        last = response.image;
        if (last) options?.onProgress?.(last);
      }
      if (!last) throw new OaktreeError(Status.INTERNAL, 'the node ended ImportImage without an image');
      return last;
    });
  }

  /** Waits (pushed by the node) until the image is ACTIVE, or one of `until`. */
  waitForImage(
    nameOrId: string,
    selector?: Selector,
    options?: CallOptions & { until?: ImageStatus[]; onProgress?: (image: Image) => void },
  ): Promise<Image> {
    return this.unary(options, async (grpc) => {
      let last: Image | undefined;
      const request = { location: toLocationSelector(selector), nameOrId, until: options?.until ?? [] };
      for await (const response of this.images.waitForImage(request, grpc)) {
        last = response.image;
        if (last) options?.onProgress?.(last);
      }
      if (!last) throw new OaktreeError(Status.INTERNAL, 'the node ended WaitForImage without an image');
      return last;
    });
  }

  // ---- network ----

  listNetworks(
    selector?: Selector,
    options?: ListOptions & { nameOrId?: string; isExternal?: boolean },
  ): ListStream<Network> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      nameOrId: options?.nameOrId ?? '',
      ...(options?.isExternal !== undefined ? { isExternal: options.isExternal } : {}),
    };
    return this.list(options, (grpc) => this.network.listNetworks(request, grpc));
  }

  listSubnets(
    selector?: Selector,
    options?: ListOptions & { nameOrId?: string; networkId?: string },
  ): ListStream<Subnet> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      nameOrId: options?.nameOrId ?? '',
      networkId: options?.networkId ?? '',
    };
    return this.list(options, (grpc) => this.network.listSubnets(request, grpc));
  }

  listPorts(
    selector?: Selector,
    options?: ListOptions & {
      nameOrId?: string;
      networkId?: string;
      deviceId?: string;
      status?: NetworkResourceStatus;
    },
  ): ListStream<Port> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      nameOrId: options?.nameOrId ?? '',
      networkId: options?.networkId ?? '',
      deviceId: options?.deviceId ?? '',
      status: options?.status ?? NetworkResourceStatus.NETWORK_RESOURCE_STATUS_UNSPECIFIED,
    };
    return this.list(options, (grpc) => this.network.listPorts(request, grpc));
  }

  deletePort(id: string, selector: Selector, options?: CallOptions): Promise<DeletePortResponse> {
    return this.unary(options, (grpc) => this.network.deletePort({ location: toLocationSelector(selector), id }, grpc));
  }

  listSecurityGroups(selector?: Selector, options?: ListOptions & { nameOrId?: string }): ListStream<SecurityGroup> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      nameOrId: options?.nameOrId ?? '',
    };
    return this.list(options, (grpc) => this.network.listSecurityGroups(request, grpc));
  }

  listFloatingIps(
    selector?: Selector,
    options?: ListOptions & {
      serverId?: string;
      isAttached?: boolean;
      /** An id or address. */
      nameOrId?: string;
      floatingIpAddress?: string;
      /** The network it came from, by name or id. */
      network?: string;
      portId?: string;
      projectId?: string;
    },
  ): ListStream<FloatingIP> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      serverId: options?.serverId ?? '',
      nameOrId: options?.nameOrId ?? '',
      floatingIpAddress: options?.floatingIpAddress ?? '',
      network: options?.network ?? '',
      portId: options?.portId ?? '',
      projectId: options?.projectId ?? '',
      ...(options?.isAttached !== undefined ? { isAttached: options.isAttached } : {}),
    };
    return this.list(options, (grpc) => this.network.listFloatingIPs(request, grpc));
  }

  /** Allocates a floating IP; attached to `server` at creation when one is named (no window for a leak). */
  createFloatingIp(
    selector: Selector,
    options?: CallOptions & {
      network?: string;
      server?: string;
      fixedAddress?: string;
      requestId?: string;
      /** A specific address (usually admin-only). */
      floatingIpAddress?: string;
    },
  ): Promise<FloatingIP> {
    return this.unary(options, async (grpc) => {
      const response = await this.network.createFloatingIP(
        {
          location: toLocationSelector(selector),
          network: options?.network ?? '',
          floatingIpAddress: options?.floatingIpAddress ?? '',
          server: options?.server ?? '',
          fixedAddress: options?.fixedAddress ?? '',
          requestId: options?.requestId ?? randomUUID(),
        },
        grpc,
      );
      return response.floatingIp!;
    });
  }

  attachFloatingIp(
    floatingIp: string,
    server: string,
    selector: Selector,
    options?: CallOptions & { fixedAddress?: string },
  ): Promise<FloatingIP> {
    return this.unary(options, async (grpc) => {
      const response = await this.network.attachFloatingIP(
        { location: toLocationSelector(selector), floatingIp, server, fixedAddress: options?.fixedAddress ?? '' },
        grpc,
      );
      return response.floatingIp!;
    });
  }

  detachFloatingIp(floatingIp: string, selector: Selector, options?: CallOptions): Promise<FloatingIP> {
    return this.unary(options, async (grpc) => {
      const response = await this.network.detachFloatingIP(
        { location: toLocationSelector(selector), floatingIp },
        grpc,
      );
      return response.floatingIp!;
    });
  }

  deleteFloatingIp(floatingIp: string, selector: Selector, options?: CallOptions): Promise<DeleteFloatingIPResponse> {
    return this.unary(options, (grpc) =>
      this.network.deleteFloatingIP({ location: toLocationSelector(selector), floatingIp }, grpc),
    );
  }

  deleteUnattachedFloatingIps(selector: Selector, options?: CallOptions): Promise<DeleteUnattachedFloatingIPsResponse> {
    return this.unary(options, (grpc) =>
      this.network.deleteUnattachedFloatingIPs({ location: toLocationSelector(selector) }, grpc),
    );
  }

  // ---- network writes (openstacksdk's create_network, update_router, add_router_interface ...) ----
  // Creates get a request_id unless the spec has one, so a retried call never makes a second object.

  getFloatingIp(idOrAddress: string, selector?: Selector, options?: CallOptions): Promise<FloatingIP> {
    const request = { location: toLocationSelector(selector), nameOrId: idOrAddress };
    return this.unary(options, async (grpc) => (await this.network.getFloatingIP(request, grpc)).floatingIp!);
  }

  updateFloatingIp(
    idOrAddress: string,
    changes: NetworkWrites.FloatingIpChanges,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<FloatingIP> {
    const request = { ...changes, location: toLocationSelector(selector), nameOrId: idOrAddress };
    return this.unary(options, async (grpc) => (await this.network.updateFloatingIP(request, grpc)).floatingIp!);
  }

  getNetwork(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<Network> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.getNetwork(request, grpc)).network!);
  }

  createNetwork(selector: Selector, spec: NetworkWrites.NetworkSpec, options?: CallOptions): Promise<Network> {
    const request = { requestId: randomUUID(), ...spec, location: toLocationSelector(selector) };
    return this.unary(options, async (grpc) => (await this.network.createNetwork(request, grpc)).network!);
  }

  updateNetwork(
    nameOrId: string,
    changes: NetworkWrites.NetworkChanges,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<Network> {
    const request = { ...changes, location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.updateNetwork(request, grpc)).network!);
  }

  deleteNetwork(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<DeleteNetworkResponse> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, (grpc) => this.network.deleteNetwork(request, grpc));
  }

  getSubnet(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<Subnet> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.getSubnet(request, grpc)).subnet!);
  }

  createSubnet(selector: Selector, spec: NetworkWrites.SubnetSpec, options?: CallOptions): Promise<Subnet> {
    const request = { requestId: randomUUID(), ...spec, location: toLocationSelector(selector) };
    return this.unary(options, async (grpc) => (await this.network.createSubnet(request, grpc)).subnet!);
  }

  updateSubnet(
    nameOrId: string,
    changes: NetworkWrites.SubnetChanges,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<Subnet> {
    const request = { ...changes, location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.updateSubnet(request, grpc)).subnet!);
  }

  deleteSubnet(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<DeleteSubnetResponse> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, (grpc) => this.network.deleteSubnet(request, grpc));
  }

  listRouters(selector?: Selector, options?: ListOptions & { nameOrId?: string }): ListStream<Router> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      nameOrId: options?.nameOrId ?? '',
    };
    return this.list(options, (grpc) => this.network.listRouters(request, grpc));
  }

  getRouter(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<Router> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.getRouter(request, grpc)).router!);
  }

  /** Creates a router with its gateway and interfaces; a failed step undoes the rest (the error says what is left). */
  createRouter(selector: Selector, spec: NetworkWrites.RouterSpec, options?: CallOptions): Promise<Router> {
    const request = { requestId: randomUUID(), ...spec, location: toLocationSelector(selector) };
    return this.unary(options, async (grpc) => (await this.network.createRouter(request, grpc)).router!);
  }

  updateRouter(
    nameOrId: string,
    changes: NetworkWrites.RouterChanges,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<Router> {
    const request = { ...changes, location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.updateRouter(request, grpc)).router!);
  }

  deleteRouter(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<DeleteRouterResponse> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, (grpc) => this.network.deleteRouter(request, grpc));
  }

  addRouterInterface(
    router: string,
    on: NetworkWrites.RouterInterfaceTarget,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<Router> {
    const request = { ...on, location: toLocationSelector(selector), nameOrId: router };
    return this.unary(options, async (grpc) => (await this.network.addRouterInterface(request, grpc)).router!);
  }

  removeRouterInterface(
    router: string,
    on: NetworkWrites.RouterInterfaceTarget,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<Router> {
    const request = { ...on, location: toLocationSelector(selector), nameOrId: router };
    return this.unary(options, async (grpc) => (await this.network.removeRouterInterface(request, grpc)).router!);
  }

  getPort(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<Port> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.getPort(request, grpc)).port!);
  }

  createPort(selector: Selector, spec: NetworkWrites.PortSpec, options?: CallOptions): Promise<Port> {
    const request = { requestId: randomUUID(), ...spec, location: toLocationSelector(selector) };
    return this.unary(options, async (grpc) => (await this.network.createPort(request, grpc)).port!);
  }

  updatePort(
    nameOrId: string,
    changes: NetworkWrites.PortChanges,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<Port> {
    const request = { ...changes, location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.updatePort(request, grpc)).port!);
  }

  getSecurityGroup(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<SecurityGroup> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.getSecurityGroup(request, grpc)).securityGroup!);
  }

  createSecurityGroup(
    selector: Selector,
    spec: NetworkWrites.SecurityGroupSpec,
    options?: CallOptions,
  ): Promise<SecurityGroup> {
    const request = { requestId: randomUUID(), ...spec, location: toLocationSelector(selector) };
    return this.unary(options, async (grpc) => (await this.network.createSecurityGroup(request, grpc)).securityGroup!);
  }

  updateSecurityGroup(
    nameOrId: string,
    changes: NetworkWrites.SecurityGroupChanges,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<SecurityGroup> {
    const request = { ...changes, location: toLocationSelector(selector), nameOrId };
    return this.unary(options, async (grpc) => (await this.network.updateSecurityGroup(request, grpc)).securityGroup!);
  }

  deleteSecurityGroup(
    nameOrId: string,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<DeleteSecurityGroupResponse> {
    const request = { location: toLocationSelector(selector), nameOrId };
    return this.unary(options, (grpc) => this.network.deleteSecurityGroup(request, grpc));
  }

  createSecurityGroupRule(
    securityGroup: string,
    spec: NetworkWrites.SecurityGroupRuleSpec,
    selector?: Selector,
    options?: CallOptions,
  ): Promise<SecurityGroupRule> {
    const request = { ...spec, location: toLocationSelector(selector), nameOrId: securityGroup };
    return this.unary(options, async (grpc) => (await this.network.createSecurityGroupRule(request, grpc)).rule!);
  }

  deleteSecurityGroupRule(
    id: string,
    selector: Selector,
    options?: CallOptions,
  ): Promise<DeleteSecurityGroupRuleResponse> {
    const request = { location: toLocationSelector(selector), id };
    return this.unary(options, (grpc) => this.network.deleteSecurityGroupRule(request, grpc));
  }

  /** Network quotas with usage, one item per location. */
  listNetworkQuotas(selector?: Selector, options?: ListOptions): ListStream<NetworkQuotas> {
    const request = { location: toLocationSelector(selector), strict: options?.strict ?? false };
    return this.list(options, (grpc) => this.network.listNetworkQuotas(request, grpc));
  }

  // ---- volumes ----

  listVolumes(
    selector?: Selector,
    options?: ListOptions & { nameOrId?: string; status?: VolumeStatus; fresh?: boolean },
  ): ListStream<Volume> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
      nameOrId: options?.nameOrId ?? '',
      status: options?.status ?? VolumeStatus.VOLUME_STATUS_UNSPECIFIED,
    };
    return this.list(options, (grpc) => this.volumes.listVolumes(request, grpc));
  }

  getVolume(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const response = await this.volumes.getVolume({ location: toLocationSelector(selector), nameOrId }, grpc);
      return response.volume!;
    });
  }

  createVolume(
    spec: {
      location: Selector;
      name: string;
      sizeGb: number;
      volumeType?: string;
      availabilityZone?: string;
      image?: string;
      description?: string;
      metadata?: Record<string, string>;
      wait?: boolean;
      requestId?: string;
    },
    options?: CallOptions,
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const response = await this.volumes.createVolume(
        { ...spec, location: toLocationSelector(spec.location), requestId: spec.requestId ?? randomUUID() },
        grpc,
      );
      return response.volume!;
    });
  }

  deleteVolume(
    nameOrId: string,
    selector: Selector,
    options?: CallOptions & { wait?: boolean },
  ): Promise<DeleteVolumeResponse> {
    return this.unary(options, (grpc) =>
      this.volumes.deleteVolume(
        { location: toLocationSelector(selector), nameOrId, wait: options?.wait ?? false },
        grpc,
      ),
    );
  }

  attachVolume(
    volume: string,
    server: string,
    selector: Selector,
    options?: CallOptions & { device?: string; wait?: boolean },
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const response = await this.volumes.attachVolume(
        {
          location: toLocationSelector(selector),
          volume,
          server,
          device: options?.device ?? '',
          wait: options?.wait ?? false,
        },
        grpc,
      );
      return response.volume!;
    });
  }

  detachVolume(
    volume: string,
    server: string,
    selector: Selector,
    options?: CallOptions & { wait?: boolean },
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const response = await this.volumes.detachVolume(
        { location: toLocationSelector(selector), volume, server, wait: options?.wait ?? false },
        grpc,
      );
      return response.volume!;
    });
  }

  /** Changes only what `changes` sets (name, description, metadata, bootable, read-only). */
  updateVolume(
    nameOrId: string,
    selector: Selector,
    changes: Omit<Partial<UpdateVolumeRequest>, 'location' | 'nameOrId'>,
    options?: CallOptions,
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const request = { ...changes, location: toLocationSelector(selector), nameOrId };
      return (await this.volumes.updateVolume(request, grpc)).volume!;
    });
  }

  extendVolume(
    nameOrId: string,
    sizeGb: number,
    selector: Selector,
    options?: CallOptions & { wait?: boolean },
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), nameOrId, sizeGb, wait: options?.wait ?? false };
      return (await this.volumes.extendVolume(request, grpc)).volume!;
    });
  }

  retypeVolume(
    nameOrId: string,
    volumeType: string,
    selector: Selector,
    options?: CallOptions & { allowMigration?: boolean; wait?: boolean },
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const request = {
        location: toLocationSelector(selector),
        nameOrId,
        volumeType,
        allowMigration: options?.allowMigration ?? false,
        wait: options?.wait ?? false,
      };
      return (await this.volumes.retypeVolume(request, grpc)).volume!;
    });
  }

  /** Waits (pushed by the node) until the volume is AVAILABLE or IN_USE, one of `until`, or deleted. */
  waitForVolume(
    nameOrId: string,
    selector?: Selector,
    options?: CallOptions & { until?: VolumeStatus[]; untilDeleted?: boolean; onProgress?: (volume: Volume) => void },
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      let last: Volume | undefined;
      const request = {
        location: toLocationSelector(selector),
        nameOrId,
        until: options?.until ?? [],
        untilDeleted: options?.untilDeleted ?? false,
      };
      for await (const response of this.volumes.waitForVolume(request, grpc)) {
        last = response.volume;
        if (last) options?.onProgress?.(last);
      }
      if (!last) throw new OaktreeError(Status.INTERNAL, 'the node ended WaitForVolume without a volume');
      return last;
    });
  }

  listVolumeSnapshots(
    selector?: Selector,
    options?: ListOptions & { nameOrId?: string; volumeId?: string; fresh?: boolean },
  ): ListStream<VolumeSnapshot> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
      nameOrId: options?.nameOrId ?? '',
      volumeId: options?.volumeId ?? '',
    };
    return this.list(options, (grpc) => this.volumes.listVolumeSnapshots(request, grpc));
  }

  getVolumeSnapshot(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<VolumeSnapshot> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), nameOrId };
      return (await this.volumes.getVolumeSnapshot(request, grpc)).snapshot!;
    });
  }

  createVolumeSnapshot(
    spec: Omit<Partial<CreateVolumeSnapshotRequest>, 'location'> & { location: Selector; volume: string },
    options?: CallOptions,
  ): Promise<VolumeSnapshot> {
    return this.unary(options, async (grpc) => {
      const request = {
        ...spec,
        location: toLocationSelector(spec.location),
        requestId: spec.requestId ?? randomUUID(),
      };
      return (await this.volumes.createVolumeSnapshot(request, grpc)).snapshot!;
    });
  }

  updateVolumeSnapshot(
    nameOrId: string,
    selector: Selector,
    changes: Omit<Partial<UpdateVolumeSnapshotRequest>, 'location' | 'nameOrId'>,
    options?: CallOptions,
  ): Promise<VolumeSnapshot> {
    return this.unary(options, async (grpc) => {
      const request = { ...changes, location: toLocationSelector(selector), nameOrId };
      return (await this.volumes.updateVolumeSnapshot(request, grpc)).snapshot!;
    });
  }

  deleteVolumeSnapshot(
    nameOrId: string,
    selector: Selector,
    options?: CallOptions & { force?: boolean; wait?: boolean },
  ): Promise<DeleteVolumeSnapshotResponse> {
    return this.unary(options, (grpc) =>
      this.volumes.deleteVolumeSnapshot(
        {
          location: toLocationSelector(selector),
          nameOrId,
          force: options?.force ?? false,
          wait: options?.wait ?? false,
        },
        grpc,
      ),
    );
  }

  listVolumeBackups(
    selector?: Selector,
    options?: ListOptions & { nameOrId?: string; volumeId?: string; fresh?: boolean },
  ): ListStream<VolumeBackup> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
      nameOrId: options?.nameOrId ?? '',
      volumeId: options?.volumeId ?? '',
    };
    return this.list(options, (grpc) => this.volumes.listVolumeBackups(request, grpc));
  }

  getVolumeBackup(nameOrId: string, selector?: Selector, options?: CallOptions): Promise<VolumeBackup> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), nameOrId };
      return (await this.volumes.getVolumeBackup(request, grpc)).backup!;
    });
  }

  /** FAILED_PRECONDITION where the cloud has no backup service (see listCapabilities: volume.backups). */
  createVolumeBackup(
    spec: Omit<Partial<CreateVolumeBackupRequest>, 'location'> & { location: Selector; volume: string },
    options?: CallOptions,
  ): Promise<VolumeBackup> {
    return this.unary(options, async (grpc) => {
      const request = {
        ...spec,
        location: toLocationSelector(spec.location),
        requestId: spec.requestId ?? randomUUID(),
      };
      return (await this.volumes.createVolumeBackup(request, grpc)).backup!;
    });
  }

  /** Restores to a new volume (named `name`) or over `volume`. */
  restoreVolumeBackup(
    nameOrId: string,
    selector: Selector,
    options?: CallOptions & { volume?: string; name?: string; wait?: boolean },
  ): Promise<Volume> {
    return this.unary(options, async (grpc) => {
      const request = {
        location: toLocationSelector(selector),
        nameOrId,
        volume: options?.volume ?? '',
        name: options?.name ?? '',
        wait: options?.wait ?? false,
      };
      return (await this.volumes.restoreVolumeBackup(request, grpc)).volume!;
    });
  }

  deleteVolumeBackup(
    nameOrId: string,
    selector: Selector,
    options?: CallOptions & { force?: boolean; wait?: boolean },
  ): Promise<DeleteVolumeBackupResponse> {
    return this.unary(options, (grpc) =>
      this.volumes.deleteVolumeBackup(
        {
          location: toLocationSelector(selector),
          nameOrId,
          force: options?.force ?? false,
          wait: options?.wait ?? false,
        },
        grpc,
      ),
    );
  }

  listVolumeTypes(selector?: Selector, options?: ListOptions): ListStream<VolumeType> {
    const request = { location: toLocationSelector(selector), strict: options?.strict ?? false, fresh: false };
    return this.list(options, (grpc) => this.volumes.listVolumeTypes(request, grpc));
  }

  // ---- identity ----

  /** The projects each location's credential can see. */
  listProjects(selector?: Selector, options?: ListOptions & { nameOrId?: string }): ListStream<IdentityProject> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: false,
      nameOrId: options?.nameOrId ?? '',
    };
    return this.list(options, (grpc) => this.identity.listProjects(request, grpc));
  }

  /** Who each location's credential is: user, scoped project, roles. */
  whoAmI(selector?: Selector, options?: ListOptions): ListStream<Caller> {
    const request = { location: toLocationSelector(selector), strict: options?.strict ?? false };
    return this.list(options, (grpc) => this.identity.whoAmI(request, grpc));
  }

  // ---- limits and capabilities ----

  /** Quotas and usage, one Limits per location. */
  listLimits(selector?: Selector, options?: ListOptions & { fresh?: boolean }): ListStream<Limits> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
    };
    return this.list(options, (grpc) => this.limits.listLimits(request, grpc));
  }

  /** What each location supports (image formats, floating IP model, services ...), one per location. */
  listCapabilities(selector?: Selector, options?: ListOptions & { fresh?: boolean }): ListStream<Capabilities> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      fresh: options?.fresh ?? false,
    };
    return this.list(options, (grpc) => this.capabilities.listCapabilities(request, grpc));
  }

  // ---- object storage (Swift) ----

  /** Containers with their object counts and bytes, every matching location. */
  listContainers(selector?: Selector, options?: ListOptions & { prefix?: string }): ListStream<Container> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      prefix: options?.prefix ?? '',
    };
    return this.list(options, (grpc) => this.objectStore.listContainers(request, grpc));
  }

  /** One container with its metadata, ACLs and quota. */
  getContainer(name: string, selector?: Selector, options?: CallOptions): Promise<Container> {
    return this.unary(options, async (grpc) => {
      const response = await this.objectStore.getContainer(
        { location: toLocationSelector(selector), nameOrId: name },
        grpc,
      );
      return response.container!;
    });
  }

  createContainer(
    name: string,
    selector: Selector,
    settings: { publicRead?: boolean; readAcl?: string; writeAcl?: string; metadata?: Record<string, string> } = {},
    options?: CallOptions,
  ): Promise<Container> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), name, ...settings, requestId: randomUUID() };
      return (await this.objectStore.createContainer(request, grpc)).container!;
    });
  }

  updateContainer(
    name: string,
    selector: Selector,
    changes: Omit<Partial<UpdateContainerRequest>, 'location' | 'container'>,
    options?: CallOptions,
  ): Promise<Container> {
    return this.unary(options, async (grpc) => {
      const request = { ...changes, location: toLocationSelector(selector), container: name };
      return (await this.objectStore.updateContainer(request, grpc)).container!;
    });
  }

  /** Deletes a container; with `emptyFirst` its objects first (progress through `onProgress`). */
  deleteContainer(
    name: string,
    selector: Selector,
    options?: CallOptions & { emptyFirst?: boolean; onProgress?: (progress: DeleteContainerResponse) => void },
  ): Promise<DeleteContainerResponse> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), container: name, emptyFirst: options?.emptyFirst };
      let last: DeleteContainerResponse | undefined;
      for await (last of this.objectStore.deleteContainer(request, grpc)) options?.onProgress?.(last);
      return last!;
    });
  }

  listObjects(
    container: string,
    selector?: Selector,
    options?: ListOptions & { prefix?: string; delimiter?: string; marker?: string; limit?: number },
  ): ListStream<StoredObject> {
    const request = {
      location: toLocationSelector(selector),
      strict: options?.strict ?? false,
      container,
      prefix: options?.prefix ?? '',
      delimiter: options?.delimiter ?? '',
      marker: options?.marker ?? '',
      limit: options?.limit ?? 0,
    };
    return this.list(options, (grpc) => this.objectStore.listObjects(request, grpc));
  }

  /** An object's size, etag, content type, metadata and expiry. */
  getObject(container: string, name: string, selector?: Selector, options?: CallOptions): Promise<StoredObject> {
    return this.unary(options, async (grpc) => {
      const request = { location: toLocationSelector(selector), container, name };
      return (await this.objectStore.getObject(request, grpc)).object!;
    });
  }

  /**
   * Uploads an object from a file, a buffer or a stream in 1 MiB chunks (like openstacksdk's create_object). For
   * a file or buffer the size and md5 go in the header, so a wrong byte anywhere fails the upload and leaves
   * nothing. Objects larger than `segmentSizeBytes` become static large objects.
   */
  uploadObject(
    source: ObjectSource,
    header: Omit<Partial<UploadObjectHeader>, 'location'> & { container: string; name: string; location?: Selector },
    options?: CallOptions & {
      onProgress?: (progress: { bytes: number; totalBytes?: number }) => void;
      onError?: (error: OaktreeError) => void;
    },
  ): Promise<UploadObjectOutcome> {
    return this.unary(options, (grpc) =>
      uploadObject(
        this.objectStore,
        source,
        { ...header, location: toLocationSelector(header.location), requestId: header.requestId ?? randomUUID() },
        grpc,
        options?.onProgress,
        options?.onError,
      ),
    );
  }

  /** Downloads an object (or `offset`/`length` bytes of it) to a file or a writable stream (get_object). */
  downloadObject(
    container: string,
    name: string,
    sink: ObjectSink,
    selector?: Selector,
    options?: CallOptions & {
      offset?: number;
      length?: number;
      onProgress?: (progress: { bytes: number; totalBytes?: number }) => void;
    },
  ): Promise<DownloadObjectOutcome> {
    return this.unary(options, (grpc) =>
      downloadObject(
        this.objectStore,
        {
          location: toLocationSelector(selector),
          container,
          name,
          offset: BigInt(options?.offset ?? 0),
          length: BigInt(options?.length ?? 0),
        },
        sink,
        grpc,
        options?.onProgress,
      ),
    );
  }

  /** Deletes an object (and its segments when it is a large object). */
  deleteObject(
    container: string,
    name: string,
    selector: Selector,
    options?: CallOptions,
  ): Promise<DeleteObjectResponse> {
    return this.unary(options, (grpc) =>
      this.objectStore.deleteObject({ location: toLocationSelector(selector), container, name }, grpc),
    );
  }

  /** Deletes every object under a prefix; resolves with the last progress message. */
  deleteObjects(
    container: string,
    prefix: string,
    selector: Selector,
    options?: CallOptions,
  ): Promise<DeleteObjectsResponse> {
    return this.unary(options, async (grpc) => {
      let last: DeleteObjectsResponse | undefined;
      for await (last of this.objectStore.deleteObjects(
        { location: toLocationSelector(selector), container, prefix },
        grpc,
      ));
      return last!;
    });
  }

  /** A signed URL to GET (default) or PUT the object straight at the cloud; FAILED_PRECONDITION without TempURL. */
  createObjectUrl(
    container: string,
    name: string,
    selector?: Selector,
    options?: CallOptions & { method?: 'GET' | 'PUT' | 'HEAD' | 'DELETE'; expiresInSeconds?: number },
  ): Promise<CreateObjectUrlResponse> {
    const methods = {
      GET: ObjectUrlMethod.OBJECT_URL_METHOD_GET,
      PUT: ObjectUrlMethod.OBJECT_URL_METHOD_PUT,
      HEAD: ObjectUrlMethod.OBJECT_URL_METHOD_HEAD,
      DELETE: ObjectUrlMethod.OBJECT_URL_METHOD_DELETE,
    };
    return this.unary(options, (grpc) =>
      this.objectStore.createObjectUrl(
        {
          location: toLocationSelector(selector),
          container,
          name,
          method: methods[options?.method ?? 'GET'],
          expiresInSeconds: BigInt(options?.expiresInSeconds ?? 0),
        },
        grpc,
      ),
    );
  }
}
