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

/** Comma-separated node ids the call has passed, the sender last. */
export const VIA_HEADER = 'oaktree-via';
/** Comma-separated route keys the sender assigned to the receiver. */
export const TARGETS_HEADER = 'oaktree-targets';
