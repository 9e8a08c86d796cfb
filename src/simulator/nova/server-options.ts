// CreateServer fields that depend on the microversion (description 2.19, tags 2.52, hostname 2.90), the
// scheduler-hint group check that must come before anything is made, and the tag filters of server lists (2.26).
import type { Ctx } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { Server } from '../store.ts';
import { badRequest } from '../util.ts';
import { tagsFrom } from './metadata.ts';

function unexpected(field: string): Error {
  return badRequest(
    `Invalid input for field/attribute server. Additional properties are not allowed ('${field}' was unexpected)`,
  );
}

/** What nova shows as the hostname when none was given: the name, lowercased, with other characters as "-". */
export function defaultHostname(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 63) || 'server'
  );
}

/** The optional create fields of `spec` (nova's 400 when the microversion lacks one); the hint group must exist. */
export function createExtras(ctx: Ctx, spec: Record<string, any>, body: Record<string, any>): Partial<Server> {
  const mv = ctx.microversion;
  const extras: Partial<Server> = {};
  if (spec.description !== undefined) {
    if (!atLeast(mv, 2, 19)) throw unexpected('description');
    if (spec.description !== null && (typeof spec.description !== 'string' || spec.description.length > 255))
      throw badRequest('Invalid input for field/attribute description.');
    if (spec.description) extras.description = spec.description;
  }
  if (spec.tags !== undefined) {
    if (!atLeast(mv, 2, 52)) throw unexpected('tags');
    extras.tags = tagsFrom(spec.tags);
  }
  if (spec.hostname !== undefined) {
    if (!atLeast(mv, 2, 90)) throw unexpected('hostname');
    if (typeof spec.hostname !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/.test(spec.hostname))
      throw badRequest(`Invalid input for field/attribute hostname. Value: ${String(spec.hostname).slice(0, 64)}.`);
    extras.hostname = spec.hostname;
  }
  const group = body['os:scheduler_hints']?.group;
  if (group !== undefined) {
    const found = typeof group === 'string' ? ctx.region.serverGroups.get(group) : undefined;
    if (!found || found.projectId !== ctx.projectId)
      throw badRequest(`Instance group ${String(group).slice(0, 64)} could not be found.`);
  }
  return extras;
}

/** tags, tags-any, not-tags, not-tags-any (comma-separated); older microversions ignore them, as nova does. */
export function tagFilters(microversion: [number, number], query: URLSearchParams): Array<(s: Server) => boolean> {
  if (!atLeast(microversion, 2, 26)) return [];
  const list = (name: string) => {
    const raw = query.get(name);
    return raw === null ? undefined : raw.split(',').filter(Boolean);
  };
  const has = (s: Server, tag: string) => (s.tags ?? []).includes(tag);
  const out: Array<(s: Server) => boolean> = [];
  const all = list('tags');
  if (all) out.push((s) => all.every((t) => has(s, t)));
  const any = list('tags-any');
  if (any) out.push((s) => any.some((t) => has(s, t)));
  const notAll = list('not-tags');
  if (notAll) out.push((s) => !notAll.every((t) => has(s, t)));
  const notAny = list('not-tags-any');
  if (notAny) out.push((s) => !notAny.some((t) => has(s, t)));
  return out;
}
