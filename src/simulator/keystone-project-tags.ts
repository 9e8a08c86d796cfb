// Keystone project tags: /projects/{id}/tags (list, replace, clear) and /projects/{id}/tags/{tag} (check, add,
// remove), and the ?tags / ?tags-any / ?not-tags / ?not-tags-any filters of the project list.
import { readJson, type Ctx, type Reply } from './http.ts';
import { projectOr404 } from './keystone-input.ts';
import { type Caller, denied, requireAdmin, requireCaller } from './keystone-policy.ts';
import type { RouteTable } from './router.ts';
import type { Project } from './store.ts';
import { ApiError } from './util.ts';

const tagsOf = (p: Project): string[] => (Array.isArray(p.extra?.tags) ? (p.extra.tags as string[]) : []);

function setTags(p: Project, tags: string[]): void {
  p.extra = { ...p.extra, tags };
}

/** Keystone's tag rules: 1-255 characters without "/" or ",", at most 80 per project. */
function checkTag(tag: unknown): string {
  if (typeof tag !== 'string' || tag.length === 0 || tag.length > 255 || /[/,]/.test(tag))
    throw new ApiError(400, `Invalid input for field 'tags': '${String(tag).slice(0, 64)}' is not a valid tag.`);
  return tag;
}

function readable(ctx: Ctx, caller: Caller, action: string): Project {
  if (!caller.isAdmin && caller.token.projectId !== ctx.params.id) throw denied(action);
  return projectOr404(ctx, ctx.params.id);
}

const tagList = (ctx: Ctx, p: Project) => ({ links: { self: ctx.apiBase }, tags: [...tagsOf(p)] });

/** Whether a project passes the tag filters of GET /projects. */
export function matchesTagFilters(ctx: Ctx, p: Project): boolean {
  const tags = tagsOf(p);
  const list = (key: string) => ctx.query.get(key)?.split(',').filter(Boolean);
  const all = list('tags');
  const any = list('tags-any');
  const notAll = list('not-tags');
  const notAny = list('not-tags-any');
  return (
    (!all || all.every((t) => tags.includes(t))) &&
    (!any || any.some((t) => tags.includes(t))) &&
    !notAll?.every((t) => tags.includes(t)) &&
    !notAny?.some((t) => tags.includes(t))
  );
}

export function registerProjectTagRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/projects/{id}/tags', (ctx): Reply => {
      const project = readable(ctx, requireCaller(ctx), 'list_project_tags');
      return { status: 200, body: tagList(ctx, project) };
    })
    .add('PUT', '/projects/{id}/tags', async (ctx): Promise<Reply> => {
      requireAdmin(requireCaller(ctx), 'update_project_tags');
      const project = projectOr404(ctx, ctx.params.id);
      const tags = (await readJson(ctx)).tags;
      if (!Array.isArray(tags) || tags.length > 80) throw new ApiError(400, "Invalid input for field 'tags'.");
      setTags(project, [...new Set(tags.map(checkTag))]);
      return { status: 200, body: tagList(ctx, project) };
    })
    .add('DELETE', '/projects/{id}/tags', (ctx): Reply => {
      requireAdmin(requireCaller(ctx), 'delete_project_tags');
      setTags(projectOr404(ctx, ctx.params.id), []);
      return { status: 204 };
    })
    .add('GET', '/projects/{id}/tags/{tag}', (ctx): Reply => {
      const project = readable(ctx, requireCaller(ctx), 'get_project_tag');
      if (!tagsOf(project).includes(ctx.params.tag))
        throw new ApiError(404, `Could not find project tag: ${ctx.params.tag.slice(0, 255)}.`);
      return { status: 204 };
    })
    .add('PUT', '/projects/{id}/tags/{tag}', (ctx): Reply => {
      requireAdmin(requireCaller(ctx), 'create_project_tag');
      const project = projectOr404(ctx, ctx.params.id);
      const tag = checkTag(ctx.params.tag);
      if (!tagsOf(project).includes(tag)) {
        if (tagsOf(project).length >= 80) throw new ApiError(400, "Invalid input for field 'tags': too many tags.");
        setTags(project, [...tagsOf(project), tag]);
      }
      return { status: 201, headers: { Location: `${ctx.apiBase}/projects/${project.id}/tags/${tag}` } };
    })
    .add('DELETE', '/projects/{id}/tags/{tag}', (ctx): Reply => {
      requireAdmin(requireCaller(ctx), 'delete_project_tag');
      const project = projectOr404(ctx, ctx.params.id);
      if (!tagsOf(project).includes(ctx.params.tag))
        throw new ApiError(404, `Could not find project tag: ${ctx.params.tag.slice(0, 255)}.`);
      setTags(
        project,
        tagsOf(project).filter((t) => t !== ctx.params.tag),
      );
      return { status: 204 };
    });
}
