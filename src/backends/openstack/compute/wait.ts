// Waiting for a server: what counts as a change worth reporting, and where waits come from.
import type { Raw } from './nova.ts';

/** What makes a poll worth reporting: status, task, progress, addresses, fault, last update. */
export function serverFingerprint(raw: Raw): string {
  return JSON.stringify([
    raw.status,
    raw['OS-EXT-STS:task_state'],
    raw.progress,
    raw.addresses,
    raw.fault,
    raw.updated,
  ]);
}

// Waiting (create with wait, WaitForServer, delete with wait) is fed by the region's shared poller: one list call
// per interval per region, however many wait at once.
export { waitForServerGone, waitForServerStatus } from '../watch/wait-shared.ts';
