// Every RPC of the user API, described once: its gRPC path, its message types, how the router treats it, whether
// it reads or writes, and its validation. The router, the peer backend and the API services (src/api/table-
// services.ts) work from these descriptors, so adding an RPC is one row here plus its backend handler.
import type { MessageFns as ComputeMessageFns } from '../gen/oaktree/v1/compute.ts';
import { CapabilitiesServiceDefinition } from '../gen/oaktree/v1/capabilities.ts';
import { ComputeServiceDefinition } from '../gen/oaktree/v1/compute.ts';
import { ImageServiceDefinition } from '../gen/oaktree/v1/image.ts';
import { LimitsServiceDefinition } from '../gen/oaktree/v1/limits.ts';
import { LocationServiceDefinition } from '../gen/oaktree/v1/location.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';
import { NetworkServiceDefinition } from '../gen/oaktree/v1/network.ts';
import { VolumeServiceDefinition } from '../gen/oaktree/v1/volume.ts';
import { IdentityServiceDefinition } from '../gen/oaktree/v1/identity.ts';
import { ObjectStoreServiceDefinition, ObjectUrlMethod } from '../gen/oaktree/v1/object_store.ts';
import { FloatingIPMode } from '../gen/oaktree/v1/compute.ts';
import type { LocationSelector } from '../gen/oaktree/v1/location.ts';
import { Status } from 'nice-grpc-common';
import { OaktreeError } from './errors.ts';
import { SERVER_ACTION_RULES, UPDATE_SERVER_RULES } from './server-action-rules.ts';
import {
  containerName,
  headerTokenKeys,
  headerValue,
  MAX_CONTAINER_NAME_BYTES,
  MAX_OBJECT_NAME_BYTES,
  objectName,
} from './object-names.ts';
import {
  atMost,
  boundedText,
  camel,
  hex,
  knownValue,
  notNegative,
  oneOf,
  required,
  unsetOrAtLeast,
  requestId,
  type Rule,
  selector,
  validator,
  when,
} from './field-rules.ts';
import { ServerGroupPolicy } from '../gen/oaktree/v1/compute.ts';
import { imagePropertyKeys, imagePropertyNames } from './image-rules.ts';
import { blockDeviceList, metadataKeys, nicList, nameRegex, oneBootSource, tagList } from './server-config-rules.ts';

type MessageFns<T> = ComputeMessageFns<T>;

interface TsProtoMethod<Req, Res> {
  name: string;
  requestType: MessageFns<Req>;
  responseType: MessageFns<Res>;
  requestStream: boolean;
  responseStream: boolean;
}
interface TsProtoService {
  fullName: string;
  methods: Record<string, TsProtoMethod<any, any>>;
}

/** A list response: `oneof item { <Object> <case> = 1; LocationError error = 2; ... }`. */
export interface ListResponse {
  item?: { $case: string; value: any } | undefined;
}
/** The object type carried by a list response, e.g. Server for ListServersResponse. */
export type ObjectOf<Res extends ListResponse> = Exclude<NonNullable<Res['item']>, { $case: 'error' }>['value'];

/** What a caller needs permission for: every create, delete, attach, detach and upload is a write. */
export type Action = 'read' | 'write';

interface MethodBase<Req, Res> {
  /** The gRPC path, e.g. /oaktree.v1.ComputeService/ListServers. */
  readonly path: string;
  /** The RPC's name, e.g. ListServers. */
  readonly name: string;
  readonly requestType: MessageFns<Req>;
  readonly responseType: MessageFns<Res>;
  readonly action: Action;
  /** Throws INVALID_ARGUMENT naming the first problem; checks nothing that needs a cloud. */
  readonly validate: (request: Req) => void;
}

/** Fans out to every matching location; one response per object or per in-band error. */
export interface ListMethod<Req, Res extends ListResponse> extends MethodBase<Req, Res> {
  readonly kind: 'list';
  /** The oneof case that carries an object, e.g. "server". */
  readonly itemCase: string;
  /** Where an item's location is, for items that are not resources themselves (watch events). */
  readonly locationOf: (res: Res) => Location | undefined;
}
/** Finds exactly one object by name_or_id over a list method; never reaches a backend as itself. */
export interface GetMethod<Req, Res> extends MethodBase<Req, Res> {
  readonly kind: 'get';
  readonly over: ListMethod<any, any>;
  /** The object's noun, which is also the response field that carries it, e.g. "flavor". */
  readonly noun: string;
}
/** A call about one object that is first found by name_or_id, then pinned to the route it was found through. */
export interface FollowUp {
  readonly over: ListMethod<any, any>;
  readonly noun: string;
  /** The request key that names the object, when it is not nameOrId (e.g. an object call names its container). */
  readonly key?: string;
  /**
   * The backend finds the object itself, cheaper than the find (WaitForServer: in the region's poller view, at
   * no cost to the cloud): the find over `over` runs only to choose among several selected locations.
   */
  readonly inBackend?: boolean;
}
/** Routed to exactly one location; one response. */
export interface UnaryMethod<Req, Res> extends MethodBase<Req, Res> {
  readonly kind: 'unary';
  readonly followUp?: FollowUp;
  /** The request carries a request_id: retries with it must act once (backends hold a request lock). */
  readonly takesRequestId: boolean;
}
/** Routed to exactly one location; a stream of responses (progress, chunks). */
export interface ServerStreamMethod<Req, Res> extends MethodBase<Req, Res> {
  readonly kind: 'server-stream';
  readonly followUp?: FollowUp;
  /** The request carries a request_id: retries with it must act once (backends hold a request lock). */
  readonly takesRequestId: boolean;
}
/** Where a client stream goes, read from its first message. */
export interface Opening {
  location?: LocationSelector | undefined;
  allMatchingLocations?: boolean;
}
/** A stream of requests routed to one or more locations; one response. `validate` checks the first message. */
export interface ClientStreamMethod<Req, Res> extends MethodBase<Req, Res> {
  readonly kind: 'client-stream';
  /** The opening part of the first message; undefined when the first message is not one. */
  readonly openingOf: (first: Req) => Opening | undefined;
  /** The opening carries a request_id: retries with it must act once (backends hold a request lock). */
  readonly takesRequestId: boolean;
}

export type AnyMethod =
  | ListMethod<any, any>
  | GetMethod<any, any>
  | UnaryMethod<any, any>
  | ServerStreamMethod<any, any>
  | ClientStreamMethod<any, any>;

function base<S extends TsProtoService, K extends keyof S['methods'] & string>(service: S, key: K) {
  const method = service.methods[key];
  return {
    path: `/${service.fullName}/${method.name}`,
    name: method.name,
    requestType: method.requestType,
    responseType: method.responseType,
  };
}

type Req<S extends TsProtoService, K extends keyof S['methods']> =
  S['methods'][K] extends TsProtoMethod<infer R, any> ? R : never;
type Res<S extends TsProtoService, K extends keyof S['methods']> =
  S['methods'][K] extends TsProtoMethod<any, infer R> ? R : never;

interface RowOptions {
  action: Action;
  /** Checks beyond the selector and the default text bound. */
  rules?: Rule[];
  /** Longer limits than MAX_TEXT_LENGTH for some fields, by proto name. */
  text?: Record<string, number>;
  followUp?: FollowUp;
}

/** Every row checks its selector and bounds its free text first, then its own rules. */
const checks = (options: Pick<RowOptions, 'rules' | 'text'>, path = '') =>
  validator([selector, boundedText(options.text), ...(options.rules ?? [])], path);

/** A row whose rules check a request_id is a row whose request carries one. */
const takesRequestId = (options: RowOptions) => !!options.rules?.includes(requestId);

const nameOrId = (noun: string) => required('name_or_id', `the ${noun}'s name or id`);

function list<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
  itemCase: string,
  locationOf?: (res: Res<S, K>) => Location | undefined,
  text?: Record<string, number>,
): ListMethod<Req<S, K>, Res<S, K> & ListResponse> {
  return {
    kind: 'list',
    ...base(service, key),
    action: 'read',
    validate: checks({ text }),
    itemCase,
    locationOf: locationOf ?? ((res: any) => res.item?.value?.location),
  };
}
function get<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
  over: ListMethod<any, any>,
  noun: string,
  text?: Record<string, number>,
): GetMethod<Req<S, K>, Res<S, K>> {
  return {
    kind: 'get',
    ...base(service, key),
    action: 'read',
    validate: checks({ rules: [nameOrId(noun)], text }),
    over,
    noun,
  };
}
/** A list row with checks beyond the selector and the text bound (its filters). */
function withRules<M extends ListMethod<any, any>>(method: M, rules: Rule[], text?: Record<string, number>): M {
  return { ...method, validate: checks({ rules, text }) };
}
/** The server filters ListServers and WatchServers share. */
const serverFilterRules = () => [
  tagList('tags'),
  tagList('tags_any'),
  nameRegex('name_regex'),
  metadataKeys('metadata'),
];
/** A follow-up: find the `noun` by name_or_id over `over`, then route the call to where it was found. */
function about(over: ListMethod<any, any>, noun: string): Pick<RowOptions, 'followUp' | 'rules'> {
  return { followUp: { over, noun }, rules: [nameOrId(noun)] };
}
function withFollowUpRules(
  followUp: Pick<RowOptions, 'followUp' | 'rules'>,
  rules: Rule[],
): Pick<RowOptions, 'followUp' | 'rules'> {
  return { followUp: followUp.followUp, rules: [...(followUp.rules ?? []), ...rules] };
}
/** A follow-up whose object is named by another field than name_or_id. */
function aboutBy(over: ListMethod<any, any>, noun: string, field: string): Pick<RowOptions, 'followUp' | 'rules'> {
  const key = camel(field);
  return { followUp: { over, noun, key }, rules: [required(field, `the ${noun}'s name`)] };
}
function unary<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
  options: RowOptions,
): UnaryMethod<Req<S, K>, Res<S, K>> {
  return {
    kind: 'unary',
    ...base(service, key),
    action: options.action,
    validate: checks(options),
    followUp: options.followUp,
    takesRequestId: takesRequestId(options),
  };
}
function serverStream<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
  options: RowOptions,
): ServerStreamMethod<Req<S, K>, Res<S, K>> {
  return {
    kind: 'server-stream',
    ...base(service, key),
    action: options.action,
    validate: checks(options),
    followUp: options.followUp,
    takesRequestId: takesRequestId(options),
  };
}
function clientStream<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
  options: RowOptions & { opening: string; openingOf: (first: Req<S, K>) => Opening | undefined },
): ClientStreamMethod<Req<S, K>, Res<S, K>> {
  const checkOpening = checks(options, `${options.opening}.`);
  const described = base(service, key);
  return {
    kind: 'client-stream',
    ...described,
    action: options.action,
    openingOf: options.openingOf,
    takesRequestId: takesRequestId(options),
    validate(first) {
      const opening = options.openingOf(first);
      if (!opening) {
        throw new OaktreeError(
          Status.INVALID_ARGUMENT,
          `the first ${described.name} message must be the ${options.opening} (part.${options.opening})`,
        );
      }
      checkOpening(opening);
    },
  };
}

const Compute = ComputeServiceDefinition;
const Network = NetworkServiceDefinition;
const Volume = VolumeServiceDefinition;
const Image = ImageServiceDefinition;

// Lists that Gets and follow-ups find their object through.
const listFlavors = list(Compute, 'listFlavors', 'flavor');
const listServers = withRules(list(Compute, 'listServers', 'server'), serverFilterRules());
const listServerGroups = list(Compute, 'listServerGroups', 'serverGroup');
const listImages = list(Image, 'listImages', 'image');
const listVolumes = list(Volume, 'listVolumes', 'volume');
const listNetworks = list(Network, 'listNetworks', 'network');
const listSubnets = list(Network, 'listSubnets', 'subnet');
const listPorts = list(Network, 'listPorts', 'port');
const listSecurityGroups = list(Network, 'listSecurityGroups', 'securityGroup');
const listFloatingIps = list(Network, 'listFloatingIPs', 'floatingIp');
const listRouters = list(Network, 'listRouters', 'router');
const listVolumeSnapshots = list(Volume, 'listVolumeSnapshots', 'snapshot');
const listVolumeBackups = list(Volume, 'listVolumeBackups', 'backup');

/** An OpenSSH public key (RSA 16384 is about 2.8 KB; certificates are longer). */
const MAX_PUBLIC_KEY_LENGTH = 16 * 1024;
/** A watch token holds a short position for every location watched. */
const MAX_RESUME_TOKEN_LENGTH = 256 * 1024;
/** Nova takes up to 64 KiB of user data after base64, so about 48 KiB of text. */
const MAX_USER_DATA_LENGTH = 48 * 1024;

const ObjectStore = ObjectStoreServiceDefinition;
/** Container names are up to 256 bytes (containerName checks the bytes): the text bound must not refuse them first. */
const CONTAINER_TEXT = { container: MAX_CONTAINER_NAME_BYTES, destination_container: MAX_CONTAINER_NAME_BYTES };
const CONTAINER_BY_NAME = { name_or_id: MAX_CONTAINER_NAME_BYTES };
const listContainers = list(ObjectStore, 'listContainers', 'container', undefined, CONTAINER_BY_NAME);
const byContainer = aboutBy(listContainers, 'container', 'container');
const inContainer = {
  ...byContainer,
  text: CONTAINER_TEXT,
  rules: [...byContainer.rules!, containerName('container')],
};
/** Object names, prefixes and markers are up to 1,024 bytes (objectName checks the bytes). */
const OBJECT_TEXT = {
  ...CONTAINER_TEXT,
  name: MAX_OBJECT_NAME_BYTES,
  destination_name: MAX_OBJECT_NAME_BYTES,
  prefix: MAX_OBJECT_NAME_BYTES,
  marker: MAX_OBJECT_NAME_BYTES,
};
/**
 * An object's expiry from now. Swift caps the delete-at time at 9999999999 (the year 2286) and a larger one cannot
 * be a date at all: 100 years is far beyond any real retention and keeps the sum a date every client can read.
 */
const MAX_DELETE_AFTER_SECONDS = 100 * 365 * 24 * 3600;
const deleteAfter = atMost('delete_after_seconds', MAX_DELETE_AFTER_SECONDS, '100 years');
/**
 * Every segment is a PUT and a manifest entry (at most 1,000 of them): below 1 MiB (Swift's own SLO minimum until
 * 2.8) segments cost requests and cap the object's size for nothing. Only the last segment may be smaller.
 */
const MIN_SEGMENT_BYTES = 1024 * 1024;
/** A call about one object: found through its container, named by `name`. */
function objectCall(action: Action, rules: Rule[] = []): RowOptions {
  return {
    action,
    followUp: inContainer.followUp,
    text: OBJECT_TEXT,
    rules: [...inContainer.rules!, required('name', "the object's name"), objectName('name'), ...rules],
  };
}

const serverName = (hint: string) => required('server', hint);
const floatingIp = required('floating_ip', "the floating IP's id or address");

export const Methods = {
  listLocations: list(LocationServiceDefinition, 'listLocations', 'location', (res) =>
    res.item?.$case === 'location' ? res.item.value : res.item?.value.location,
  ),

  listFlavors,
  getFlavor: get(Compute, 'getFlavor', listFlavors, 'flavor'),
  listKeypairs: list(Compute, 'listKeypairs', 'keypair'),
  createKeypair: unary(Compute, 'createKeypair', {
    action: 'write',
    rules: [required('name', 'the keypair needs a name'), requestId],
    text: { public_key: MAX_PUBLIC_KEY_LENGTH },
  }),
  deleteKeypair: unary(Compute, 'deleteKeypair', { action: 'write', rules: [required('name', "the keypair's name")] }),
  createServer: serverStream(Compute, 'createServer', {
    action: 'write',
    rules: [
      required('name', 'the server needs a name'),
      required('flavor', 'a flavor name or id (see ListFlavors)'),
      oneBootSource,
      nicList,
      blockDeviceList,
      tagList('tags'),
      notNegative('boot_volume_size_gb'),
      when(
        (r) => r.floatingIp === FloatingIPMode.FLOATING_IP_MODE_ALWAYS && !r.wait,
        'floating_ip ALWAYS needs wait: a floating IP is attached once the server is ACTIVE; set wait to true',
      ),
      requestId,
    ],
    text: { user_data: MAX_USER_DATA_LENGTH },
  }),
  getServer: get(Compute, 'getServer', listServers, 'server'),
  listServers,
  deleteServer: unary(Compute, 'deleteServer', { action: 'write', rules: [nameOrId('server')] }),
  waitForServer: serverStream(Compute, 'waitForServer', {
    action: 'read',
    followUp: { over: listServers, noun: 'server', inBackend: true },
    rules: [nameOrId('server')],
  }),
  watchServers: withRules(
    list(
      Compute,
      'watchServers',
      'event',
      (res) => {
        const item = res.item;
        if (!item) return undefined;
        return item.$case === 'event' ? item.value.server?.location : item.value.location;
      },
      // One position per location: grows with the mesh (never echoed; a bad token gets a fixed message).
      { resume_token: MAX_RESUME_TOKEN_LENGTH },
    ),
    serverFilterRules(),
    { resume_token: MAX_RESUME_TOKEN_LENGTH },
  ),
  getServerConsole: unary(Compute, 'getServerConsole', { action: 'read', ...about(listServers, 'server') }),
  runServerAction: serverStream(Compute, 'runServerAction', {
    action: 'write',
    ...about(listServers, 'server'),
    rules: [nameOrId('server'), ...SERVER_ACTION_RULES],
  }),
  snapshotServer: serverStream(Compute, 'snapshotServer', {
    action: 'write',
    ...about(listServers, 'server'),
    rules: [nameOrId('server'), required('image_name', 'the snapshot image needs a name'), requestId],
  }),
  updateServer: unary(Compute, 'updateServer', {
    action: 'write',
    ...about(listServers, 'server'),
    rules: [nameOrId('server'), ...UPDATE_SERVER_RULES],
  }),
  listAvailabilityZones: list(Compute, 'listAvailabilityZones', 'availabilityZone'),
  setServerMetadata: unary(Compute, 'setServerMetadata', {
    action: 'write',
    ...withFollowUpRules(about(listServers, 'server'), [
      metadataKeys('metadata'),
      when(
        (r) => !r.replace && Object.keys(r.metadata ?? {}).length === 0,
        'metadata is required: the keys to set (or replace with an empty map to clear it)',
      ),
    ]),
  }),
  deleteServerMetadata: unary(Compute, 'deleteServerMetadata', {
    action: 'write',
    ...withFollowUpRules(about(listServers, 'server'), [
      when((r) => !r.keys?.length || r.keys.some((k: string) => !k), 'keys is required: the metadata keys to delete'),
    ]),
  }),
  setServerTags: unary(Compute, 'setServerTags', {
    action: 'write',
    ...withFollowUpRules(about(listServers, 'server'), [
      tagList('tags'),
      when((r) => !r.replace && !r.tags?.length, 'tags is required: the tags to add (or replace with none to clear)'),
    ]),
  }),
  deleteServerTags: unary(Compute, 'deleteServerTags', {
    action: 'write',
    ...withFollowUpRules(about(listServers, 'server'), [
      tagList('tags'),
      when((r) => !r.all && !r.tags?.length, 'tags is required: the tags to remove (or set all)'),
      when((r) => r.all && r.tags?.length, 'all removes every tag: leave tags empty with it'),
    ]),
  }),
  listServerGroups,
  getServerGroup: get(Compute, 'getServerGroup', listServerGroups, 'serverGroup'),
  createServerGroup: unary(Compute, 'createServerGroup', {
    action: 'write',
    rules: [
      required('name', 'the server group needs a name'),
      when((r) => !r.policy, 'policy is required: AFFINITY, ANTI_AFFINITY, SOFT_AFFINITY or SOFT_ANTI_AFFINITY'),
      notNegative('max_server_per_host'),
      when(
        (r) => r.maxServerPerHost > 0 && r.policy !== ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY,
        'max_server_per_host is a rule of the ANTI_AFFINITY policy only',
      ),
      requestId,
    ],
  }),
  deleteServerGroup: unary(Compute, 'deleteServerGroup', {
    action: 'write',
    ...about(listServerGroups, 'serverGroup'),
  }),

  listImages,
  getImage: get(Image, 'getImage', listImages, 'image'),
  uploadImage: clientStream(Image, 'uploadImage', {
    action: 'write',
    opening: 'header',
    openingOf: (first) => (first.part?.$case === 'header' ? first.part.value : undefined),
    rules: [
      required('name', 'the image needs a name'),
      notNegative('min_disk_gb'),
      notNegative('min_ram_mb'),
      notNegative('size_bytes'),
      hex('md5', 32),
      hex('sha256', 64),
      imagePropertyKeys('properties'),
      requestId,
      when(
        (h) => !['', 'put', 'glance-direct'].includes(h.uploadMethod ?? ''),
        'upload_method must be put or glance-direct (or empty: oaktree decides)',
      ),
    ],
  }),
  downloadImage: serverStream(Image, 'downloadImage', { action: 'read', ...about(listImages, 'image') }),
  deleteImage: unary(Image, 'deleteImage', { action: 'write', rules: [nameOrId('image')] }),
  updateImage: unary(Image, 'updateImage', {
    action: 'write',
    ...withFollowUpRules(about(listImages, 'image'), [
      imagePropertyKeys('properties'),
      imagePropertyNames('remove_properties'),
    ]),
  }),
  deactivateImage: unary(Image, 'deactivateImage', { action: 'write', ...about(listImages, 'image') }),
  reactivateImage: unary(Image, 'reactivateImage', { action: 'write', ...about(listImages, 'image') }),
  listImageMembers: {
    ...list(Image, 'listImageMembers', 'member'),
    validate: checks({ rules: [required('image', "the image's name or id")] }),
  },
  addImageMember: unary(Image, 'addImageMember', {
    action: 'write',
    ...about(listImages, 'image'),
    rules: [nameOrId('image'), required('member_id', "the project's id")],
  }),
  updateImageMember: unary(Image, 'updateImageMember', {
    action: 'write',
    rules: [
      required('name_or_id', "the image's id"),
      required('member_id', "the member project's id"),
      when((r) => !r.status, 'status is required: ACCEPTED, REJECTED or PENDING'),
    ],
  }),
  removeImageMember: unary(Image, 'removeImageMember', {
    action: 'write',
    ...about(listImages, 'image'),
    rules: [nameOrId('image'), required('member_id', "the member project's id")],
  }),
  importImage: serverStream(Image, 'importImage', {
    action: 'write',
    rules: [
      required('name', 'the image needs a name'),
      required('uri', 'the http(s) URL the cloud fetches the data from'),
      when((r) => !!r.uri && !/^https?:\/\//i.test(r.uri), 'uri must be an http:// or https:// URL'),
      notNegative('min_disk_gb'),
      notNegative('min_ram_mb'),
      imagePropertyKeys('properties'),
      requestId,
    ],
    text: { uri: 2048 },
  }),
  waitForImage: serverStream(Image, 'waitForImage', { action: 'read', ...about(listImages, 'image') }),

  listNetworks,
  listSubnets,
  listPorts,
  deletePort: unary(Network, 'deletePort', { action: 'write', rules: [required('id', "the port's id")] }),
  listSecurityGroups,
  listFloatingIps,
  createFloatingIp: unary(Network, 'createFloatingIP', { action: 'write', rules: [requestId] }),
  attachFloatingIp: unary(Network, 'attachFloatingIP', {
    action: 'write',
    rules: [floatingIp, serverName("the server's name or id")],
  }),
  detachFloatingIp: unary(Network, 'detachFloatingIP', { action: 'write', rules: [floatingIp] }),
  deleteFloatingIp: unary(Network, 'deleteFloatingIP', { action: 'write', rules: [floatingIp] }),
  deleteUnattachedFloatingIps: unary(Network, 'deleteUnattachedFloatingIPs', { action: 'write' }),
  getFloatingIp: get(Network, 'getFloatingIP', listFloatingIps, 'floatingIp'),
  updateFloatingIp: unary(Network, 'updateFloatingIP', { action: 'write', ...about(listFloatingIps, 'floating IP') }),
  getNetwork: get(Network, 'getNetwork', listNetworks, 'network'),
  createNetwork: unary(Network, 'createNetwork', {
    action: 'write',
    rules: [required('name', 'the network needs a name'), notNegative('mtu'), requestId],
  }),
  updateNetwork: unary(Network, 'updateNetwork', { action: 'write', ...about(listNetworks, 'network') }),
  deleteNetwork: unary(Network, 'deleteNetwork', { action: 'write', ...about(listNetworks, 'network') }),
  getSubnet: get(Network, 'getSubnet', listSubnets, 'subnet'),
  createSubnet: unary(Network, 'createSubnet', {
    action: 'write',
    rules: [
      required('network', "the network's name or id"),
      oneOf(['cidr', 'subnet_pool'], 'a CIDR, or a subnet pool to take one from'),
      notNegative('prefix_length'),
      requestId,
    ],
  }),
  updateSubnet: unary(Network, 'updateSubnet', { action: 'write', ...about(listSubnets, 'subnet') }),
  deleteSubnet: unary(Network, 'deleteSubnet', { action: 'write', ...about(listSubnets, 'subnet') }),
  listRouters,
  getRouter: get(Network, 'getRouter', listRouters, 'router'),
  createRouter: unary(Network, 'createRouter', {
    action: 'write',
    rules: [required('name', 'the router needs a name'), requestId],
  }),
  updateRouter: unary(Network, 'updateRouter', { action: 'write', ...about(listRouters, 'router') }),
  deleteRouter: unary(Network, 'deleteRouter', { action: 'write', ...about(listRouters, 'router') }),
  addRouterInterface: unary(Network, 'addRouterInterface', {
    action: 'write',
    followUp: { over: listRouters, noun: 'router' },
    rules: [nameOrId('router'), oneOf(['subnet', 'port'], 'a subnet name or id, or a port id')],
  }),
  removeRouterInterface: unary(Network, 'removeRouterInterface', {
    action: 'write',
    followUp: { over: listRouters, noun: 'router' },
    rules: [nameOrId('router'), oneOf(['subnet', 'port'], 'a subnet name or id, or a port id')],
  }),
  getPort: get(Network, 'getPort', listPorts, 'port'),
  createPort: unary(Network, 'createPort', {
    action: 'write',
    rules: [required('network', "the network's name or id"), requestId],
  }),
  updatePort: unary(Network, 'updatePort', { action: 'write', ...about(listPorts, 'port') }),
  getSecurityGroup: get(Network, 'getSecurityGroup', listSecurityGroups, 'securityGroup'),
  createSecurityGroup: unary(Network, 'createSecurityGroup', {
    action: 'write',
    rules: [required('name', 'the security group needs a name'), requestId],
  }),
  updateSecurityGroup: unary(Network, 'updateSecurityGroup', {
    action: 'write',
    ...about(listSecurityGroups, 'security group'),
  }),
  deleteSecurityGroup: unary(Network, 'deleteSecurityGroup', {
    action: 'write',
    ...about(listSecurityGroups, 'security group'),
  }),
  createSecurityGroupRule: unary(Network, 'createSecurityGroupRule', {
    action: 'write',
    followUp: { over: listSecurityGroups, noun: 'security group' },
    rules: [
      nameOrId('security group'),
      when((r) => !r.direction, 'direction is required: ingress or egress'),
      notNegative('port_range_min'),
      notNegative('port_range_max'),
    ],
  }),
  deleteSecurityGroupRule: unary(Network, 'deleteSecurityGroupRule', {
    action: 'write',
    rules: [required('id', "the rule's id")],
  }),
  listNetworkQuotas: list(Network, 'listNetworkQuotas', 'quotas'),

  listVolumes,
  getVolume: get(Volume, 'getVolume', listVolumes, 'volume'),
  createVolume: unary(Volume, 'createVolume', {
    action: 'write',
    // Without a size the backend sizes a volume made from an image by the image's minimum disk.
    rules: [
      notNegative('size_gb'),
      oneOf(
        ['size_gb', 'image', 'snapshot', 'source_volume'],
        'a size in GiB, or an image, snapshot or source volume to size it from',
      ),
      when(
        (r) => [r.image, r.snapshot, r.sourceVolume].filter(Boolean).length > 1,
        'give at most one of image, snapshot and source_volume',
      ),
      requestId,
    ],
  }),
  deleteVolume: unary(Volume, 'deleteVolume', { action: 'write', rules: [nameOrId('volume')] }),
  attachVolume: unary(Volume, 'attachVolume', {
    action: 'write',
    rules: [required('volume', "the volume's name or id"), serverName("the server's name or id")],
  }),
  detachVolume: unary(Volume, 'detachVolume', {
    action: 'write',
    rules: [required('volume', "the volume's name or id"), serverName("the server's name or id")],
  }),
  updateVolume: unary(Volume, 'updateVolume', { action: 'write', ...about(listVolumes, 'volume') }),
  extendVolume: unary(Volume, 'extendVolume', {
    action: 'write',
    ...about(listVolumes, 'volume'),
    rules: [nameOrId('volume'), when((r) => !(r.sizeGb > 0), 'size_gb is required: the new size in GiB')],
  }),
  retypeVolume: unary(Volume, 'retypeVolume', {
    action: 'write',
    ...about(listVolumes, 'volume'),
    rules: [nameOrId('volume'), required('volume_type', 'the new volume type (see ListVolumeTypes)')],
  }),
  waitForVolume: serverStream(Volume, 'waitForVolume', { action: 'read', ...about(listVolumes, 'volume') }),
  listVolumeSnapshots,
  getVolumeSnapshot: get(Volume, 'getVolumeSnapshot', listVolumeSnapshots, 'snapshot'),
  createVolumeSnapshot: unary(Volume, 'createVolumeSnapshot', {
    action: 'write',
    rules: [required('volume', "the volume's name or id"), requestId],
  }),
  updateVolumeSnapshot: unary(Volume, 'updateVolumeSnapshot', {
    action: 'write',
    ...about(listVolumeSnapshots, 'snapshot'),
  }),
  deleteVolumeSnapshot: unary(Volume, 'deleteVolumeSnapshot', {
    action: 'write',
    ...about(listVolumeSnapshots, 'snapshot'),
  }),
  listVolumeBackups,
  getVolumeBackup: get(Volume, 'getVolumeBackup', listVolumeBackups, 'backup'),
  createVolumeBackup: unary(Volume, 'createVolumeBackup', {
    action: 'write',
    rules: [required('volume', "the volume's name or id"), requestId],
  }),
  restoreVolumeBackup: unary(Volume, 'restoreVolumeBackup', { action: 'write', ...about(listVolumeBackups, 'backup') }),
  deleteVolumeBackup: unary(Volume, 'deleteVolumeBackup', { action: 'write', ...about(listVolumeBackups, 'backup') }),
  listVolumeTypes: list(Volume, 'listVolumeTypes', 'volumeType'),
  listProjects: list(IdentityServiceDefinition, 'listProjects', 'project'),
  whoAmI: list(IdentityServiceDefinition, 'whoAmI', 'caller'),

  // Object storage (issue 16): object calls are routed to where their container was found.
  listContainers,
  getContainer: get(ObjectStore, 'getContainer', listContainers, 'container', CONTAINER_BY_NAME),
  createContainer: unary(ObjectStore, 'createContainer', {
    action: 'write',
    text: { name: MAX_CONTAINER_NAME_BYTES },
    rules: [
      required('name', 'the container needs a name'),
      containerName('name'),
      headerTokenKeys('metadata'),
      headerValue('read_acl'),
      headerValue('write_acl'),
      notNegative('quota_bytes'),
      notNegative('quota_count'),
      requestId,
    ],
  }),
  updateContainer: unary(ObjectStore, 'updateContainer', {
    action: 'write',
    ...inContainer,
    rules: [
      ...inContainer.rules!,
      headerTokenKeys('metadata'),
      headerTokenKeys('remove_metadata'),
      headerValue('read_acl'),
      headerValue('write_acl'),
    ],
  }),
  deleteContainer: serverStream(ObjectStore, 'deleteContainer', { action: 'write', ...inContainer }),
  listObjects: {
    ...list(ObjectStore, 'listObjects', 'object'),
    validate: checks({
      text: OBJECT_TEXT,
      rules: [required('container', "the container's name"), containerName('container'), notNegative('limit')],
    }),
  },
  getObject: unary(ObjectStore, 'getObject', objectCall('read')),
  uploadObject: clientStream(ObjectStore, 'uploadObject', {
    action: 'write',
    opening: 'header',
    openingOf: (first) => (first.part?.$case === 'header' ? first.part.value : undefined),
    text: OBJECT_TEXT,
    rules: [
      required('container', 'the container to upload into'),
      containerName('container'),
      required('name', 'the object needs a name'),
      objectName('name'),
      headerTokenKeys('metadata'),
      headerValue('content_type'),
      notNegative('size_bytes'),
      notNegative('segment_size_bytes'),
      unsetOrAtLeast('segment_size_bytes', MIN_SEGMENT_BYTES, '1 MiB'),
      notNegative('delete_after_seconds'),
      deleteAfter,
      hex('md5', 32),
      requestId,
    ],
  }),
  downloadObject: serverStream(
    ObjectStore,
    'downloadObject',
    objectCall('read', [notNegative('offset'), notNegative('length')]),
  ),
  copyObject: unary(
    ObjectStore,
    'copyObject',
    objectCall('write', [
      required('destination_name', "the copy's name"),
      objectName('destination_name'),
      containerName('destination_container'),
      headerTokenKeys('metadata'),
    ]),
  ),
  updateObject: unary(
    ObjectStore,
    'updateObject',
    objectCall('write', [
      notNegative('delete_after_seconds'),
      deleteAfter,
      headerTokenKeys('metadata'),
      headerTokenKeys('remove_metadata'),
      headerValue('content_type'),
    ]),
  ),
  deleteObject: unary(ObjectStore, 'deleteObject', objectCall('write')),
  deleteObjects: serverStream(ObjectStore, 'deleteObjects', {
    action: 'write',
    ...inContainer,
    text: OBJECT_TEXT,
    rules: [...inContainer.rules!, required('prefix', 'a name prefix (DeleteContainer with empty_first deletes all)')],
  }),
  createObjectUrl: unary(
    ObjectStore,
    'createObjectUrl',
    objectCall('write', [
      knownValue('method', ObjectUrlMethod),
      notNegative('expires_in_seconds'),
      notNegative('max_size_bytes'),
    ]),
  ),

  listLimits: list(LimitsServiceDefinition, 'listLimits', 'limits'),
  listCapabilities: list(CapabilitiesServiceDefinition, 'listCapabilities', 'capabilities'),
} as const;

export type MethodKey = keyof typeof Methods;
export type MethodOf<K extends MethodKey> = (typeof Methods)[K];

const byPath = new Map<string, AnyMethod>(Object.values(Methods).map((method) => [method.path, method]));

/** The row for a gRPC path, e.g. for a service built from the table or an authorizer. */
export function methodByPath(path: string): AnyMethod | undefined {
  return byPath.get(path);
}
