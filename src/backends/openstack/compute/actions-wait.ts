// Waiting for the cloud to finish a server action, on the region's shared poller (no polling of our own).
// The trap: the poller's log may still hold the server as it was before the action (ACTIVE, no task), which
// looks "finished". Nova sets the task state before it answers an action, so a poll that started after that
// answer shows either the action in progress or its end: the wait starts from such a poll.
import type { RegionContext } from '../region.ts';
import type { Raw } from './nova.ts';
import { waitForServerStatus } from './wait.ts';

/** Nova statuses that are always on the way somewhere (their task state says where). */
const MOVING = new Set(['BUILD', 'REBOOT', 'HARD_REBOOT', 'RESIZE', 'REVERT_RESIZE', 'REBUILD', 'MIGRATING']);

/** Nova has nothing more to do for this server: no task, no moving status (or it broke). */
export function isSettled(raw: Raw): boolean {
  const task = raw['OS-EXT-STS:task_state'];
  const status = String(raw.status ?? '').toUpperCase();
  return status === 'ERROR' || ((task === null || task === undefined || task === '') && !MOVING.has(status));
}

/**
 * Resolves with the server once nova has finished what it was doing at `after` (epoch ms, taken after nova
 * accepted the action); `onChange` sees the state of the first poll after `after` and every change after it.
 * `stillGoing` holds a state that looks settled but is not (nova confirms a resize with no task state).
 */
export async function waitUntilSettled(
  ctx: RegionContext,
  serverId: string,
  after: number,
  signal: AbortSignal,
  onChange: (raw: Raw) => void | Promise<void>,
  stillGoing: (raw: Raw) => boolean = () => false,
): Promise<Raw> {
  const feed = ctx.services.watch.feedFor(ctx);
  await feed.ready(signal);
  await feed.whenPolled(after, signal);
  return waitForServerStatus(ctx, serverId, (raw) => isSettled(raw) && !stillGoing(raw), signal, onChange);
}
