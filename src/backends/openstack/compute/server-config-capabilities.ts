// What a location's compute takes for server groups, tags, metadata, CreateServer options and ListServers
// filters, from its negotiated microversion, the highest one it offers, and its limits.
import type { ComputeCapabilities } from '../../../gen/oaktree/v1/capabilities.ts';
import type { Limits } from '../../../gen/oaktree/v1/limits.ts';
import { MAX_TAGS_PER_SERVER } from '../../../core/server-config-rules.ts';
import { mvAtLeast } from './nova.ts';
import { serverGroupPolicies } from './server-groups.ts';
import { cloudServerFilters, OAKTREE_SERVER_FILTERS } from './server-filters.ts';

type ServerConfigCapabilities = Omit<
  ComputeCapabilities,
  'availabilityZones' | 'consoleOutput' | 'serverTags' | 'serverActions' | 'serverActionOptions'
>;

/** `mv` is the microversion oaktree speaks to the cloud; `maxMv` the highest the cloud offers (for per-call ones). */
export function serverConfigCapabilities(
  mv: string,
  maxMv: string,
  limits: Limits | undefined,
): ServerConfigCapabilities {
  const cloudFilters = cloudServerFilters(mv);
  return {
    serverGroups: true,
    serverGroupPolicies: serverGroupPolicies(mv),
    serverGroupRules: mvAtLeast(mv, 2, 64),
    tagsAtCreate: mvAtLeast(mv, 2, 52),
    serverDescription: mvAtLeast(mv, 2, 19),
    // CreateServer asks for 2.90 on the one call that sets a hostname.
    hostnameAtCreate: !!maxMv && mvAtLeast(maxMv, 2, 90),
    cloudServerFilters: cloudFilters,
    oaktreeServerFilters: [...OAKTREE_SERVER_FILTERS],
    maxServerTags: mvAtLeast(mv, 2, 26) ? MAX_TAGS_PER_SERVER : 0,
    maxServerMetadataItems: limits?.compute?.maxMetadataItems ?? 0,
    flavorExtraSpecsInList: mvAtLeast(mv, 2, 61),
  };
}
