// Nova v2.1 service module: version discovery plus the route table.
import type { CloudRuntime, ServiceModule } from '../cloud-runtime.ts';
import { COMPUTE_VERSIONS, formatVersion } from '../microversion.ts';
import { RouteTable } from '../router.ts';
import { registerNovaAdminRoutes } from './admin.ts';
import { registerFlavorAdminRoutes } from './flavor-admin.ts';
import { registerServerActionRoutes } from './actions.ts';
import { registerFlavorRoutes } from './flavors.ts';
import { registerKeypairRoutes } from './keypairs.ts';
import { registerMiscRoutes } from './misc.ts';
import { registerServerRoutes } from './servers.ts';
import { registerMetadataRoutes } from './metadata.ts';
import { registerServerGroupRoutes } from './server-groups.ts';

const routes = new RouteTable();
registerServerActionRoutes(routes); // before the server routes: it answers their action and update paths first
registerServerRoutes(routes);
registerMetadataRoutes(routes);
registerServerGroupRoutes(routes);
registerFlavorRoutes(routes);
registerKeypairRoutes(routes);
registerMiscRoutes(routes);
registerFlavorAdminRoutes(routes);
registerNovaAdminRoutes(routes);

function versionV21(base: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: formatVersion(COMPUTE_VERSIONS.max),
    min_version: formatVersion(COMPUTE_VERSIONS.min),
    updated: '2013-07-23T11:33:21Z',
    links: [
      { rel: 'self', href: `${base}/v2.1/` },
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

export const novaService: ServiceModule = {
  name: 'compute',
  prefix: 'compute',
  requiresAuth: true,
  versions: COMPUTE_VERSIONS,
  routes,
  resolve(rest: string, cloud: CloudRuntime) {
    void cloud;
    if (rest === '' || rest === '/') {
      return {
        discovery: (ctx) => {
          const v2 = {
            id: 'v2.0',
            status: 'SUPPORTED',
            version: '',
            min_version: '',
            updated: '2011-01-21T11:33:21Z',
            links: [{ rel: 'self', href: `${ctx.serviceBase}/v2/` }],
          };
          const { 'media-types': _m, ...v21 } = versionV21(ctx.serviceBase);
          return { status: 200, body: { versions: [v2, v21] } };
        },
      };
    }
    if (rest === '/v2.1' || rest === '/v2.1/')
      return { discovery: (ctx) => ({ status: 200, body: { version: versionV21(ctx.serviceBase) } }) };
    if (rest.startsWith('/v2.1/')) return { path: rest.slice(5), versionRoot: '/v2.1' };
    return undefined;
  },
};
