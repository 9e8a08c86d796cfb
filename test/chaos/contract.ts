// The contract as the fuzzer sees it: every RPC of every oaktree service, read from the descriptor set the node
// serves for reflection. A new RPC in the protos is fuzzed without touching this tier.
import { readFileSync } from 'node:fs';
import { createFileRegistry, type DescMessage, type FileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { MeshServiceDefinition } from '../../src/gen/oaktree/mesh/v1/mesh.ts';
import { CapabilitiesServiceDefinition } from '../../src/gen/oaktree/v1/capabilities.ts';
import { ComputeServiceDefinition } from '../../src/gen/oaktree/v1/compute.ts';
import { IdentityServiceDefinition } from '../../src/gen/oaktree/v1/identity.ts';
import { ImageServiceDefinition } from '../../src/gen/oaktree/v1/image.ts';
import { LimitsServiceDefinition } from '../../src/gen/oaktree/v1/limits.ts';
import { LocationServiceDefinition } from '../../src/gen/oaktree/v1/location.ts';
import { NetworkServiceDefinition } from '../../src/gen/oaktree/v1/network.ts';
import { ObjectStoreServiceDefinition } from '../../src/gen/oaktree/v1/object_store.ts';
import { VolumeServiceDefinition } from '../../src/gen/oaktree/v1/volume.ts';

export type RpcKind = 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming';

export interface Rpc {
  /** The gRPC path, e.g. /oaktree.v1.ComputeService/ListServers. */
  path: string;
  kind: RpcKind;
  input: DescMessage;
  /** The node's own decoder for the request (ts-proto): protobuf-es accepts bytes the node refuses. */
  decode?: (bytes: Uint8Array) => unknown;
}

const NODE_DECODERS = new Map<string, (bytes: Uint8Array) => unknown>(
  [
    LocationServiceDefinition,
    ComputeServiceDefinition,
    IdentityServiceDefinition,
    ImageServiceDefinition,
    NetworkServiceDefinition,
    ObjectStoreServiceDefinition,
    VolumeServiceDefinition,
    LimitsServiceDefinition,
    CapabilitiesServiceDefinition,
    MeshServiceDefinition,
  ].flatMap((service) =>
    Object.values(service.methods).map(
      (method) =>
        [`/${service.fullName}/${method.name}`, (bytes: Uint8Array) => method.requestType.decode(bytes)] as const,
    ),
  ),
);

const DESCRIPTOR_SET = new URL('../../src/gen/descriptor-set.bin', import.meta.url);

export function loadRegistry(): FileRegistry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET)));
}

/** Every RPC of the services in the oaktree.* packages (health and reflection are not the contract). */
export function contractRpcs(registry = loadRegistry()): Rpc[] {
  const rpcs: Rpc[] = [];
  for (const file of registry.files) {
    for (const service of file.services) {
      if (!service.typeName.startsWith('oaktree.')) continue;
      for (const method of service.methods) {
        const path = `/${service.typeName}/${method.name}`;
        rpcs.push({ path, kind: method.methodKind, input: method.input, decode: NODE_DECODERS.get(path) });
      }
    }
  }
  return rpcs.sort((a, b) => a.path.localeCompare(b.path));
}
