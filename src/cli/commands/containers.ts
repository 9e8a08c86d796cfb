// oaktree container list|show|create|delete.
import type { Command } from 'commander';
import { action, io, keyValue, withCommonOptions } from './context.ts';
import { containerView } from './object-views.ts';
import { byPlace } from './views.ts';

export function registerContainerCommands(program: Command): void {
  const container = program.command('container').description('object-store containers in every cloud and region');

  withCommonOptions(container.command('list').description('list containers with their object counts and bytes'))
    .option('--prefix <prefix>', 'only containers whose name starts with this')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listContainers(ctx.selector, { ...ctx.listOptions, prefix: opts.prefix ?? '' });
        await ctx.printList(stream, containerView, byPlace);
      }),
    );

  withCommonOptions(container.command('show').description('show one container').argument('<name>')).action(
    action(async (ctx, _opts, name: string) => {
      ctx.printOne(await ctx.client.getContainer(name, ctx.selector), containerView);
    }),
  );

  withCommonOptions(
    container.command('create').description('create a container in one cloud and region').argument('<name>'),
  )
    .option('--public', 'anyone may read and list its objects without a token')
    .option('--read-acl <acl>', "a read ACL in Swift's syntax")
    .option('--write-acl <acl>', "a write ACL in Swift's syntax")
    .option('--property <key=value>', 'metadata (repeatable)', keyValue)
    .action(
      action(async (ctx, opts, name: string) => {
        const created = await ctx.client.createContainer(name, ctx.selector, {
          publicRead: Boolean(opts.public),
          ...(opts.readAcl ? { readAcl: opts.readAcl } : {}),
          ...(opts.writeAcl ? { writeAcl: opts.writeAcl } : {}),
          metadata: opts.property ?? {},
        });
        ctx.printOne(created, containerView);
      }),
    );

  withCommonOptions(container.command('delete').description('delete containers').argument('<name...>'))
    .option('--recursive', 'delete the objects in it first (reports progress)')
    .action(
      action(async (ctx, opts, names: string[]) => {
        for (const name of names) {
          const done = await ctx.client.deleteContainer(name, ctx.selector, {
            emptyFirst: Boolean(opts.recursive),
            onProgress: (p) => ctx.progress(`deleting ${name}: ${p.objectsDeleted} objects deleted`),
          });
          ctx.endProgress();
          io.stdout.write(
            `deleted container ${name}${done.objectsDeleted ? ` and ${done.objectsDeleted} objects` : ''} in ${done.location?.cloud}/${done.location?.region}\n`,
          );
        }
      }),
    );
}
