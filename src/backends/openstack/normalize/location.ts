// Where an object lives: the route location (cloud, region, scoped project) refined by the object's own
// project and zone. A foreign project's object (a shared image, an admin's view) keeps its owner's id; the
// project's name and domain are only known for the scoped project.
import type { Location, Project } from '../../../gen/oaktree/v1/location.ts';

/** The owning project id as the services spell it: nova/neutron tenant_id, project_id, glance owner. */
export function projectIdOf(raw: Record<string, unknown>): string | undefined {
  for (const key of ['project_id', 'tenant_id', 'owner', 'os-vol-tenant-attr:tenant_id']) {
    const value = raw[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** The object's location: route location + its project (when it says one) + its zone. */
export function objectLocation(route: Location, raw: Record<string, unknown>, zone = ''): Location {
  return { cloud: route.cloud, region: route.region, zone, project: objectProject(route.project, projectIdOf(raw)) };
}

export function objectProject(scoped: Project | undefined, projectId: string | undefined): Project {
  const base: Project = scoped ?? { id: '', name: '', domainId: '', domainName: '' };
  if (!projectId || projectId === base.id) return { ...base };
  return { id: projectId, name: '', domainId: '', domainName: '' };
}

/** A server's availability zone (nova's extension attribute). */
export function serverZone(raw: Record<string, unknown>): string {
  const zone = raw['OS-EXT-AZ:availability_zone'];
  return typeof zone === 'string' ? zone : '';
}
