// The router: picks the backends for a request from its location selector, fans out with the caller's deadline
// and cancellation, merges the streams as items arrive, and keeps every object coming back exactly once.
import { setMaxListeners } from 'node:events';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type {
  Action,
  ClientStreamMethod,
  ListMethod,
  ListResponse,
  ServerStreamMethod,
  UnaryMethod,
} from '../core/methods.ts';
import type { LocationAccess } from '../core/call-context.ts';
import { errorItem } from '../core/error-item.ts';
import { toStatus } from '../core/errors.ts';
import type { Backend, CallContext, Route } from '../backends/backend.ts';
import type { Location, LocationError, LocationSelector } from '../gen/oaktree/v1/location.ts';
import type { Logger } from '../observability/logger.ts';
import {
  describeLocation,
  describeSelector,
  regionKey,
  routeKey,
  selectorMatchesLocation,
  zoneMatches,
} from '../core/location.ts';
import { mergeStreams } from '../core/merge.ts';
import { backendDeadline, withDeadline } from './deadline.ts';

/** The route this node uses for one location, and the backend behind it. */
export interface ChosenRoute {
  route: Route;
  backend: Backend;
}

/** The locations one backend is asked for in one request. */
export interface Selection {
  backend: Backend;
  targets: Location[];
}

export interface RouteOptions {
  /** Route keys the caller (an upstream node) assigned to this node; other locations are not asked. */
  restrictTo?: ReadonlySet<string>;
  /** What the call does at the locations it selects; the caller's grants must allow it there (default read). */
  action?: Action;
}

export interface ListOptions extends RouteOptions {
  /** Any failing location fails the call instead of yielding an in-band error item. */
  strict?: boolean;
}

export const DEFAULT_MAX_HOPS = 8;

/**
 * Why a finished list stops what its backends still run. One shared reason: `abort()` without one builds a
 * DOMException with a stack trace on every call, a measurable part of what a relay spends per call.
 */
const LIST_ENDED = new DOMException('the list ended', 'AbortError');

/**
 * Wraps every call the router makes to a backend (the node's metrics and trace spans); `stream` is read by the
 * router from its first item to its end, `promise` awaited.
 */
export interface BackendCallHooks {
  promise<T>(backend: Backend, call: () => Promise<T>): Promise<T>;
  stream<T>(backend: Backend, call: () => AsyncIterable<T>): AsyncIterable<T>;
  /** The routing decision for one request: how many backends and locations it selected. */
  routed?(selections: readonly Selection[]): void;
}

const DIRECT: BackendCallHooks = { promise: (_backend, call) => call(), stream: (_backend, call) => call() };

export class Router {
  readonly nodeId: string;
  readonly maxHops: number;
  private readonly backends: Backend[];
  private readonly logger: Logger;
  private readonly calls: BackendCallHooks;

  constructor(options: {
    nodeId: string;
    backends: Backend[];
    logger: Logger;
    maxHops?: number;
    calls?: BackendCallHooks;
  }) {
    this.nodeId = options.nodeId;
    this.backends = options.backends;
    this.logger = options.logger;
    this.maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
    this.calls = options.calls ?? DIRECT;
  }

  allBackends(): readonly Backend[] {
    return this.backends;
  }

  /** A backend that joins after start (a peer whose real address is known only once it listens). */
  addBackend(backend: Backend): void {
    this.backends.push(backend);
  }

  /** A backend that leaves (a reload removed it): no new call is routed to it. */
  removeBackend(backend: Backend): void {
    const index = this.backends.indexOf(backend);
    if (index >= 0) this.backends.splice(index, 1);
  }

  /**
   * The best loop-free route to every known location (see `better`). Routes through a node the call has already
   * passed (or through this node), or longer than the hop limit, are skipped.
   */
  routeTable(via: readonly string[] = []): Map<string, ChosenRoute> {
    const passed = new Set([...via, this.nodeId]);
    const table = new Map<string, ChosenRoute>();
    for (const backend of this.backends) {
      for (const route of backend.routes()) {
        if (route.path.some((id) => passed.has(id))) continue;
        if (route.hops + via.length > this.maxHops) continue;
        const key = routeKey(route.location);
        const current = table.get(key);
        if (!current || better(route, backend, current)) table.set(key, { route, backend });
      }
    }
    return table;
  }

  /** The routes this caller may see: ListLocations, ListRoutes and NOT_FOUND messages show no others. */
  visibleRoutes(ctx: CallContext): ChosenRoute[] {
    return [...this.routeTable(ctx.via).values()].filter(({ route }) => granted(ctx.access, 'read', route.location));
  }

  /**
   * Which backends to ask for which locations. Every location appears once; the reasons go to the debug log.
   * This is the one place the caller's grants filter routes: an ungranted location is never selected.
   */
  select(selector: LocationSelector | undefined, ctx: CallContext, options: RouteOptions = {}): Selection[] {
    const byBackend = new Map<Backend, Location[]>();
    const action = options.action ?? 'read';
    for (const [key, { route, backend }] of this.routeTable(ctx.via)) {
      if (!granted(ctx.access, action, route.location)) continue; // not logged: ungranted locations stay invisible
      if (options.restrictTo && !options.restrictTo.has(key)) {
        this.logger.debug({ location: key, reason: 'not assigned by the upstream node' }, 'route skipped');
        continue;
      }
      if (!selectorMatchesLocation(selector, route.location)) {
        this.logger.debug({ location: key, selector: describeSelector(selector) }, 'route does not match selector');
        continue;
      }
      const targets = byBackend.get(backend) ?? [];
      targets.push(route.location);
      byBackend.set(backend, targets);
    }
    const selections = [...byBackend].map(([backend, targets]) => ({ backend, targets }));
    this.calls.routed?.(selections);
    return selections;
  }

  /** Like select, but no location at all is the caller's answer: NOT_FOUND, or PERMISSION_DENIED for a write. */
  selectSome(selector: LocationSelector | undefined, ctx: CallContext, options: RouteOptions = {}): Selection[] {
    const selections = this.select(selector, ctx, options);
    if (selections.length === 0) throw this.noMatch(selector, ctx, options.action ?? 'read');
    return selections;
  }

  /** Streams a list method from every matching location, merged as items arrive. */
  async *list<Req extends { location?: LocationSelector | undefined }, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    request: Req,
    ctx: CallContext,
    options: ListOptions = {},
  ): AsyncGenerator<Res> {
    for await (const batch of this.listBatches(method, request, ctx, options)) yield* batch;
  }

  /** Like list, in the batches the backends answered with (backend.ts): what a node sends on. */
  async *listBatches<Req extends { location?: LocationSelector | undefined }, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    request: Req,
    ctx: CallContext,
    options: ListOptions = {},
  ): AsyncGenerator<readonly Res[]> {
    const selections = this.selectSome(request.location, ctx, { ...options, action: options.action ?? method.action });
    const fanout = new AbortController();
    setMaxListeners(0, fanout.signal); // one listener per backend and target; many clouds are normal
    const onAbort = () => fanout.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const child: CallContext = { ...ctx, signal: fanout.signal };
    try {
      const streams = selections.map((selection) => this.listOne(method, request, selection, child));
      for await (const batch of mergeStreams(streams)) {
        const failed = options.strict ? batch.findIndex((response) => response.item?.$case === 'error') : -1;
        if (failed < 0) {
          yield batch;
          continue;
        }
        if (failed > 0) yield batch.slice(0, failed); // what came before the failure, as it would one by one
        const error = (batch[failed].item as { value: LocationError }).value;
        throw new ServerError(error.code, `${describeLocation(error.location)}: ${error.message}`);
      }
      // A stream cut short by cancellation or shutdown must never look complete to the caller.
      ctx.signal.throwIfAborted();
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      fanout.abort(LIST_ENDED);
    }
  }

  /** One backend's part of a list, in its batches: filtered to its targets, failures turned into in-band error items. */
  private async *listOne<Req extends { location?: LocationSelector | undefined }, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    request: Req,
    { backend, targets }: Selection,
    ctx: CallContext,
  ): AsyncGenerator<readonly Res[]> {
    const allowed = new Set(targets.map(regionKey));
    const deadline = backendDeadline(ctx.deadline);
    const { ctx: bounded, dispose, expired } = withDeadline(ctx, deadline);
    const belongs = (response: Res): boolean => {
      const location = method.locationOf(response);
      if (location && !allowed.has(regionKey(location))) {
        this.logger.warn(
          { backend: backend.id, location: describeLocation(location), method: method.name },
          'dropped an item from a location this backend was not asked for',
        );
        return false;
      }
      return response.item?.$case === 'error' || zoneMatches(request.location, location);
    };
    try {
      for await (const batch of this.calls.stream(backend, () => backend.list(method, request, targets, bounded))) {
        const kept = batch.filter(belongs);
        if (kept.length) yield kept;
      }
    } catch (error) {
      if (ctx.signal.aborted) throw error; // the whole call is over: let the abort end it, never as complete
      const { code, message } = expired()
        ? { code: Status.DEADLINE_EXCEEDED, message: 'no answer before the deadline' }
        : toStatus(error);
      this.logger.warn({ backend: backend.id, method: method.name, code: Status[code], message }, 'backend failed');
      const prefix = backend.local ? '' : `via ${backend.id}: `;
      yield targets.map((target) => errorItem<Res>(target, code, `${prefix}${message}`));
    } finally {
      dispose();
    }
  }

  /** The one location a write goes to. INVALID_ARGUMENT names the candidates when the selector is ambiguous. */
  resolveOne(
    selector: LocationSelector | undefined,
    ctx: CallContext,
    options: RouteOptions = {},
  ): Selection & { target: Location } {
    const selections = this.selectSome(selector, ctx, options);
    const candidates = selections.flatMap((selection) => selection.targets.map((target) => ({ ...selection, target })));
    if (candidates.length > 1) {
      const names = candidates.map((c) => describeLocation(c.target)).sort();
      throw new ServerError(
        Status.INVALID_ARGUMENT,
        `location ${describeSelector(selector)} matches ${candidates.length} locations (${names.join('; ')}); ` +
          'this call needs exactly one: set location.cloud and location.region (and location.project when a region has several)',
      );
    }
    ctx.onResolved?.(candidates[0].target);
    return candidates[0];
  }

  async unary<Req extends { location?: LocationSelector | undefined }, Res>(
    method: UnaryMethod<Req, Res>,
    request: Req,
    ctx: CallContext,
    options: RouteOptions = {},
  ): Promise<Res> {
    const { backend, target } = this.resolveOne(request.location, ctx, { ...options, action: method.action });
    return this.calls.promise(backend, () => backend.unary(method, request, target, ctx));
  }

  serverStream<Req extends { location?: LocationSelector | undefined }, Res>(
    method: ServerStreamMethod<Req, Res>,
    request: Req,
    ctx: CallContext,
    options: RouteOptions = {},
  ): AsyncIterable<Res> {
    const { backend, target } = this.resolveOne(request.location, ctx, { ...options, action: method.action });
    return this.calls.stream(backend, () => backend.serverStream(method, request, target, ctx));
  }

  /** Routes a client stream to the locations its first message selected. */
  clientStream<Req, Res>(
    method: ClientStreamMethod<Req, Res>,
    selection: Selection,
    requests: AsyncIterable<Req>,
    ctx: CallContext,
  ): Promise<Res> {
    const { backend, targets } = selection;
    return this.calls.promise(backend, () => backend.clientStream(method, requests, targets, ctx));
  }

  /**
   * A write the caller may not do anywhere the selector points is PERMISSION_DENIED whether or not an ungranted
   * location matches, so the answer never tells. Everything else is NOT_FOUND naming only what the caller may see.
   */
  private noMatch(selector: LocationSelector | undefined, ctx: CallContext, action: Action): ServerError {
    if (action === 'write' && ctx.access) {
      return new ServerError(
        Status.PERMISSION_DENIED,
        `no location you may write matches ${describeSelector(selector)}; ask for a write grant in the node's policy`,
      );
    }
    const known = this.visibleRoutes(ctx)
      .map(({ route }) => describeLocation(route.location))
      .sort();
    const reach = known.length ? `this node reaches: ${known.join('; ')}` : 'this node reaches no location at all';
    return new ServerError(Status.NOT_FOUND, `no location matches ${describeSelector(selector)}; ${reach}`);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.backends.map((backend) => backend.close()));
  }
}

/** Reachable first, then local, then fewest hops; on a tie the backend configured first keeps the route. */
function better(route: Route, backend: Backend, current: ChosenRoute): boolean {
  const reachable = route.reachable !== false;
  if (reachable !== (current.route.reachable !== false)) return reachable;
  if (backend.local !== current.backend.local) return backend.local;
  return route.hops < current.route.hops;
}

/** Without access (a node without auth) every location is granted. */
function granted(access: LocationAccess | undefined, action: Action, location: Location): boolean {
  if (!access) return true;
  return action === 'write' ? access.canWrite(location) : access.canRead(location);
}
