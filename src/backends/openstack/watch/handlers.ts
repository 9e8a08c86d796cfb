// WatchServers and WaitForServer for OpenStack regions, fed by the region's shared poller: a thousand
// watchers or waiters on one region cost the cloud one list call per interval. Also subscribeServer, the
// same feed for create-with-wait.
import { Status } from 'nice-grpc-common';
import { OaktreeError } from '../../../core/errors.ts';
import type { CallContext } from '../../../core/call-context.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import {
  ServerEventType,
  ServerStatus,
  type Server,
  type WaitForServerRequest,
  type WaitForServerResponse,
  type WatchServersRequest,
  type WatchServersResponse,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { describeLocation, routeKey } from '../../../core/location.ts';
import type { Change, ChangeType, RawServer } from '../../../cache/poller/types.ts';
import { locationToken, positionIn, tokenExpired } from '../../../cache/watch-token.ts';
import type { RegionContext } from '../region.ts';
import { watchHub, type WatchHub } from './hub.ts';

export interface WatchHandlerOptions {
  /** Default: the node's hub (configureWatchHub). */
  hub?: WatchHub;
  /**
   * Include WaitForServer (default true). Leave it out when the compute handlers keep their own WaitForServer
   * on top of the drop-in waits of wait-shared.ts (backend.ts refuses two handlers for one RPC).
   */
  waitForServer?: boolean;
}

const EVENT_TYPE: Record<ChangeType, ServerEventType> = {
  ADDED: ServerEventType.SERVER_EVENT_TYPE_ADDED,
  MODIFIED: ServerEventType.SERVER_EVENT_TYPE_MODIFIED,
  DELETED: ServerEventType.SERVER_EVENT_TYPE_DELETED,
};

export function watchHandlers(resolve: (target: Location) => Promise<RegionContext>, options: WatchHandlerOptions = {}): LocationHandlers {
  const hub = () => options.hub ?? watchHub();
  const handlers: LocationHandlers = {
    watchServers: (request, target, ctx) => watchServers(hub(), resolve, request, target, ctx),
  };
  if (options.waitForServer !== false) handlers.waitForServer = (request, target, ctx) => waitForServer(hub(), resolve, request, target, ctx);
  return handlers;
}

async function* watchServers(
  hub: WatchHub,
  resolve: (target: Location) => Promise<RegionContext>,
  request: WatchServersRequest,
  target: Location,
  call: CallContext,
): AsyncGenerator<WatchServersResponse> {
  const region = await resolve(target);
  const key = routeKey(region.location);
  const position = positionIn(request.resumeToken, key); // INVALID_ARGUMENT before any work
  const feed = hub.feedFor(region);
  await feed.ready(call.signal);
  const log = feed.log;
  const wanted = request.serverIds.length ? new Set(request.serverIds) : undefined;
  const checkpoint = (seq: number, initial: boolean): WatchServersResponse => ({
    item: { $case: 'checkpoint', value: { location: region.location, initialStateComplete: initial } },
    resumeToken: locationToken(key, log.epoch, seq),
  });
  const event = (type: ServerEventType, server: Server, seq: number | undefined): WatchServersResponse => ({
    item: { $case: 'event', value: { type, server } },
    resumeToken: locationToken(key, log.epoch, seq),
  });
  const leave = feed.subscribe('watch');
  try {
    let cursor: number;
    if (position) {
      if (position.epoch !== log.epoch) throw tokenExpired(describeLocation(region.location), 'the change log was restarted since');
      const check = log.since(position.seq);
      if ('expired' in check) throw tokenExpired(describeLocation(region.location), check.expired);
      cursor = position.seq;
    } else {
      await feed.whenPolled(0, call.signal); // a complete state to take the snapshot from
      // State and position read together, synchronously: the snapshot and the changes after it meet exactly.
      cursor = log.seq;
      const snapshot = [...log.values()].filter((raw) => !wanted || wanted.has(String(raw.id)));
      for (const raw of snapshot) {
        yield event(ServerEventType.SERVER_EVENT_TYPE_EXISTING, hub.normalize(raw, region), undefined);
      }
      yield checkpoint(cursor, true);
    }
    let lastSent = Date.now();
    while (!call.signal.aborted) {
      const next = log.since(cursor);
      if ('expired' in next) throw tokenExpired(describeLocation(region.location), `this watch fell behind: ${next.expired}`);
      for (const change of next.changes) {
        cursor = change.seq;
        if (wanted && !wanted.has(change.id)) continue;
        yield event(EVENT_TYPE[change.type], hub.serverOf(change, region), change.seq);
        lastSent = Date.now();
      }
      const quietFor = Date.now() - lastSent;
      if (quietFor >= hub.checkpointIntervalMs) {
        yield checkpoint(cursor, false);
        lastSent = Date.now();
        continue;
      }
      if (log.seq === cursor) await log.changed(call.signal, hub.checkpointIntervalMs - quietFor);
    }
  } finally {
    leave();
  }
}

const TERMINAL_ERROR = ServerStatus.SERVER_STATUS_ERROR;

async function* waitForServer(
  hub: WatchHub,
  resolve: (target: Location) => Promise<RegionContext>,
  request: WaitForServerRequest,
  target: Location,
  call: CallContext,
): AsyncGenerator<WaitForServerResponse> {
  const region = await resolve(target);
  const id = request.nameOrId;
  if (!id) throw new OaktreeError(Status.INVALID_ARGUMENT, "name_or_id is required: the server's id");
  const until = new Set(request.until.length ? request.until : [ServerStatus.SERVER_STATUS_ACTIVE]);
  for await (const change of serverChanges(hub, region, id, call.signal, call.deadline)) {
    const server = change.server;
    yield { server };
    if (until.has(server.status)) return;
    if (change.type === 'DELETED') {
      throw new OaktreeError(Status.NOT_FOUND, `server ${id} was deleted in ${describeLocation(region.location)} while waiting for it`);
    }
    if (server.status === TERMINAL_ERROR) {
      const fault = server.fault?.message ? `: ${server.fault.message}` : '';
      throw new OaktreeError(Status.ABORTED, `server ${server.name || id} went to ERROR${fault}; it still exists, delete it or look at its fault`);
    }
  }
}

export interface ServerChange {
  /** CURRENT for the first message (the server as it is now), then what happened. */
  type: 'CURRENT' | ChangeType;
  server: Server;
}

/** A change of one server as the poller stored it (nova's dict), before normalization. */
export interface RawServerChange {
  type: 'CURRENT' | ChangeType;
  raw: RawServer;
}

/**
 * The changes of one server from the region's shared poller, as nova's dicts: first the server as it is now,
 * then every change until the signal fires or the deadline passes (DEADLINE_EXCEEDED). NOT_FOUND when the
 * poller does not know the server. Registers as a waiter, so the poller runs at its fast interval meanwhile.
 */
export async function* rawServerChanges(hub: WatchHub, region: RegionContext, serverId: string, signal: AbortSignal, deadline?: Date): AsyncGenerator<RawServerChange> {
  const feed = hub.feedFor(region);
  await feed.ready(signal);
  const log = feed.log;
  const leave = feed.subscribe('wait');
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = deadline ? setTimeout(() => stop.abort(deadlinePassed(serverId)), Math.max(0, deadline.getTime() - Date.now())) : undefined;
  try {
    const subscribed = Date.now();
    await feed.whenPolled(subscribed - hub.fastIntervalMs, stop.signal);
    // A server created moments ago may be newer than the last poll: one more poll before NOT_FOUND.
    if (!log.get(serverId)) await feed.whenPolled(subscribed, stop.signal);
    let cursor = log.seq;
    const current = log.get(serverId);
    if (!current) throw new OaktreeError(Status.NOT_FOUND, `no server with id ${serverId} in ${describeLocation(region.location)}`);
    yield { type: 'CURRENT', raw: current };
    for (;;) {
      const next = log.since(cursor);
      if ('expired' in next) {
        // Fell behind the ring buffer: the state is still current, so resynchronise from it.
        cursor = log.seq;
        const now = log.get(serverId);
        if (!now) throw new OaktreeError(Status.NOT_FOUND, `server ${serverId} is gone from ${describeLocation(region.location)}`);
        yield { type: 'MODIFIED', raw: now };
        continue;
      }
      for (const change of next.changes as Change[]) {
        cursor = change.seq;
        if (change.id === serverId) yield { type: change.type, raw: change.raw };
      }
      if (stop.signal.aborted) throw stop.signal.reason;
      if (log.seq === cursor) await log.changed(stop.signal, 30_000);
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    leave();
  }
}

/** rawServerChanges in oaktree's shape (each change normalized once for all its readers). */
export async function* serverChanges(hub: WatchHub, region: RegionContext, serverId: string, signal: AbortSignal, deadline?: Date): AsyncGenerator<ServerChange> {
  for await (const change of rawServerChanges(hub, region, serverId, signal, deadline)) {
    yield { type: change.type, server: hub.normalize(change.raw, region) };
  }
}

function deadlinePassed(serverId: string): OaktreeError {
  return new OaktreeError(Status.DEADLINE_EXCEEDED, `the deadline passed while waiting for server ${serverId}`);
}

/**
 * For create-with-wait: calls onChange with the server as it is now and on every change, until the signal
 * fires (resolves) or the server is unknown (rejects NOT_FOUND). Uses the node's hub unless one is given.
 */
export async function subscribeServer(
  region: RegionContext,
  serverId: string,
  onChange: (change: ServerChange) => void | Promise<void>,
  signal: AbortSignal,
  hub: WatchHub = watchHub(),
): Promise<void> {
  try {
    for await (const change of serverChanges(hub, region, serverId, signal)) await onChange(change);
  } catch (error) {
    if (signal.aborted && error === signal.reason) return;
    throw error;
  }
}

/**
 * For the compute handlers: call after any server write (create, delete, reboot ...) so watchers of that region
 * see it within the fast interval instead of the slow one. Costs nothing when nobody watches the region.
 */
export function notifyServerWrite(region: RegionContext, hub: WatchHub = watchHub()): void {
  hub.serverWritten(region);
}
