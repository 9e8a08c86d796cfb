// Keystone's records beyond users and projects: domains, groups, roles, role assignments, and the service catalog
// (services, endpoints, regions). Users' `roles`/`projectIds`/`isAdmin` are derived from the assignments here.
import type { CloudData, Project, User } from './store.ts';
import { hexId } from './util.ts';

export interface Domain {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
}
export interface Group {
  id: string;
  name: string;
  domainId: string;
  description: string;
  userIds: Set<string>;
}
export interface Role {
  id: string;
  name: string;
  domainId: string | null;
  description: string | null;
  /** Keystone's bootstrap roles (admin, member, reader) carry options.immutable. */
  immutable: boolean;
}
/** A grant of a role to a user or group on a project or domain. */
export interface Assignment {
  roleId: string;
  userId?: string;
  groupId?: string;
  projectId?: string;
  domainId?: string;
}
export interface CatalogService {
  id: string;
  type: string;
  name: string;
  description?: string;
  enabled: boolean;
}
export interface CatalogEndpoint {
  id: string;
  serviceId: string;
  interface: string;
  regionId: string;
  /** May hold "%(project_id)s", filled per token like Keystone does. */
  url: string;
  enabled: boolean;
}
export interface CatalogRegion {
  id: string;
  description: string;
  parentRegionId: string | null;
}

/** Roles Keystone implies: admin implies member implies reader (keystone-manage bootstrap). */
const IMPLIES: Record<string, string> = { admin: 'member', member: 'reader' };

export class IdentityStore {
  readonly domains = new Map<string, Domain>();
  readonly groups = new Map<string, Group>();
  readonly roles = new Map<string, Role>();
  assignments: Assignment[] = [];
  readonly services = new Map<string, CatalogService>();
  readonly endpoints = new Map<string, CatalogEndpoint>();
  readonly regions = new Map<string, CatalogRegion>();
  /** The catalog is seeded on first use, once the cloud's port is known. */
  catalogSeeded = false;

  constructor(private readonly data: CloudData) {
    this.domains.set('default', {
      id: 'default',
      name: 'Default',
      description: 'The default domain',
      enabled: true,
      tags: [],
    });
    for (const name of ['admin', 'member', 'reader']) this.addRole(name, true);
    this.addRole('service', false);
  }

  addRole(name: string, immutable = false): Role {
    const role: Role = { id: hexId(), name, domainId: null, description: null, immutable };
    this.roles.set(role.id, role);
    return role;
  }

  roleByName(name: string): Role {
    for (const role of this.roles.values()) if (role.name === name && role.domainId === null) return role;
    return this.addRole(name);
  }

  /** Grants each named role on each project and derives the user's access from the grants. */
  seedUser(user: User, roleNames: string[], projectIds: string[]): void {
    for (const projectId of projectIds)
      for (const name of roleNames) {
        const roleId = this.roleByName(name).id;
        if (!this.assignments.some((a) => a.roleId === roleId && a.userId === user.id && a.projectId === projectId))
          this.assignments.push({ roleId, userId: user.id, projectId });
      }
    this.sync(user);
  }

  /** The grants a user holds on a project, directly or through a group, with implied roles added. */
  effectiveRoleNames(userId: string, projectId: string): string[] {
    const names = new Set<string>();
    for (const a of this.assignments) {
      if (a.projectId !== projectId) continue;
      if (a.userId !== userId && !(a.groupId && this.groups.get(a.groupId)?.userIds.has(userId))) continue;
      let name: string | undefined = this.roles.get(a.roleId)?.name;
      while (name && !names.has(name)) {
        names.add(name);
        name = IMPLIES[name];
      }
    }
    return [...names];
  }

  /** Recomputes the derived fields every service module reads (isAdmin, roles, projectIds). */
  sync(user: User): void {
    const projectIds = new Set<string>();
    const roles = new Set<string>();
    for (const project of this.data.projects.values()) {
      const names = this.effectiveRoleNames(user.id, project.id);
      if (names.length === 0) continue;
      projectIds.add(project.id);
      for (const name of names) roles.add(name);
    }
    user.projectIds = [...projectIds];
    user.roles = [...roles];
    user.isAdmin = roles.has('admin');
  }

  syncAll(): void {
    for (const user of this.data.users.values()) this.sync(user);
  }

  /** A fresh catalog: one service per type, one endpoint per region and interface. */
  seedCatalog(regions: string[], services: Array<{ type: string; name: string; url: (region: string) => string }>) {
    for (const region of regions) this.regions.set(region, { id: region, description: '', parentRegionId: null });
    for (const svc of services) {
      const service: CatalogService = { id: hexId(), type: svc.type, name: svc.name, enabled: true };
      this.services.set(service.id, service);
      for (const region of regions)
        for (const iface of ['public', 'internal', 'admin']) {
          const endpoint: CatalogEndpoint = {
            id: hexId(),
            serviceId: service.id,
            interface: iface,
            regionId: region,
            url: svc.url(region),
            enabled: true,
          };
          this.endpoints.set(endpoint.id, endpoint);
        }
    }
  }

  /** Drops every grant naming a deleted user, group, project or role. */
  forget(kind: 'userId' | 'groupId' | 'projectId' | 'roleId', id: string): void {
    this.assignments = this.assignments.filter((a) => a[kind] !== id);
    if (kind === 'userId') for (const g of this.groups.values()) g.userIds.delete(id);
    this.syncAll();
  }

  projectsOf(user: User): Project[] {
    return [...this.data.projects.values()].filter((p) => user.projectIds.includes(p.id));
  }
}
