// Collecting a ListServers stream for the fault matrix: ids per cloud, in-band errors per location, a call failure.
import { Status } from 'nice-grpc-common';
import type { ListServersResponse } from '../../../src/gen/oaktree/v1/compute.ts';

export interface Listing {
  /** Server ids per cloud. */
  ids: Map<string, Set<string>>;
  /** In-band errors: cloud/region → code. */
  errors: Map<string, number>;
  /** A call-level failure, if the whole call failed. */
  failed?: { code: number; message: string };
}

export async function listServers(stream: AsyncIterable<ListServersResponse>): Promise<Listing> {
  const listing: Listing = { ids: new Map(), errors: new Map() };
  try {
    for await (const res of stream) {
      if (res.item?.$case === 'server') {
        const cloud = res.item.value.location!.cloud;
        if (!listing.ids.has(cloud)) listing.ids.set(cloud, new Set());
        listing.ids.get(cloud)!.add(res.item.value.id);
      } else if (res.item?.$case === 'error') {
        listing.errors.set(`${res.item.value.location!.cloud}/${res.item.value.location!.region}`, res.item.value.code);
      }
    }
  } catch (error) {
    listing.failed = { code: (error as { code: number }).code, message: (error as Error).message };
  }
  return listing;
}

export const idsOf = (listing: Listing, cloud: string) => [...(listing.ids.get(cloud) ?? [])].sort();
export const clientCodes = (codes: number[]) =>
  codes.every((code) => code !== Status.UNKNOWN && code !== Status.INTERNAL && code !== Status.OK);
