// Every routed RPC, described once: its gRPC path, its message types and how the router treats it.
// The router and the peer backend work from these descriptors, so adding an RPC is one line here.
import type { MessageFns as ComputeMessageFns } from '../gen/oaktree/v1/compute.ts';
import { CapabilitiesServiceDefinition } from '../gen/oaktree/v1/capabilities.ts';
import { ComputeServiceDefinition } from '../gen/oaktree/v1/compute.ts';
import { ImageServiceDefinition } from '../gen/oaktree/v1/image.ts';
import { LimitsServiceDefinition } from '../gen/oaktree/v1/limits.ts';
import { LocationServiceDefinition } from '../gen/oaktree/v1/location.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';
import { NetworkServiceDefinition } from '../gen/oaktree/v1/network.ts';
import { VolumeServiceDefinition } from '../gen/oaktree/v1/volume.ts';

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

interface MethodBase<Req, Res> {
  /** The gRPC path, e.g. /oaktree.v1.ComputeService/ListServers. */
  readonly path: string;
  /** The RPC's name, e.g. ListServers. */
  readonly name: string;
  readonly requestType: MessageFns<Req>;
  readonly responseType: MessageFns<Res>;
}

/** Fans out to every matching location; one response per object or per in-band error. */
export interface ListMethod<Req, Res extends ListResponse> extends MethodBase<Req, Res> {
  readonly kind: 'list';
  /** The oneof case that carries an object, e.g. "server". */
  readonly itemCase: string;
  /** Where an item's location is, for items that are not resources themselves (watch events). */
  readonly locationOf: (res: Res) => Location | undefined;
}
/** Routed to exactly one location; one response. */
export interface UnaryMethod<Req, Res> extends MethodBase<Req, Res> {
  readonly kind: 'unary';
}
/** Routed to exactly one location; a stream of responses (progress, chunks). */
export interface ServerStreamMethod<Req, Res> extends MethodBase<Req, Res> {
  readonly kind: 'server-stream';
}
/** A stream of requests routed to one or more locations; one response. */
export interface ClientStreamMethod<Req, Res> extends MethodBase<Req, Res> {
  readonly kind: 'client-stream';
}

export type AnyMethod =
  | ListMethod<any, any>
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

function list<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
  itemCase: string,
  locationOf?: (res: Res<S, K>) => Location | undefined,
): ListMethod<Req<S, K>, Res<S, K> & ListResponse> {
  return {
    kind: 'list',
    ...base(service, key),
    itemCase,
    locationOf: locationOf ?? ((res: any) => res.item?.value?.location),
  };
}
function unary<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
): UnaryMethod<Req<S, K>, Res<S, K>> {
  return { kind: 'unary', ...base(service, key) };
}
function serverStream<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
): ServerStreamMethod<Req<S, K>, Res<S, K>> {
  return { kind: 'server-stream', ...base(service, key) };
}
function clientStream<S extends TsProtoService, K extends keyof S['methods'] & string>(
  service: S,
  key: K,
): ClientStreamMethod<Req<S, K>, Res<S, K>> {
  return { kind: 'client-stream', ...base(service, key) };
}

const Compute = ComputeServiceDefinition;
const Network = NetworkServiceDefinition;
const Volume = VolumeServiceDefinition;
const Image = ImageServiceDefinition;

export const Methods = {
  listLocations: list(LocationServiceDefinition, 'listLocations', 'location', (res) =>
    res.item?.$case === 'location' ? res.item.value : res.item?.value.location,
  ),

  listFlavors: list(Compute, 'listFlavors', 'flavor'),
  listKeypairs: list(Compute, 'listKeypairs', 'keypair'),
  createKeypair: unary(Compute, 'createKeypair'),
  deleteKeypair: unary(Compute, 'deleteKeypair'),
  createServer: serverStream(Compute, 'createServer'),
  listServers: list(Compute, 'listServers', 'server'),
  deleteServer: unary(Compute, 'deleteServer'),
  waitForServer: serverStream(Compute, 'waitForServer'),
  watchServers: list(Compute, 'watchServers', 'event', (res) => {
    const item = res.item;
    if (!item) return undefined;
    return item.$case === 'event' ? item.value.server?.location : item.value.location;
  }),
  getServerConsole: unary(Compute, 'getServerConsole'),
  listAvailabilityZones: list(Compute, 'listAvailabilityZones', 'availabilityZone'),

  listImages: list(Image, 'listImages', 'image'),
  uploadImage: clientStream(Image, 'uploadImage'),
  downloadImage: serverStream(Image, 'downloadImage'),
  deleteImage: unary(Image, 'deleteImage'),

  listNetworks: list(Network, 'listNetworks', 'network'),
  listSubnets: list(Network, 'listSubnets', 'subnet'),
  listPorts: list(Network, 'listPorts', 'port'),
  deletePort: unary(Network, 'deletePort'),
  listSecurityGroups: list(Network, 'listSecurityGroups', 'securityGroup'),
  listFloatingIps: list(Network, 'listFloatingIPs', 'floatingIp'),
  createFloatingIp: unary(Network, 'createFloatingIP'),
  attachFloatingIp: unary(Network, 'attachFloatingIP'),
  detachFloatingIp: unary(Network, 'detachFloatingIP'),
  deleteFloatingIp: unary(Network, 'deleteFloatingIP'),
  deleteUnattachedFloatingIps: unary(Network, 'deleteUnattachedFloatingIPs'),

  listVolumes: list(Volume, 'listVolumes', 'volume'),
  createVolume: unary(Volume, 'createVolume'),
  deleteVolume: unary(Volume, 'deleteVolume'),
  attachVolume: unary(Volume, 'attachVolume'),
  detachVolume: unary(Volume, 'detachVolume'),

  listLimits: list(LimitsServiceDefinition, 'listLimits', 'limits'),
  listCapabilities: list(CapabilitiesServiceDefinition, 'listCapabilities', 'capabilities'),
} as const;

export type MethodKey = keyof typeof Methods;
export type MethodOf<K extends MethodKey> = (typeof Methods)[K];
