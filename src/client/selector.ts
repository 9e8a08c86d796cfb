// Selectors as people write them: { cloud: 'prod', region: 'RegionOne' }, a project by name as a string.
import type { LocationSelector, Project } from '../gen/oaktree/v1/location.ts';

export interface Selector {
  cloud?: string;
  region?: string;
  zone?: string;
  /** A project name, or the project's fields. */
  project?: string | Partial<Project>;
}

export function toLocationSelector(selector: Selector | undefined): LocationSelector {
  const project = typeof selector?.project === 'string' ? { name: selector.project } : selector?.project;
  return {
    cloud: selector?.cloud ?? '',
    region: selector?.region ?? '',
    zone: selector?.zone ?? '',
    project: project
      ? {
          id: project.id ?? '',
          name: project.name ?? '',
          domainId: project.domainId ?? '',
          domainName: project.domainName ?? '',
        }
      : undefined,
  };
}
