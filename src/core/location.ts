// Locations and selectors: identity, matching and validation. Pure functions, no I/O.
import type { Location, LocationSelector, Project } from '../gen/oaktree/v1/location.ts';

/** The identity of a location for routing: cloud, region and project. Zones live inside a location. */
export function routeKey(location: Location | undefined): string {
  const project = location?.project;
  const projectPart =
    project?.id || (project?.name ? `${project.domainId || project.domainName || ''}:${project.name}` : '');
  return [location?.cloud ?? '', location?.region ?? '', projectPart].map(encodeURIComponent).join('/');
}

/** A short human form for messages and logs: cloud/region[/zone] (project). */
export function describeLocation(location: Location | undefined): string {
  if (!location) return '(no location)';
  const where = [location.cloud, location.region, location.zone].filter(Boolean).join('/');
  const project = location.project?.name || location.project?.id;
  return project ? `${where} (project ${project})` : where;
}

export function describeSelector(selector: LocationSelector | undefined): string {
  const parts: string[] = [];
  if (selector?.cloud) parts.push(`cloud=${selector.cloud}`);
  if (selector?.region) parts.push(`region=${selector.region}`);
  if (selector?.zone) parts.push(`zone=${selector.zone}`);
  const p = selector?.project;
  if (p?.id) parts.push(`project.id=${p.id}`);
  if (p?.name) parts.push(`project.name=${p.name}`);
  if (p?.domainId) parts.push(`project.domain_id=${p.domainId}`);
  if (p?.domainName) parts.push(`project.domain_name=${p.domainName}`);
  return parts.length ? `{${parts.join(', ')}}` : '{} (every location)';
}

function fieldMatches(wanted: string | undefined, actual: string | undefined): boolean {
  return !wanted || wanted === actual;
}

function projectMatches(wanted: Project | undefined, actual: Project | undefined): boolean {
  if (!wanted) return true;
  return (
    fieldMatches(wanted.id, actual?.id) &&
    fieldMatches(wanted.name, actual?.name) &&
    fieldMatches(wanted.domainId, actual?.domainId) &&
    fieldMatches(wanted.domainName, actual?.domainName)
  );
}

/**
 * Whether a location (a route, ignoring zones) can hold objects the selector asks for.
 * The selector's zone is not checked here: zones are filtered on the objects themselves.
 */
export function selectorMatchesLocation(selector: LocationSelector | undefined, location: Location): boolean {
  if (!selector) return true;
  return (
    fieldMatches(selector.cloud, location.cloud) &&
    fieldMatches(selector.region, location.region) &&
    projectMatches(selector.project, location.project)
  );
}

/**
 * The cloud and region of an object or route. Objects carry their owner's project (a public image belongs to
 * the project that made it), so results are attributed to routes by cloud and region, not by project.
 */
export function regionKey(location: Location | undefined): string {
  return `${encodeURIComponent(location?.cloud ?? '')}/${encodeURIComponent(location?.region ?? '')}`;
}

/**
 * Whether an object is in the selector's zone. Routes are chosen by cloud, region and project; the zone is the
 * one part of a selector checked on the objects themselves. Objects above zone level (empty zone) match any zone.
 */
export function zoneMatches(selector: LocationSelector | undefined, location: Location | undefined): boolean {
  return !selector?.zone || !location?.zone || selector.zone === location.zone;
}

/**
 * A selector for the route an object was found through: its cloud and region. Not its project: an object's
 * project is its owner's (a public image belongs to the project that made it), which is not a route.
 */
export function routeSelectorFor(location: Location): LocationSelector {
  return { cloud: location.cloud, region: location.region, zone: '', project: undefined };
}

const MAX_FIELD_LENGTH = 255;

/**
 * Checks a selector for mistakes a user can fix. Returns a message that says what to fix, or undefined.
 */
export function selectorProblem(selector: LocationSelector | undefined): string | undefined {
  if (!selector) return undefined;
  const fields: Array<[string, string | undefined]> = [
    ['cloud', selector.cloud],
    ['region', selector.region],
    ['zone', selector.zone],
    ['project.id', selector.project?.id],
    ['project.name', selector.project?.name],
    ['project.domain_id', selector.project?.domainId],
    ['project.domain_name', selector.project?.domainName],
  ];
  for (const [name, value] of fields) {
    if (!value) continue;
    if (value === '*' || value.includes('*')) {
      return `location.${name} is "${value}": selectors have no wildcards; leave the field empty to match any ${name}`;
    }
    if (value.length > MAX_FIELD_LENGTH) {
      return `location.${name} is ${value.length} characters long; the limit is ${MAX_FIELD_LENGTH}`;
    }
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      return `location.${name} contains a control character; remove it`;
    }
    if (value.trim() !== value) {
      return `location.${name} is "${value}": remove the leading or trailing spaces`;
    }
  }
  return undefined;
}
