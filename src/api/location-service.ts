// LocationService and MeshService: answered from this node's routing table, no backend is called.
import type { LocationServiceImplementation, ListLocationsResponse } from '../gen/oaktree/v1/location.ts';
import type { MeshServiceImplementation, ListRoutesResponse } from '../gen/oaktree/mesh/v1/mesh.ts';
import type { Router } from '../mesh/router.ts';
import { selectorMatchesLocation } from '../core/location.ts';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { describeSelector } from '../core/location.ts';
import type { OaktreeCallContextExt } from './call-context.ts';
import { checkSelector } from './requests.ts';

export function locationService(router: Router): LocationServiceImplementation<OaktreeCallContextExt> {
  return {
    async *listLocations(request, context): AsyncGenerator<ListLocationsResponse> {
      checkSelector(request.location);
      let matched = 0;
      for (const { route } of router.visibleRoutes(context.oaktree.call)) {
        if (!selectorMatchesLocation(request.location, route.location)) continue;
        matched++;
        yield { item: { $case: 'location', value: route.location } };
      }
      if (matched === 0) {
        throw new ServerError(Status.NOT_FOUND, `no location matches ${describeSelector(request.location)}`);
      }
    },
  };
}

export function meshService(router: Router): MeshServiceImplementation<OaktreeCallContextExt> {
  return {
    async *listRoutes(request, context): AsyncGenerator<ListRoutesResponse> {
      checkSelector(request.location);
      // A peer asking for routes sees only what this node's policy grants its certificate identity.
      for (const { route } of router.visibleRoutes(context.oaktree.call)) {
        if (!selectorMatchesLocation(request.location, route.location)) continue;
        yield {
          item: {
            $case: 'route',
            value: { location: route.location, hops: route.hops, path: [router.nodeId, ...route.path] },
          },
        };
      }
    },
  };
}
