// Direct OpenStack REST calls for test set-up (servers, leaked ports) through the real transport, so these tests
// do not depend on the compute handlers.
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudSession } from '../../../src/backends/openstack/transport/index.ts';
import type { Harness } from './harness.ts';
import { localServices } from '../../../src/backends/openstack/services.ts';
import type { RegionContext } from '../../../src/backends/openstack/region.ts';
import type { CloudRegionConfig } from '../../../src/config/clouds/types.ts';
import { silentLogger } from '../../../src/observability/logger.ts';

export class Direct {
  readonly session: CloudSession;
  constructor(
    h: Harness,
    cloud: string,
    readonly region: string,
  ) {
    this.session = new CloudSession(h.clouds.find((c) => c.name === cloud)!);
  }

  async body(
    service: 'compute' | 'network' | 'image' | 'block-storage',
    method: string,
    path: string,
    body?: unknown,
  ): Promise<any> {
    return (
      await this.session.request(service, this.region, {
        method,
        path,
        body,
        microversion: service === 'compute' ? '2.1' : undefined,
      })
    ).body;
  }

  /** Boots a server on the private network and waits until it is ACTIVE. */
  async server(name: string): Promise<any> {
    const images = await this.body('image', 'GET', '/images?name=cirros-0.6.2-x86_64-disk');
    const created = await this.body('compute', 'POST', '/servers', {
      server: { name, flavorRef: '1', imageRef: images.images[0].id },
    });
    for (let i = 0; i < 100; i++) {
      const { server } = await this.body('compute', 'GET', `/servers/${created.server.id}`);
      if (server.status === 'ACTIVE') return server;
      await sleep(50);
    }
    throw new Error(`server ${name} did not become ACTIVE`);
  }

  close(): void {
    this.session.close();
  }
}

/** A RegionContext for calling the backend's helper functions directly (what the compute handlers do). */
export function regionContext(
  h: Harness,
  direct: Direct,
  cloudName: string,
  edit: (rc: CloudRegionConfig) => CloudRegionConfig = (rc) => rc,
): RegionContext {
  const cloud = h.clouds.find((c) => c.name === cloudName)!;
  const rc = cloud.regions.find((r) => r.region === direct.region) ?? cloud.regions[0];
  const p = direct.session.project();
  return {
    cloud,
    regionConfig: edit({ ...rc, region: direct.region }),
    region: direct.region,
    session: direct.session,
    location: {
      cloud: cloudName,
      region: direct.region,
      zone: '',
      project: { id: p.id, name: p.name, domainId: p.domainId, domainName: p.domainName },
    },
    credentialKey: `${cloudName}/${direct.region}/${p.id}/direct`,
    services: localServices(), // helpers that touch no cache, lock or poller
    logger: silentLogger(),
  };
}
