// oaktree router create|set|unset|delete|list|show|add subnet|add port|remove subnet|remove port, in the openstack
// CLI's style; `router create --subnet` also adds interfaces in the same call (undone as a whole when one fails).
import type { Command } from 'commander';
import { action, io, repeatable, withCommonOptions } from './context.ts';
import { given, pairs, toggle } from './network-options.ts';
import { routerView } from './network-views.ts';
import { byPlace } from './views.ts';

const fixedIp = pairs(['subnet', 'ip-address']);

function gatewayFlags(command: Command): Command {
  return command
    .option('--description <text>')
    .option('--enable', 'administratively up')
    .option('--disable', 'administratively down')
    .option('--external-gateway <network>', 'the external network for the gateway')
    .option('--enable-snat', 'source NAT on (admin)')
    .option('--disable-snat', 'source NAT off (admin)')
    .option('--fixed-ip <subnet=s,ip-address=a>', 'a gateway address (admin, repeatable)', fixedIp);
}

function routerSettings(opts: any) {
  const gateway = opts.externalGateway
    ? {
        network: opts.externalGateway,
        ...given('isSnatEnabled', toggle(opts.enableSnat, opts.disableSnat, '--enable-snat/--disable-snat')),
        externalFixedIps: (opts.fixedIp ?? []).map((f: Record<string, string>) => ({
          subnet: f.subnet ?? '',
          ipAddress: f['ip-address'] ?? '',
        })),
      }
    : undefined;
  return {
    ...given('description', opts.description),
    ...given('isAdminStateUp', toggle(opts.enable, opts.disable, '--enable/--disable')),
    ...given('externalGateway', gateway),
  };
}

export function registerRouterCommands(program: Command): void {
  const router = program.command('router').description('routers');
  withCommonOptions(router.command('list').description('list routers with their gateways and interfaces')).action(
    action(async (ctx) => ctx.printList(ctx.client.listRouters(ctx.selector, ctx.listOptions), routerView, byPlace)),
  );
  withCommonOptions(router.command('show').description('show a router').argument('<router>')).action(
    action(async (ctx, _opts, nameOrId: string) =>
      ctx.printOne(await ctx.client.getRouter(nameOrId, ctx.selector), routerView),
    ),
  );
  withCommonOptions(gatewayFlags(router.command('create').description('create a router').argument('<name>')))
    .option('--subnet <subnet>', 'add an interface on this subnet (repeatable)', repeatable)
    .action(
      action(async (ctx, opts, name: string) => {
        const interfaces = (opts.subnet ?? []).map((subnet: string) => ({ subnet, port: '' }));
        const created = await ctx.client.createRouter(ctx.selector, { name, ...routerSettings(opts), interfaces });
        ctx.printOne(created, routerView);
      }),
    );
  withCommonOptions(gatewayFlags(router.command('set').description('change a router').argument('<router>')))
    .option('--name <name>', 'a new name')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const changes = { ...given('name', opts.name), ...routerSettings(opts) };
        ctx.printOne(await ctx.client.updateRouter(nameOrId, changes, ctx.selector), routerView);
      }),
    );
  withCommonOptions(router.command('unset').description("remove a router's gateway").argument('<router>'))
    .requiredOption('--external-gateway', 'remove the external gateway')
    .action(
      action(async (ctx, _opts, nameOrId: string) => {
        const changes = { removeExternalGateway: true };
        ctx.printOne(await ctx.client.updateRouter(nameOrId, changes, ctx.selector), routerView);
      }),
    );
  withCommonOptions(router.command('delete').description('delete routers').argument('<router...>')).action(
    action(async (ctx, _opts, names: string[]) => {
      for (const nameOrId of names) {
        const gone = await ctx.client.deleteRouter(nameOrId, ctx.selector);
        io.stdout.write(`deleted router ${gone.id} in ${gone.location?.cloud}/${gone.location?.region}\n`);
      }
    }),
  );
  for (const verb of ['add', 'remove'] as const) {
    const group = router.command(verb).description(`${verb} a router interface`);
    for (const kind of ['subnet', 'port'] as const) {
      withCommonOptions(
        group
          .command(kind)
          .description(`${verb} the router's interface on a ${kind}`)
          .argument('<router>')
          .argument(`<${kind}>`),
      ).action(
        action(async (ctx, _opts, nameOrId: string, target: string) => {
          const on = kind === 'subnet' ? { subnet: target } : { port: target };
          const changed =
            verb === 'add'
              ? await ctx.client.addRouterInterface(nameOrId, on, ctx.selector)
              : await ctx.client.removeRouterInterface(nameOrId, on, ctx.selector);
          ctx.printOne(changed, routerView);
        }),
      );
    }
  }
}
