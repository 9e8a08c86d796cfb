// What the simulated Cinder keeps beyond the shared store's volumes: snapshots, backups, extra volume types and
// per-volume fields the store does not model (read-only flag, source snapshot/volume, a pending extend or
// restore). Kept per region object, so two simulators in one process never share it.
import { Collection } from './collection.ts';
import type { RegionData, Volume } from './store.ts';

export interface Snapshot {
  id: string;
  name: string | null;
  description: string | null;
  volumeId: string;
  projectId: string;
  size: number;
  status: string;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number | null;
  readyAt: number;
}

export interface Backup {
  id: string;
  name: string | null;
  description: string | null;
  volumeId: string;
  snapshotId: string | null;
  projectId: string;
  size: number;
  status: string;
  isIncremental: boolean;
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  readyAt: number;
}

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  extraSpecs: Record<string, string>;
}

export interface VolumeExtra {
  readOnly: boolean;
  snapshotId: string | null;
  sourceVolid: string | null;
  /** A change in progress (extend, restore): the status and size the volume reaches at `at`. */
  pending?: { status: string; size: number; at: number };
}

export const DEFAULT_TYPE: VolumeType = {
  id: '00000000-0000-0000-0000-000000000001',
  name: '__DEFAULT__',
  description: 'Default Volume Type',
  isPublic: true,
  extraSpecs: {},
};

export class CinderState {
  readonly snapshots = new Collection<Snapshot>();
  readonly backups = new Collection<Backup>();
  readonly types = new Collection<VolumeType>();
  readonly #extras = new Map<string, VolumeExtra>();

  constructor() {
    this.types.add(DEFAULT_TYPE);
  }

  extra(volumeId: string): VolumeExtra {
    let extra = this.#extras.get(volumeId);
    if (!extra) {
      extra = { readOnly: false, snapshotId: null, sourceVolid: null };
      this.#extras.set(volumeId, extra);
    }
    return extra;
  }

  forget(volumeId: string): void {
    this.#extras.delete(volumeId);
  }

  /** Finishes a volume's pending change whose time has come (status and size). */
  settle(v: Volume): void {
    const pending = this.#extras.get(v.id)?.pending;
    if (pending && pending.at <= Date.now()) {
      v.status = pending.status;
      v.size = pending.size;
      v.updatedAt = pending.at;
      this.#extras.get(v.id)!.pending = undefined;
    }
  }
}

const states = new WeakMap<RegionData, CinderState>();

export function cinderState(region: RegionData): CinderState {
  let state = states.get(region);
  if (!state) {
    state = new CinderState();
    states.set(region, state);
  }
  return state;
}

/** Lazily finish snapshots and backups whose delay has passed. */
export function settleSnapshot(s: Snapshot): Snapshot {
  if (s.status === 'creating' && s.readyAt <= Date.now()) {
    s.status = 'available';
    s.updatedAt = s.readyAt;
  }
  return s;
}

export function settleBackup(b: Backup): Backup {
  if ((b.status === 'creating' || b.status === 'restoring') && b.readyAt <= Date.now()) {
    b.status = 'available';
    b.updatedAt = b.readyAt;
  }
  return b;
}

export const cinderTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000');
