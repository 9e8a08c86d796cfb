// The one interface the router speaks to. A backend is anything that can answer for some locations:
// a cloud from clouds.yaml (local) or an upstream oaktree node (peer). The router never asks which kind it holds.
import type { ClientStreamMethod, ListMethod, ListResponse, ServerStreamMethod, UnaryMethod } from '../core/methods.ts';
import type { CallContext } from '../core/call-context.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';

export type { CallContext };

/** How a backend reaches one location. */
export interface Route {
  location: Location;
  /** 0 when the backend serves the location itself; n when it is n peers away. */
  hops: number;
  /** Node ids from the backend's first node to the owner; empty for a local backend. */
  path: string[];
  /**
   * False while the backend cannot reach the location (a peer that stopped answering). Such a route loses to any
   * reachable one, but stays so its locations fail in-band instead of vanishing from answers.
   */
  reachable?: boolean;
}

export interface Backend {
  /** Unique within a node, for logs and routing: "cloud:NAME" or "peer:ADDRESS". */
  readonly id: string;
  /** True when the backend serves its locations itself (a cloud), false for a peer. */
  readonly local: boolean;
  /** The locations this backend can answer for now. */
  routes(): readonly Route[];

  /**
   * Streams the items of a list method for these target locations (a subset of routes()), in batches: each batch
   * holds the items the backend had at hand at once (never empty, and never held back to wait for more), so the
   * layers between a backend and the caller cost once per batch instead of once per item.
   * Failures of one location come back as in-band error items for that location; the stream itself only
   * throws when the whole backend is unusable (the router then turns that into error items for all targets).
   */
  list<Req, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    request: Req,
    targets: readonly Location[],
    ctx: CallContext,
  ): AsyncIterable<readonly Res[]>;

  /** Calls a unary method at exactly one location. Throws a ServerError on failure. */
  unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, target: Location, ctx: CallContext): Promise<Res>;

  /** Calls a server-streaming method at exactly one location. */
  serverStream<Req, Res>(
    method: ServerStreamMethod<Req, Res>,
    request: Req,
    target: Location,
    ctx: CallContext,
  ): AsyncIterable<Res>;

  /** Calls a client-streaming method at these target locations with one stream of requests. */
  clientStream<Req, Res>(
    method: ClientStreamMethod<Req, Res>,
    requests: AsyncIterable<Req>,
    targets: readonly Location[],
    ctx: CallContext,
  ): Promise<Res>;

  /** Starts background work (route refresh, pollers). */
  start?(): Promise<void>;
  /** Stops background work and closes connections. */
  close(): Promise<void>;
}
