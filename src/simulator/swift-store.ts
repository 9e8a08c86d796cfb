// The simulated Swift's data: accounts (one per project) of containers of objects, kept per region. Object bytes
// live in files in the cloud's temp dir, so a big object costs disk, not memory. Expired objects (X-Delete-At)
// vanish when next touched, as the object expirer would have removed them.
import { rm } from 'node:fs/promises';
import type { RegionData } from './store.ts';

export interface SwiftSegment {
  container: string;
  name: string;
  etag: string;
  size: number;
}

export interface SwiftObject {
  name: string;
  size: number;
  /** md5 of the bytes; for a static large object the md5 of its segments' etags. */
  etag: string;
  contentType: string;
  lastModified: number;
  /** x-object-meta-* headers, lower case, as sent. */
  meta: Record<string, string>;
  deleteAt?: number;
  file?: string;
  manifest?: SwiftSegment[];
  /** md5 of the manifest as stored (what a listing shows as hash for a large object). */
  manifestHash?: string;
}

export interface SwiftContainer {
  name: string;
  createdAt: number;
  /** x-container-read/-write, x-container-meta-* headers, lower case. */
  headers: Record<string, string>;
  objects: Map<string, SwiftObject>;
}

export interface SwiftAccount {
  name: string;
  /** x-account-meta-* headers, lower case (the TempURL keys among them). */
  meta: Record<string, string>;
  containers: Map<string, SwiftContainer>;
}

const accountsByRegion = new WeakMap<RegionData, Map<string, SwiftAccount>>();

/** The account of a region, created on first use (account_autocreate). */
export function swiftAccount(region: RegionData, name: string): SwiftAccount {
  let accounts = accountsByRegion.get(region);
  if (!accounts) accountsByRegion.set(region, (accounts = new Map()));
  let account = accounts.get(name);
  if (!account) accounts.set(name, (account = { name, meta: {}, containers: new Map() }));
  return account;
}

/** The object, unless it has expired (then it is removed). */
export function liveObject(container: SwiftContainer, name: string): SwiftObject | undefined {
  const object = container.objects.get(name);
  if (object?.deleteAt && object.deleteAt * 1000 <= Date.now()) {
    removeObject(container, name);
    return undefined;
  }
  return object;
}

export function liveObjects(container: SwiftContainer): SwiftObject[] {
  return [...container.objects.keys()]
    .sort(compareNames)
    .map((name) => liveObject(container, name))
    .filter((o): o is SwiftObject => !!o);
}

export function removeObject(container: SwiftContainer, name: string): void {
  const object = container.objects.get(name);
  if (!object) return;
  container.objects.delete(name);
  if (object.file) void rm(object.file, { force: true });
}

/** Swift sorts listings by the UTF-8 bytes of the names. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function containerUsage(container: SwiftContainer): { count: number; bytes: number } {
  const objects = liveObjects(container);
  return { count: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) };
}
