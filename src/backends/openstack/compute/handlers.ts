// The compute RPCs of one OpenStack cloud, per location (plus limits and capabilities, which start from nova).
import type { LocationHandlers } from '../../handler-backend.ts';
import type { RegionResolver } from '../region.ts';
import { runServerActionHandler } from './actions-run.ts';
import { snapshotServerHandler } from './actions-snapshot.ts';
import { updateServerHandler } from './actions-update.ts';
import { getCapabilitiesHandler } from './capabilities.ts';
import { createServerHandler } from './create-server.ts';
import { listFlavorsHandler } from './flavors.ts';
import { createKeypairHandler, deleteKeypairHandler, listKeypairsHandler } from './keypairs.ts';
import { getLimitsHandler } from './limits.ts';
import { deleteServerHandler, getServerConsoleHandler, waitForServerHandler } from './server-actions.ts';
import { listServersHandler } from './servers.ts';
import { createServerGroupHandler, deleteServerGroupHandler, listServerGroupsHandler } from './server-groups.ts';
import {
  deleteServerMetadataHandler,
  deleteServerTagsHandler,
  setServerMetadataHandler,
  setServerTagsHandler,
} from './server-metadata.ts';
import { listAvailabilityZonesHandler } from './zones.ts';

export function computeHandlers(resolve: RegionResolver): LocationHandlers {
  return {
    listFlavors: listFlavorsHandler(resolve),
    listKeypairs: listKeypairsHandler(resolve),
    createKeypair: createKeypairHandler(resolve),
    deleteKeypair: deleteKeypairHandler(resolve),
    listServers: listServersHandler(resolve),
    createServer: createServerHandler(resolve),
    deleteServer: deleteServerHandler(resolve),
    waitForServer: waitForServerHandler(resolve),
    getServerConsole: getServerConsoleHandler(resolve),
    runServerAction: runServerActionHandler(resolve),
    snapshotServer: snapshotServerHandler(resolve),
    updateServer: updateServerHandler(resolve),
    listAvailabilityZones: listAvailabilityZonesHandler(resolve),
    setServerMetadata: setServerMetadataHandler(resolve),
    deleteServerMetadata: deleteServerMetadataHandler(resolve),
    setServerTags: setServerTagsHandler(resolve),
    deleteServerTags: deleteServerTagsHandler(resolve),
    listServerGroups: listServerGroupsHandler(resolve),
    createServerGroup: createServerGroupHandler(resolve),
    deleteServerGroup: deleteServerGroupHandler(resolve),
    listLimits: getLimitsHandler(resolve),
    listCapabilities: getCapabilitiesHandler(resolve),
  };
}
