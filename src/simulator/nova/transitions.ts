// Nova's task states for server actions, settled lazily on read like builds (no timers): while a transition
// runs the server shows its task state (and, for some actions, a status of its own, e.g. REBOOT); when its time
// is up, `finish` makes the change and the task clears. Also the lock flag, and nova's refusals by lock and vm_state.
import type { RegionData, Server } from '../store.ts';
import { ApiError } from '../util.ts';

interface Transition {
  task: string | null;
  until: number;
  finish: (server: Server, at: number) => void;
}

const running = new WeakMap<Server, Transition>();
const movingIn = new WeakMap<RegionData, Set<Server>>();
const locks = new WeakMap<Server, { reason: string | null }>();

/** Runs `finish` after `delayMs`; until then the server shows `task` (and `status`, when given). */
export function startTransition(
  region: RegionData,
  server: Server,
  transition: { task: string | null; status?: Server['status']; delayMs: number; finish: Transition['finish'] },
  now = Date.now(),
): void {
  if (transition.status) server.status = transition.status;
  server.updated = now;
  running.set(server, { task: transition.task, until: now + transition.delayMs, finish: transition.finish });
  let set = movingIn.get(region);
  if (!set) movingIn.set(region, (set = new Set()));
  set.add(server);
}

/** Finishes every transition whose time is up. */
export function settleActions(region: RegionData, now = Date.now()): void {
  const set = movingIn.get(region);
  if (!set?.size) return;
  for (const server of set) {
    const t = running.get(server);
    if (!t || server.status === 'DELETED') {
      set.delete(server);
      running.delete(server);
      continue;
    }
    if (t.until > now) continue;
    set.delete(server);
    running.delete(server);
    server.updated = t.until;
    t.finish(server, t.until);
  }
}

/** A transition is running (with or without a task state: nova's confirmResize has none). */
export const isBusy = (s: Server): boolean => running.has(s);

export function taskStateOf(s: Server): string | null {
  if (s.status === 'BUILD') return 'spawning';
  return running.get(s)?.task ?? null;
}

export function setLock(s: Server, reason: string | null | undefined): void {
  if (reason === undefined) locks.delete(s);
  else locks.set(s, { reason });
}
export const isLocked = (s: Server): boolean => locks.has(s);
export const lockedReason = (s: Server): string | null => locks.get(s)?.reason ?? null;

/** nova's check_instance_lock: a locked server refuses actions, metadata changes and delete, except from an admin. */
export function refuseIfLocked(s: Server, byAdmin: boolean): void {
  if (isLocked(s) && !byAdmin) throw new ApiError(409, `Instance ${s.id} is locked`, 'Conflict');
}

/** The vm_states in which nova lets a server's metadata and tags change (compute/api.py, server_tags.py). */
export const CONFIGURABLE_VM_STATES = ['active', 'paused', 'suspended', 'stopped'];

/** nova's InstanceInvalidState for a vm_state the change does not allow, in the API's words. */
export function refuseUnlessVmState(s: Server, action: string, allowed: readonly string[]): void {
  const state = vmStateOf(s);
  if (!allowed.includes(state))
    throw new ApiError(409, `Cannot '${action}' instance ${s.id} while it is in vm_state ${state}`, 'Conflict');
}

const VM_STATES: Record<Server['status'], string> = {
  BUILD: 'building',
  ACTIVE: 'active',
  SHUTOFF: 'stopped',
  ERROR: 'error',
  DELETED: 'deleted',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  RESCUE: 'rescued',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved_offloaded',
  VERIFY_RESIZE: 'resized',
  REVERT_RESIZE: 'resized',
  REBOOT: 'active',
  HARD_REBOOT: 'active',
  RESIZE: 'active',
  REBUILD: 'active',
};

/** nova's power_state numbers: 0 no state, 1 running, 3 paused, 4 shutdown, 7 suspended. */
const POWER_STATES: Partial<Record<Server['status'], number>> = {
  ACTIVE: 1,
  VERIFY_RESIZE: 1,
  REVERT_RESIZE: 1,
  REBOOT: 1,
  HARD_REBOOT: 1,
  RESIZE: 1,
  REBUILD: 1,
  PAUSED: 3,
  SHUTOFF: 4,
  // The devcloud (nova's fake driver) reports a rescued server as shut down.
  RESCUE: 4,
  SHELVED: 4,
  SHELVED_OFFLOADED: 4,
  SUSPENDED: 7,
};

export const vmStateOf = (s: Server): string => VM_STATES[s.status];
export const powerStateOf = (s: Server): number => POWER_STATES[s.status] ?? 0;
