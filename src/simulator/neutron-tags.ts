// Neutron's tags sub-resource (standard-attr-tag) on every taggable collection:
// GET/PUT/DELETE /{plural}/{id}/tags and GET/PUT/DELETE /{plural}/{id}/tags/{tag}.
import { readJson, type Ctx, type Reply } from './http.ts';
import type { RouteTable } from './router.ts';
import { ApiError } from './util.ts';

/** A record that can carry tags (the store keeps them only once set). */
export interface Tagged {
  tags?: string[];
  updatedAt?: number;
}

/** Neutron's limit on one tag. */
const MAX_TAG_LENGTH = 60;

function checkTag(tag: string): string {
  if (!tag || tag.length > MAX_TAG_LENGTH || tag.includes(','))
    throw new ApiError(400, `Invalid input for operation: '${tag.slice(0, 80)}' is not a valid tag.`, 'InvalidInput');
  return tag;
}

/** Adds the tag routes for a collection; `find` answers 404 the way the resource's own GET does. */
export function addTagRoutes(routes: RouteTable, plural: string, find: (ctx: Ctx) => Tagged): void {
  const changed = (item: Tagged, tags: string[]) => {
    item.tags = tags;
    item.updatedAt = Date.now();
  };
  routes
    .add('GET', `/${plural}/{id}/tags`, (ctx): Reply => ({ status: 200, body: { tags: [...(find(ctx).tags ?? [])] } }))
    .add('PUT', `/${plural}/{id}/tags`, async (ctx): Promise<Reply> => {
      const item = find(ctx);
      const body = await readJson(ctx);
      if (!Array.isArray(body.tags)) throw new ApiError(400, 'Invalid input for tags.', 'InvalidInput');
      const tags = [...new Set(body.tags.map((t: unknown) => checkTag(String(t))))];
      changed(item, tags);
      return { status: 200, body: { tags } };
    })
    .add('DELETE', `/${plural}/{id}/tags`, (ctx): Reply => {
      changed(find(ctx), []);
      return { status: 204 };
    })
    .add('GET', `/${plural}/{id}/tags/{tag}`, (ctx): Reply => {
      if (!(find(ctx).tags ?? []).includes(ctx.params.tag)) throw tagNotFound(ctx.params.tag);
      return { status: 204 };
    })
    .add('PUT', `/${plural}/{id}/tags/{tag}`, (ctx): Reply => {
      const item = find(ctx);
      const tag = checkTag(ctx.params.tag);
      if (!(item.tags ?? []).includes(tag)) changed(item, [...(item.tags ?? []), tag]);
      return { status: 201, body: null };
    })
    .add('DELETE', `/${plural}/{id}/tags/{tag}`, (ctx): Reply => {
      const item = find(ctx);
      if (!(item.tags ?? []).includes(ctx.params.tag)) throw tagNotFound(ctx.params.tag);
      changed(
        item,
        (item.tags ?? []).filter((t) => t !== ctx.params.tag),
      );
      return { status: 204 };
    });
}

const tagNotFound = (tag: string) => new ApiError(404, `Tag ${tag.slice(0, 80)} could not be found.`, 'TagNotFound');
