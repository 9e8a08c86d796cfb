// What travels with every call to every backend and every hop, and the metadata names nodes use for it.

/** What travels with every call to every backend and every hop. */
export interface CallContext {
  /** Fires when the client cancels or the deadline passes: every backend stops its work. */
  signal: AbortSignal;
  /** The caller's deadline, if any: the next hop gets the time that is left. */
  deadline?: Date;
  /** Ids of the nodes this call has passed, this node last. */
  via: string[];
}

/**
 * Binary metadata a node sends the next: a serialized oaktree.mesh.v1.RoutingHeader (the node path and the
 * locations assigned to the receiver). See src/core/routing-header.ts.
 */
export const ROUTING_HEADER = 'oaktree-routing-bin';
