// Waiting for a server on the region's shared poller instead of one GET per server per interval: create-with-wait,
// WaitForServer, the action waits and delete-with-wait cost the cloud one list call per interval per region,
// however many run at once, and nothing at all to start when the poller's view already holds the server
// (compute/wait.ts exports these).
import { Status } from 'nice-grpc-common';
import { OaktreeError } from '../../../core/errors.ts';
import type { RawServer } from '../../../cache/poller/types.ts';
import type { RegionContext } from '../region.ts';
import type { WatchHub } from './hub.ts';
import { rawServerChanges } from './server-changes.ts';

export interface WaitForServerOptions {
  /** `final` accepts the DELETED state: notice a server that vanishes from the list sooner. */
  expectGone?: boolean;
}

/**
 * Waits until `final(raw)` holds for the server (by id or exact name) and returns that state, decided on the
 * change the poller saw (no confirming GET); `onChange` sees the first state and every change after it.
 * NOT_FOUND when the server is deleted (unless `final` accepts the DELETED state) or unknown to nova once a poll
 * made after the call began missed it; UNAVAILABLE when a poll fails meanwhile; the signal's reason on cancel or deadline.
 */
export async function waitForServerStatus(
  ctx: RegionContext,
  nameOrId: string,
  final: (raw: RawServer) => boolean,
  signal: AbortSignal,
  onChange: (raw: RawServer) => void | Promise<void>,
  options: WaitForServerOptions = {},
  hub: WatchHub = ctx.services.watch,
): Promise<RawServer> {
  for await (const change of rawServerChanges(hub, ctx, nameOrId, signal, options)) {
    await onChange(change.raw);
    if (final(change.raw)) return change.raw;
    if (change.type === 'DELETED')
      throw new OaktreeError(Status.NOT_FOUND, `server ${nameOrId} no longer exists (it was deleted)`);
  }
  signal.throwIfAborted();
  throw new OaktreeError(Status.NOT_FOUND, `server ${nameOrId} is no longer watched`);
}

/** Waits until the cloud no longer shows the server (a DELETED change, or unknown to a fresh poll). */
export async function waitForServerGone(
  ctx: RegionContext,
  serverId: string,
  signal: AbortSignal,
  hub: WatchHub = ctx.services.watch,
): Promise<void> {
  try {
    for await (const change of rawServerChanges(hub, ctx, serverId, signal, { expectGone: true })) {
      if (change.type === 'DELETED') return;
    }
  } catch (error) {
    if ((error as { grpcCode?: number }).grpcCode === Status.NOT_FOUND) return;
    throw error;
  }
}
