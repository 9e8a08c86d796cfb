// oaktree project list, oaktree whoami: what each location's credential can see and who it is.
import type { Command } from 'commander';
import { action, withCommonOptions } from './context.ts';
import { callerView, projectView } from './storage-views.ts';
import { byPlace, byRegion } from './views.ts';

export function registerIdentityCommands(program: Command): void {
  const project = program.command('project').description("the projects each location's credential can see");
  withCommonOptions(project.command('list').description('list projects'))
    .option('--name <name-or-id>', 'only projects with this name or id')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listProjects(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.name ? { nameOrId: opts.name } : {}),
        });
        await ctx.printList(stream, projectView, byPlace);
      }),
    );
  withCommonOptions(
    program.command('whoami').description("who each location's credential is: user, project, roles"),
  ).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.whoAmI(ctx.selector, ctx.listOptions), callerView, byRegion);
    }),
  );
}
