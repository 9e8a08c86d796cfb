// The SDK's words for issue 14's server options: ListServers filters, CreateServer extras, ListFlavors filters
// and sorts, server group policies; each turned into the request fields the generated client takes.
import {
  FlavorSort,
  type ListServersRequest,
  type CreateServerRequest,
  type ListFlavorsRequest,
  ServerGroupPolicy,
} from '../gen/oaktree/v1/compute.ts';

/** ListServers filters; each is applied by the cloud where it can, by the node otherwise, with the same result. */
export interface ServerFilters {
  /** Every key with that value; an empty value matches any value. */
  metadata?: Record<string, string>;
  /** All of these tags. */
  tags?: string[];
  /** At least one of these tags. */
  tagsAny?: string[];
  /** Flavor name or id. */
  flavor?: string;
  /** Image name or id. */
  image?: string;
  /** A regular expression searched in the name, ignoring case (nova's name filter). */
  nameRegex?: string;
  /** Only servers changed since then. */
  changesSince?: Date;
  /** Every project's servers (admins). */
  allProjects?: boolean;
}

export function serverFilterFields(filters: ServerFilters | undefined): Partial<ListServersRequest> {
  return {
    metadata: filters?.metadata ?? {},
    tags: filters?.tags ?? [],
    tagsAny: filters?.tagsAny ?? [],
    flavor: filters?.flavor ?? '',
    image: filters?.image ?? '',
    nameRegex: filters?.nameRegex ?? '',
    changesSince: filters?.changesSince,
    allProjects: filters?.allProjects ?? false,
  };
}

/** CreateServer options beyond image, flavor and networks. */
export interface CreateServerExtras {
  /** Server group name or id. */
  serverGroup?: string;
  /** Scheduler hints; a list is sent as a list (same_host, different_host). */
  schedulerHints?: Record<string, string | string[]>;
  /** Attachments by port id, or by network (name or id) with an optional fixed IP. */
  nics?: Array<{ port: string } | { network: string; fixedIp?: string }>;
  /** Boot from this existing volume (name or id) instead of an image. */
  bootVolume?: string;
  /** Boot from a new volume made from this volume snapshot (id). */
  bootSnapshotId?: string;
  /** Extra volumes at boot: an existing one by name or id, or a new blank one of sizeGb. */
  blockDevices?: Array<{ volume?: string; sizeGb?: number; deleteOnTermination?: boolean }>;
  description?: string;
  tags?: string[];
  hostname?: string;
  /** Injected where the cloud honours it; never returned. */
  adminPassword?: string;
}

export function createServerFields(spec: CreateServerExtras): Partial<CreateServerRequest> {
  return {
    serverGroup: spec.serverGroup ?? '',
    schedulerHints: Object.entries(spec.schedulerHints ?? {}).map(([key, value]) => ({
      key,
      values: Array.isArray(value) ? value : [value],
    })),
    nics: (spec.nics ?? []).map((nic) =>
      'port' in nic
        ? { port: nic.port, network: '', fixedIp: '' }
        : { port: '', network: nic.network, fixedIp: nic.fixedIp ?? '' },
    ),
    bootVolume: spec.bootVolume ?? '',
    bootSnapshotId: spec.bootSnapshotId ?? '',
    blockDevices: (spec.blockDevices ?? []).map((d) => ({
      volume: d.volume ?? '',
      sizeGb: d.sizeGb ?? 0,
      deleteOnTermination: d.deleteOnTermination ?? false,
    })),
    description: spec.description ?? '',
    tags: spec.tags ?? [],
    hostname: spec.hostname ?? '',
    adminPassword: spec.adminPassword ?? '',
  };
}

export type FlavorSortName = 'ram' | 'vcpus' | 'disk' | 'name';
const flavorSorts: Record<FlavorSortName, FlavorSort> = {
  ram: FlavorSort.FLAVOR_SORT_RAM,
  vcpus: FlavorSort.FLAVOR_SORT_VCPUS,
  disk: FlavorSort.FLAVOR_SORT_DISK,
  name: FlavorSort.FLAVOR_SORT_NAME,
};

/** ListFlavors filters and order. */
export interface FlavorListExtras {
  /** Names containing this text, ignoring case. */
  nameContains?: string;
  sortBy?: FlavorSortName;
  descending?: boolean;
  /** No per-flavor extra-spec calls (nodepool's get_extra=False). */
  skipExtraSpecs?: boolean;
}

export function flavorListFields(options: FlavorListExtras | undefined): Partial<ListFlavorsRequest> {
  return {
    nameContains: options?.nameContains ?? '',
    sortBy: options?.sortBy ? flavorSorts[options.sortBy] : FlavorSort.FLAVOR_SORT_UNSPECIFIED,
    sortDescending: options?.descending ?? false,
    skipExtraSpecs: options?.skipExtraSpecs ?? false,
  };
}

export type ServerGroupPolicyName = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';
export const serverGroupPolicies: Record<ServerGroupPolicyName, ServerGroupPolicy> = {
  affinity: ServerGroupPolicy.SERVER_GROUP_POLICY_AFFINITY,
  'anti-affinity': ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY,
  'soft-affinity': ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_AFFINITY,
  'soft-anti-affinity': ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_ANTI_AFFINITY,
};
