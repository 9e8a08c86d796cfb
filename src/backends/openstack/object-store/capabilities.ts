// What a location's object store offers, for ListCapabilities: from Swift's /info.
import type { ObjectStoreCapabilities } from '../../../gen/oaktree/v1/object_store.ts';
import type { RegionContext } from '../region.ts';
import { swiftInfo } from './swift.ts';

const ABSENT: ObjectStoreCapabilities = {
  available: false,
  tempUrl: false,
  staticLargeObjects: false,
  bulkDelete: false,
  maxObjectSizeBytes: 0n,
  maxSegments: 0,
  tempUrlMethods: [],
  maxObjectNameBytes: 0,
};

export async function objectStoreCapabilities(
  ctx: RegionContext,
  present: boolean,
  signal: AbortSignal,
): Promise<ObjectStoreCapabilities> {
  if (!present) return ABSENT;
  try {
    const info = await swiftInfo(ctx, signal);
    return {
      available: true,
      tempUrl: info.tempUrl,
      staticLargeObjects: info.slo,
      bulkDelete: info.bulkDelete,
      maxObjectSizeBytes: BigInt(info.maxFileSize),
      maxSegments: info.slo ? info.maxManifestSegments : 0,
      tempUrlMethods: info.tempUrl ? info.tempUrlMethods : [],
      maxObjectNameBytes: info.maxObjectNameLength,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    return { ...ABSENT, available: true }; // the service is there; /info is not answering
  }
}
