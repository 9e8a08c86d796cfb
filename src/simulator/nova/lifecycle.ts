// Server state machine, settled lazily on read: BUILD -> ACTIVE (or ERROR) once readyAt has passed.
// No timers, so close() has nothing to stop and 100k servers cost nothing while idle.
import { activateServerPorts } from '../network-ops.ts';
import type { RegionData, Server } from '../store.ts';
import { powerStateOf, settleActions, vmStateOf } from './transitions.ts';

const lastPurge = new WeakMap<RegionData, number>();

export function settleBuilds(region: RegionData, now = Date.now()): void {
  settleActions(region, now);
  if (region.building.size === 0) return;
  for (const server of region.building) {
    if (server.status !== 'BUILD') {
      region.building.delete(server);
      continue;
    }
    if (server.unsavedUntil !== undefined && server.unsavedUntil <= Math.min(now, server.readyAt)) {
      // The compute host's first save: updated_at is set and changes-since sees the server from here on.
      server.updated = Math.max(server.updated, server.unsavedUntil);
      server.unsavedUntil = undefined;
    }
    if (server.readyAt > now) continue;
    region.building.delete(server);
    server.unsavedUntil = undefined;
    server.updated = server.readyAt;
    if (server.failMessage) {
      server.status = 'ERROR';
      server.fault = { code: 500, message: server.failMessage, created: server.readyAt };
    } else {
      server.status = 'ACTIVE';
      server.launchedAt = server.readyAt;
      activateServerPorts(region, server);
    }
  }
}

/** Deleted servers stay visible to changes-since for a while, then go. */
export function purgeDeleted(region: RegionData, retentionMs: number, now = Date.now()): void {
  if ((lastPurge.get(region) ?? 0) > now - 5000) return;
  lastPurge.set(region, now);
  for (const table of region.servers.values()) {
    const expired = table.filter((s) => s.deletedAt !== null && s.deletedAt < now - retentionMs);
    for (const s of expired) table.delete(s.id);
  }
}

export const vmState = (s: Server): string => vmStateOf(s);

export const powerState = (s: Server): number => powerStateOf(s);
