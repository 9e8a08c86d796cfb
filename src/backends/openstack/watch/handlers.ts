// WatchServers for OpenStack regions, fed by the region's shared poller (its hub is in the region's services):
// a thousand watchers or waiters on one region cost the cloud one list call per interval. Also the same feed
// for compute's WaitForServer and create-with-wait (rawServerChanges through wait-shared.ts).
import { Status } from 'nice-grpc-common';
import { OaktreeError } from '../../../core/errors.ts';
import type { CallContext } from '../../../core/call-context.ts';
import type { LocationHandlers } from '../../handler-backend.ts';
import {
  ServerEventType,
  type Server,
  type WatchServersRequest,
  type WatchServersResponse,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { describeLocation, routeKey } from '../../../core/location.ts';
import type { Change, ChangeType, RawServer } from '../../../cache/poller/types.ts';
import { locationToken, positionIn, tokenExpired } from '../../../cache/watch-token.ts';
import type { RegionContext } from '../region.ts';
import type { WatchHub } from './hub.ts';
import { watchFilter } from './filter.ts';

const EVENT_TYPE: Record<ChangeType, ServerEventType> = {
  ADDED: ServerEventType.SERVER_EVENT_TYPE_ADDED,
  MODIFIED: ServerEventType.SERVER_EVENT_TYPE_MODIFIED,
  DELETED: ServerEventType.SERVER_EVENT_TYPE_DELETED,
};

export function watchHandlers(resolve: (target: Location) => Promise<RegionContext>): LocationHandlers {
  return { watchServers: (request, target, ctx) => watchServers(resolve, request, target, ctx) };
}

async function* watchServers(
  resolve: (target: Location) => Promise<RegionContext>,
  request: WatchServersRequest,
  target: Location,
  call: CallContext,
): AsyncGenerator<WatchServersResponse> {
  const region = await resolve(target);
  const hub = region.services.watch;
  const key = routeKey(region.location);
  const position = positionIn(request.resumeToken, key); // INVALID_ARGUMENT before any work
  const feed = hub.feedFor(region);
  await feed.ready(call.signal);
  const log = feed.log;
  const filter = await watchFilter(region, request, call.signal);
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
      if (position.epoch !== log.epoch)
        throw tokenExpired(describeLocation(region.location), 'the change log was restarted since');
      const check = log.since(position.seq);
      if ('expired' in check) throw tokenExpired(describeLocation(region.location), check.expired);
      cursor = position.seq;
    } else {
      await feed.whenPolled(0, call.signal); // a complete state to take the snapshot from
      // State and position read together, synchronously: the snapshot and the changes after it meet exactly.
      cursor = log.seq;
      const snapshot = [...log.values()].filter((raw) => filter.shows(raw));
      for (const raw of snapshot) {
        yield event(ServerEventType.SERVER_EVENT_TYPE_EXISTING, hub.normalize(raw, region), undefined);
      }
      yield checkpoint(cursor, true);
    }
    let lastSent = Date.now();
    while (!call.signal.aborted) {
      const next = log.since(cursor);
      if ('expired' in next)
        throw tokenExpired(describeLocation(region.location), `this watch fell behind: ${next.expired}`);
      for (const change of next.changes) {
        cursor = change.seq;
        if (!filter.tells(change)) continue;
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
export async function* rawServerChanges(
  hub: WatchHub,
  region: RegionContext,
  serverId: string,
  signal: AbortSignal,
  deadline?: Date,
): AsyncGenerator<RawServerChange> {
  const feed = hub.feedFor(region);
  await feed.ready(signal);
  const log = feed.log;
  const leave = feed.subscribe('wait');
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = deadline
    ? setTimeout(() => stop.abort(deadlinePassed(serverId)), Math.max(0, deadline.getTime() - Date.now()))
    : undefined;
  try {
    const subscribed = Date.now();
    await feed.whenPolled(subscribed - hub.fastIntervalMs, stop.signal);
    // A server created moments ago may be newer than the last poll: one more poll before NOT_FOUND.
    if (!log.get(serverId)) await feed.whenPolled(subscribed, stop.signal);
    let cursor = log.seq;
    const current = log.get(serverId);
    if (!current)
      throw new OaktreeError(Status.NOT_FOUND, `no server with id ${serverId} in ${describeLocation(region.location)}`);
    yield { type: 'CURRENT', raw: current };
    for (;;) {
      const next = log.since(cursor);
      if ('expired' in next) {
        // Fell behind the ring buffer: the state is still current, so resynchronise from it.
        cursor = log.seq;
        const now = log.get(serverId);
        if (!now)
          throw new OaktreeError(
            Status.NOT_FOUND,
            `server ${serverId} is gone from ${describeLocation(region.location)}`,
          );
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
export async function* serverChanges(
  hub: WatchHub,
  region: RegionContext,
  serverId: string,
  signal: AbortSignal,
  deadline?: Date,
): AsyncGenerator<ServerChange> {
  for await (const change of rawServerChanges(hub, region, serverId, signal, deadline)) {
    yield { type: change.type, server: hub.normalize(change.raw, region) };
  }
}

function deadlinePassed(serverId: string): OaktreeError {
  return new OaktreeError(Status.DEADLINE_EXCEEDED, `the deadline passed while waiting for server ${serverId}`);
}

/**
 * For the compute handlers: call after any server write (create, delete, reboot ...) so watchers of that region
 * see it within the fast interval instead of the slow one. Costs nothing when nobody watches the region.
 */
export function notifyServerWrite(region: RegionContext): void {
  region.services.watch.serverWritten(region);
}
