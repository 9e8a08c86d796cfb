// One server's changes from the region's shared poller, for WaitForServer, create-with-wait and the action waits.
// The server is found in the poller's view: a server the view holds costs the cloud nothing, an id or name the
// view does not hold waits for the next poll (a burst of them shares that one list), and only what a poll made
// after the call began does not show is asked of nova directly (NOT_FOUND if nova agrees). Then every change of it,
// as the poller saw it, until the caller stops, the deadline passes (DEADLINE_EXCEEDED) or a poll fails (UNAVAILABLE).
import { Status } from 'nice-grpc-common';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { Server } from '../../../gen/oaktree/v1/compute.ts';
import type { ChangeLog, ChangeType, RawServer, RegionFeed } from '../../../cache/poller/types.ts';
import { findServerRaw } from '../compute/servers.ts';
import { exactlyOne } from '../lookup.ts';
import { raceAbort } from '../transport/discovery.ts';
import type { RegionContext } from '../region.ts';
import type { WatchHub } from './hub.ts';

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

export interface ServerChangesOptions {
  /** When the wait ends with DEADLINE_EXCEEDED. */
  deadline?: Date;
  /** The wait is for the server to go: its disappearance from the list is noticed sooner (feed.expectGone). */
  expectGone?: boolean;
}

/**
 * The changes of one server (by id, or by exact name) as nova's dicts: first the server as it is now, then every
 * change. Registers as a waiter, so the poller runs at its fast interval meanwhile.
 */
export async function* rawServerChanges(
  hub: WatchHub,
  region: RegionContext,
  nameOrId: string,
  signal: AbortSignal,
  options: ServerChangesOptions = {},
): AsyncGenerator<RawServerChange> {
  const feed = hub.feedFor(region);
  await feed.ready(signal);
  const log = feed.log;
  const leave = feed.subscribe('wait');
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  const { deadline } = options;
  const timer = deadline
    ? setTimeout(() => stop.abort(deadlinePassed(nameOrId)), Math.max(0, deadline.getTime() - Date.now()))
    : undefined;
  let forget = () => {};
  try {
    let { raw: last, cursor } = await findInView(hub, feed, region, nameOrId, stop.signal);
    const id = String(last.id);
    if (options.expectGone) forget = feed.expectGone(id);
    // A poll that fails from here on ends the wait; one that failed before (the view was still fresh) does not.
    const failedBefore = log.pollFailure;
    yield { type: 'CURRENT', raw: last };
    for (;;) {
      const next = log.since(cursor);
      if ('expired' in next) {
        // Fell behind the ring buffer: the state is still current, so resynchronise from it.
        cursor = log.seq;
        const now = log.get(id);
        if (!now) {
          yield { type: 'DELETED', raw: { ...last, status: 'DELETED' } };
          return;
        }
        last = now;
        yield { type: 'MODIFIED', raw: now };
        continue;
      }
      for (const change of next.changes) {
        cursor = change.seq;
        if (change.id !== id) continue;
        last = change.raw;
        yield { type: change.type, raw: change.raw };
      }
      if (stop.signal.aborted) throw stop.signal.reason;
      if (log.pollFailure !== undefined && log.pollFailure !== failedBefore) throw pollFailed(region, log);
      if (log.seq === cursor) await log.changed(stop.signal, 30_000);
    }
  } catch (error) {
    if (stop.signal.aborted) throw stop.signal.reason;
    throw error;
  } finally {
    forget();
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    leave();
  }
}

/** rawServerChanges in oaktree's shape (each change normalized once for all its readers). */
export async function* serverChanges(
  hub: WatchHub,
  region: RegionContext,
  nameOrId: string,
  signal: AbortSignal,
  options: ServerChangesOptions = {},
): AsyncGenerator<ServerChange> {
  for await (const change of rawServerChanges(hub, region, nameOrId, signal, options)) {
    yield { type: change.type, server: hub.normalize(change.raw, region) };
  }
}

/**
 * The server in the region's view and the log position it was read at (read together: the changes after the
 * position are exactly those after that state). A view from the last fast intervals answers at once; otherwise,
 * or when the view does not hold the server, a poll that started after this call decides.
 */
async function findInView(
  hub: WatchHub,
  feed: RegionFeed,
  region: RegionContext,
  nameOrId: string,
  signal: AbortSignal,
): Promise<{ raw: RawServer; cursor: number }> {
  const started = hub.clock.now();
  await polled(feed, region, started - hub.freshViewMs, signal);
  let found = inView(feed.log, nameOrId);
  if (found.length !== 1) {
    // Made since the last poll (or gone, or ambiguous): the next poll answers every waiter that asks meanwhile.
    await polled(feed, region, started, signal);
    found = inView(feed.log, nameOrId);
  }
  while (found.length === 0) {
    // Nova's changes-since leaves out a server it has just placed in a cell until the compute host first saves
    // it (updated_at is NULL until then; seen on the real cloud), so a poll can miss a server that exists. Nova
    // itself decides (NOT_FOUND or ambiguous ends the wait); while it shows the server, the next poll is awaited.
    const direct = await askNova(feed, region, nameOrId, signal);
    await polled(feed, region, hub.clock.now(), signal);
    found = inView(feed.log, String(direct.id));
  }
  return { raw: exactlyOne('server', nameOrId, describeLocation(region.location), found), cursor: feed.log.seq };
}

/** Direct lookups in flight per feed (one credential in one region): a burst of waiters for one new server shares one. */
const directLookups = new WeakMap<RegionFeed, Map<string, Promise<RawServer>>>();

function askNova(feed: RegionFeed, region: RegionContext, nameOrId: string, signal: AbortSignal): Promise<RawServer> {
  let inFlight = directLookups.get(feed);
  if (!inFlight) directLookups.set(feed, (inFlight = new Map()));
  let lookup = inFlight.get(nameOrId);
  if (!lookup) {
    const forget = () => inFlight.delete(nameOrId);
    // Not tied to one waiter's signal: the others share the answer; the transport's own timeout bounds it.
    lookup = findServerRaw(region, nameOrId).finally(forget);
    lookup.catch(() => {}); // a waiter that already left must not leave the rejection unhandled
    inFlight.set(nameOrId, lookup);
  }
  return raceAbort(lookup, signal);
}

/** By id, else by exact name (nova's own lookup order). */
function inView(log: ChangeLog, nameOrId: string): RawServer[] {
  const byId = log.get(nameOrId);
  if (byId) return [byId];
  const named: RawServer[] = [];
  for (const raw of log.values()) if (raw.name === nameOrId) named.push(raw);
  return named;
}

async function polled(feed: RegionFeed, region: RegionContext, after: number, signal: AbortSignal): Promise<void> {
  try {
    await feed.whenPolled(after, signal);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw pollFailed(region, { pollFailure: error });
  }
}

/** The cloud could not be listed: the waiter hears it now instead of waiting for changes that cannot come. */
function pollFailed(region: RegionContext, log: Pick<ChangeLog, 'pollFailure'>): OaktreeError {
  const cause = log.pollFailure instanceof Error ? log.pollFailure.message : String(log.pollFailure);
  return new OaktreeError(
    Status.UNAVAILABLE,
    `the servers of ${describeLocation(region.location)} could not be listed: ${cause}`,
  );
}

function deadlinePassed(nameOrId: string): OaktreeError {
  return new OaktreeError(Status.DEADLINE_EXCEEDED, `the deadline passed while waiting for server ${nameOrId}`);
}
