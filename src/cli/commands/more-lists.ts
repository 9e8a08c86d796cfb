// oaktree subnet list|show and security-group list|show (also spelled `security group ...` as in the openstack
// CLI): the list RPCs that had no command.
import type { Command } from 'commander';
import { OaktreeError, Status, type ListStream } from '../../client/index.ts';
import { action, type CliContext, withCommonOptions } from './context.ts';
import type { View } from './output.ts';
import { byPlace, securityGroupView, subnetView } from './views.ts';

/** `show`: exactly one object by name or id across the selected locations. */
async function showOne<T>(ctx: CliContext, noun: string, nameOrId: string, stream: ListStream<T>, view: View<T>) {
  const found = await stream.toArray();
  const where = [ctx.selector.cloud, ctx.selector.region].filter(Boolean).join('/') || 'any location';
  if (found.length === 0) throw new OaktreeError(Status.NOT_FOUND, `no ${noun} "${nameOrId}" in ${where}`);
  if (found.length > 1)
    throw new OaktreeError(
      Status.FAILED_PRECONDITION,
      `${found.length} ${noun}s match "${nameOrId}" in ${where}: narrow it with --cloud/--region or use the id`,
    );
  ctx.printOne(found[0]!, view);
}

function registerSubnetCommands(program: Command): void {
  const subnet = program.command('subnet').description('subnets');
  withCommonOptions(subnet.command('list').description('list subnets'))
    .option('--network <id>', 'only subnets of this network')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listSubnets(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.network ? { networkId: opts.network } : {}),
        });
        await ctx.printList(stream, subnetView, byPlace);
      }),
    );
  withCommonOptions(subnet.command('show').description('show one subnet').argument('<name-or-id>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      const stream = ctx.client.listSubnets(ctx.selector, { ...ctx.listOptions, nameOrId });
      await showOne(ctx, 'subnet', nameOrId, stream, subnetView);
    }),
  );
}

function registerSecurityGroupVerbs(group: Command): void {
  withCommonOptions(group.command('list').description('list security groups')).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listSecurityGroups(ctx.selector, ctx.listOptions), securityGroupView, byPlace);
    }),
  );
  withCommonOptions(
    group.command('show').description('show one security group and its rules').argument('<name-or-id>'),
  ).action(
    action(async (ctx, _opts, nameOrId: string) => {
      const stream = ctx.client.listSecurityGroups(ctx.selector, { ...ctx.listOptions, nameOrId });
      await showOne(ctx, 'security group', nameOrId, stream, securityGroupView);
    }),
  );
}

export function registerMoreListCommands(program: Command): void {
  registerSubnetCommands(program);
  registerSecurityGroupVerbs(program.command('security-group').description('security groups'));
  // The openstack CLI's spelling, two words; hidden so help lists each command once.
  const security = program.command('security', { hidden: true }).description('security groups');
  registerSecurityGroupVerbs(security.command('group').description('security groups'));
}
