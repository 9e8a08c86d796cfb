// What travels with every call to every backend and every hop, and the metadata names nodes use for it.
import type { ForwardedCaller } from '../gen/oaktree/mesh/v1/routing.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';

/** What the caller may touch, asked per location by the router; absent on a node without auth (everything). */
export interface LocationAccess {
  canRead(location: Location): boolean;
  canWrite(location: Location): boolean;
}

/** What travels with every call to every backend and every hop. */
export interface CallContext {
  /** Fires when the client cancels or the deadline passes: every backend stops its work. */
  signal: AbortSignal;
  /** The caller's deadline, if any: the next hop gets the time that is left. */
  deadline?: Date;
  /** Ids of the nodes this call has passed, this node last. */
  via: string[];
  /** The caller's grants on this node; the router shows and resolves only what they allow. */
  access?: LocationAccess;
  /** The authenticated caller, forwarded to peers so the node that owns a cloud applies its own policy. */
  caller?: ForwardedCaller;
  /** Told the one location a unary or server-stream call resolved to (the audit line names it). */
  onResolved?: (target: Location) => void;
}

/**
 * Binary metadata a node sends the next: a serialized oaktree.mesh.v1.RoutingHeader (the node path and the
 * locations assigned to the receiver). See src/core/routing-header.ts.
 */
export const ROUTING_HEADER = 'oaktree-routing-bin';
