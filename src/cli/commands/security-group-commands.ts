// oaktree security-group create|set|delete|list|show and security-group-rule create|delete|list, in the openstack
// CLI's style (--ingress/--egress, --protocol, --dst-port 22 or 8000:8080, --remote-ip or --remote-group).
import type { Command } from 'commander';
import { SecurityGroupRule, SecurityGroupRuleDirection } from '../../gen/oaktree/v1/network.ts';
import { action, io, withCommonOptions } from './context.ts';
import { given, portRange, toggle } from './network-options.ts';
import { ruleView, securityGroupView } from './network-views.ts';
import { byPlace } from './views.ts';

export function registerSecurityGroupCommands(program: Command): void {
  const group = program.command('security-group').description('security groups');
  withCommonOptions(group.command('list').description('list security groups')).action(
    action(async (ctx) =>
      ctx.printList(ctx.client.listSecurityGroups(ctx.selector, ctx.listOptions), securityGroupView, byPlace),
    ),
  );
  withCommonOptions(
    group.command('show').description('show a security group with its rules').argument('<group>'),
  ).action(
    action(async (ctx, _opts, nameOrId: string) =>
      ctx.printOne(await ctx.client.getSecurityGroup(nameOrId, ctx.selector), securityGroupView),
    ),
  );
  withCommonOptions(group.command('create').description('create a security group').argument('<name>'))
    .option('--description <text>')
    .action(
      action(async (ctx, opts, name: string) => {
        const created = await ctx.client.createSecurityGroup(ctx.selector, {
          name,
          ...given('description', opts.description),
        });
        ctx.printOne(created, securityGroupView);
      }),
    );
  withCommonOptions(group.command('set').description('change a security group').argument('<group>'))
    .option('--name <name>', 'a new name')
    .option('--description <text>')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const changes = { ...given('name', opts.name), ...given('description', opts.description) };
        ctx.printOne(await ctx.client.updateSecurityGroup(nameOrId, changes, ctx.selector), securityGroupView);
      }),
    );
  withCommonOptions(group.command('delete').description('delete security groups').argument('<group...>')).action(
    action(async (ctx, _opts, names: string[]) => {
      for (const nameOrId of names) {
        const gone = await ctx.client.deleteSecurityGroup(nameOrId, ctx.selector);
        io.stdout.write(`deleted security group ${gone.id} in ${gone.location?.cloud}/${gone.location?.region}\n`);
      }
    }),
  );

  const rule = program.command('security-group-rule').description('security group rules');
  withCommonOptions(rule.command('list').description('list rules, of one group or all').argument('[group]')).action(
    action(async (ctx, _opts, nameOrId?: string) => {
      const groups = await ctx.client
        .listSecurityGroups(ctx.selector, { ...ctx.listOptions, ...given('nameOrId', nameOrId) })
        .toArray();
      ctx.printObjects(
        groups.flatMap((g) => g.rules.map((r) => ({ group: g, rule: r }))),
        ruleView,
      );
    }),
  );
  withCommonOptions(rule.command('create').description('add a rule to a security group').argument('<group>'))
    .option('--ingress', 'incoming traffic (the default)')
    .option('--egress', 'outgoing traffic')
    .option('--ethertype <IPv4|IPv6>', 'the address family')
    .option('--protocol <name>', 'tcp, udp, icmp, a number ...; default any')
    .option('--dst-port <port[:port]>', 'a port or a range', portRange)
    .option('--remote-ip <cidr>', 'the remote CIDR')
    .option('--remote-group <group>', 'the remote security group, by name or id')
    .option('--description <text>')
    .action(
      action(async (ctx, opts, groupName: string) => {
        const egress = toggle(opts.egress, opts.ingress, '--egress/--ingress');
        const created = await ctx.client.createSecurityGroupRule(
          groupName,
          {
            direction: egress
              ? SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_EGRESS
              : SecurityGroupRuleDirection.SECURITY_GROUP_RULE_DIRECTION_INGRESS,
            ...given('ethertype', opts.ethertype),
            ...given('protocol', opts.protocol),
            ...(opts.dstPort ?? {}),
            ...given('remoteIpPrefix', opts.remoteIp),
            ...given('remoteGroup', opts.remoteGroup),
            ...given('description', opts.description),
          },
          ctx.selector,
        );
        ctx.printOne(created, { toJSON: (r) => SecurityGroupRule.toJSON(r) });
      }),
    );
  withCommonOptions(rule.command('delete').description('delete rules by id').argument('<rule-id...>')).action(
    action(async (ctx, _opts, ids: string[]) => {
      for (const id of ids) {
        const gone = await ctx.client.deleteSecurityGroupRule(id, ctx.selector);
        io.stdout.write(`deleted security group rule ${id} in ${gone.location?.cloud}/${gone.location?.region}\n`);
      }
    }),
  );
}
