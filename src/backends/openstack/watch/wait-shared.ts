// Drop-in replacements for compute/wait.ts (same signatures), fed by the region's shared poller instead of one
// GET per server per interval: create-with-wait, WaitForServer and delete-with-wait then cost the cloud one
// list call per interval per region, however many run at once. Switch: in compute/wait.ts,
//   export { waitForServerStatus, waitForServerGone } from '../watch/wait-shared.ts';
import { OaktreeError } from '../../../core/errors.ts';
import type { RawServer } from '../../../cache/poller/types.ts';
import type { RegionContext } from '../region.ts';
import { rawServerChanges } from './handlers.ts';
import type { WatchHub } from './hub.ts';

const NOT_FOUND = 5;

/**
 * Waits until `until(raw)` holds and returns that state; `onChange` sees the first state and every change
 * after it. NOT_FOUND when the server is deleted (unless `until` accepts the DELETED state), the signal's
 * reason on cancel or deadline. The options of the per-server version (intervals) do not apply.
 */
export async function waitForServerStatus(
  ctx: RegionContext,
  serverId: string,
  until: (raw: RawServer) => boolean,
  signal: AbortSignal,
  onChange: (raw: RawServer) => void | Promise<void>,
  _options: unknown = {},
  hub: WatchHub = ctx.services.watch,
): Promise<RawServer> {
  for await (const change of rawServerChanges(hub, ctx, serverId, signal)) {
    await onChange(change.raw);
    if (until(change.raw)) return change.raw;
    if (change.type === 'DELETED')
      throw new OaktreeError(NOT_FOUND, `server ${serverId} no longer exists (it was deleted)`);
  }
  signal.throwIfAborted();
  throw new OaktreeError(NOT_FOUND, `server ${serverId} is no longer watched`);
}

/** Waits until the cloud no longer shows the server (a DELETED change, or unknown to the poller). */
export async function waitForServerGone(
  ctx: RegionContext,
  serverId: string,
  signal: AbortSignal,
  _options: unknown = {},
  hub: WatchHub = ctx.services.watch,
): Promise<void> {
  try {
    for await (const change of rawServerChanges(hub, ctx, serverId, signal)) {
      if (change.type === 'DELETED') return;
    }
  } catch (error) {
    if ((error as { grpcCode?: number }).grpcCode === NOT_FOUND) return;
    throw error;
  }
}
