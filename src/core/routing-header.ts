// The routing header one node sends the next (oaktree.mesh.v1.RoutingHeader as binary metadata): encoding for the
// peer backend, strict decoding for the server middleware. A malformed header is the sender's mistake
// (INVALID_ARGUMENT), never an internal error.
import { Status } from 'nice-grpc-common';
import { type ForwardedCaller, RoutingHeader } from '../gen/oaktree/mesh/v1/routing.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';
import { OaktreeError } from './errors.ts';
import { ROUTING_HEADER } from './call-context.ts';

/** What a node learns from the routing header of an incoming call. */
export interface Routing {
  /** Node ids the call has passed, the sender last; empty for a call from a client. */
  via: string[];
  /** The locations the sender assigned to this node; undefined when it assigned nothing in particular. */
  assigned?: Location[];
  /** The caller the sender authenticated; honored only from a configured peer. */
  caller?: ForwardedCaller;
}

const NODE_ID = /^[A-Za-z0-9._:-]+$/;

export function encodeRoutingHeader(
  via: readonly string[],
  assigned?: readonly Location[],
  caller?: ForwardedCaller,
): Buffer {
  const header = RoutingHeader.fromPartial({
    via: [...via],
    assignment: assigned ? { locations: [...assigned] } : undefined,
    caller,
  });
  return Buffer.from(RoutingHeader.encode(header).finish());
}

/** Decodes the header's values as read from metadata (none, or exactly one binary value). */
export function decodeRoutingHeader(values: readonly (string | Uint8Array)[]): Routing {
  if (values.length === 0) return { via: [] };
  if (values.length > 1) throw malformed(`it was sent ${values.length} times; send it once`);
  const [value] = values;
  if (typeof value === 'string') throw malformed('it must be binary (a serialized oaktree.mesh.v1.RoutingHeader)');
  let header: RoutingHeader;
  try {
    header = RoutingHeader.decode(value);
  } catch (error) {
    throw malformed(`it is not a serialized oaktree.mesh.v1.RoutingHeader (${(error as Error).message})`);
  }
  const badId = header.via.find((id) => !NODE_ID.test(id));
  if (badId !== undefined) {
    throw malformed(`via holds ${JSON.stringify(badId.slice(0, 64))}; node ids use only letters, digits and . _ : -`);
  }
  return { via: header.via, assigned: header.assignment?.locations, caller: header.caller };
}

function malformed(why: string): OaktreeError {
  return new OaktreeError(Status.INVALID_ARGUMENT, `malformed ${ROUTING_HEADER} metadata: ${why}`);
}

/** The node path for a log line, comma-joined; undefined for a client's call or a malformed header. */
export function viaForLog(values: readonly (string | Uint8Array)[]): string | undefined {
  try {
    return decodeRoutingHeader(values).via.join(',') || undefined;
  } catch {
    return undefined;
  }
}
