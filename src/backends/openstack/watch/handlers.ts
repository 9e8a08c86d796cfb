// WatchServers for OpenStack regions, fed by the region's shared poller (its hub is in the region's services):
// a thousand watchers or waiters on one region cost the cloud one list call per interval. The same feed serves
// compute's WaitForServer and create-with-wait (server-changes.ts, through wait-shared.ts).
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
import type { ChangeType } from '../../../cache/poller/types.ts';
import { locationToken, positionIn, tokenExpired } from '../../../cache/watch-token.ts';
import type { RegionContext } from '../region.ts';
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

/**
 * For the compute handlers: call after any server write (create, delete, reboot ...) so watchers of that region
 * see it within the fast interval instead of the slow one. Costs nothing when nobody watches the region.
 */
export function notifyServerWrite(region: RegionContext): void {
  region.services.watch.serverWritten(region);
}
