// oaktree floating-ip ..., network list, port list|delete; the write commands come from network-writes.ts.
import type { Command } from 'commander';
import { FloatingIP } from '../../gen/oaktree/v1/network.ts';
import { action, io, withCommonOptions } from './context.ts';
import { addFloatingIpWriteCommands, addNetworkWriteCommands, addPortWriteCommands } from './network-writes.ts';
import { byPlace, floatingIpView, networkView, portView } from './views.ts';

export function registerNetworkCommands(program: Command): void {
  const fip = program.command('floating-ip').description('floating IPs');
  withCommonOptions(fip.command('list').description('list floating IPs'))
    .option('--server <id>', 'only those attached to this server')
    .option('--unattached', 'only those attached to nothing')
    .option('--floating-ip-address <ip>', 'only this address')
    .option('--network <network>', 'only those from this network (name or id)')
    .option('--port <id>', 'only the one on this port')
    .option('--project-id <id>', 'only those of this project (admin)')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listFloatingIps(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.server ? { serverId: opts.server } : {}),
          ...(opts.unattached ? { isAttached: false } : {}),
          ...(opts.floatingIpAddress ? { floatingIpAddress: opts.floatingIpAddress } : {}),
          ...(opts.network ? { network: opts.network } : {}),
          ...(opts.port ? { portId: opts.port } : {}),
          ...(opts.projectId ? { projectId: opts.projectId } : {}),
        });
        await ctx.printList(
          stream,
          floatingIpView,
          (a, b) => byPlace(a, b) || a.floatingIpAddress.localeCompare(b.floatingIpAddress),
        );
      }),
    );
  withCommonOptions(
    fip
      .command('create')
      .description('allocate a floating IP in one cloud and region, attached to --server at creation'),
  )
    .option('--network <name-or-id>', 'the external network to allocate from')
    .option('--server <name-or-id>', 'attach it to this server in the same call')
    .option('--fixed-address <ip>', "which of the server's fixed addresses")
    .option('--floating-ip-address <ip>', 'take this address (usually admin)')
    .action(
      action(async (ctx, opts) => {
        const created = await ctx.client.createFloatingIp(ctx.selector, {
          ...(opts.network ? { network: opts.network } : {}),
          ...(opts.floatingIpAddress ? { floatingIpAddress: opts.floatingIpAddress } : {}),
          ...(opts.server ? { server: opts.server } : {}),
          ...(opts.fixedAddress ? { fixedAddress: opts.fixedAddress } : {}),
        });
        ctx.printOne(created, floatingIpView);
      }),
    );
  withCommonOptions(
    fip
      .command('attach')
      .description('attach a floating IP (id or address) to a server')
      .argument('<floating-ip>')
      .argument('<server>'),
  ).action(
    action(async (ctx, _opts, floatingIp: string, server: string) => {
      ctx.printOne(await ctx.client.attachFloatingIp(floatingIp, server, ctx.selector), floatingIpView);
    }),
  );
  withCommonOptions(
    fip.command('detach').description('detach a floating IP (it stays allocated)').argument('<floating-ip>'),
  ).action(
    action(async (ctx, _opts, floatingIp: string) => {
      ctx.printOne(await ctx.client.detachFloatingIp(floatingIp, ctx.selector), floatingIpView);
    }),
  );
  withCommonOptions(
    fip.command('delete').description('release floating IPs (ids or addresses)').argument('<floating-ip...>'),
  ).action(
    action(async (ctx, _opts, ips: string[]) => {
      for (const ip of ips) {
        const deleted = await ctx.client.deleteFloatingIp(ip, ctx.selector);
        io.stdout.write(
          `deleted floating IP ${ip} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
        );
      }
    }),
  );
  withCommonOptions(
    fip
      .command('delete-unattached')
      .description('release every floating IP of the project that is attached to nothing'),
  ).action(
    action(async (ctx) => {
      const result = await ctx.client.deleteUnattachedFloatingIps(ctx.selector);
      if (ctx.flags.format === 'table') {
        io.stdout.write(
          `deleted ${result.deleted.length} unattached floating IPs in ${result.location?.cloud}/${result.location?.region}\n`,
        );
        for (const f of result.deleted) io.stdout.write(`  ${f.floatingIpAddress} (${f.id})\n`);
      } else ctx.printObjects(result.deleted, { ...floatingIpView, toJSON: (f: FloatingIP) => FloatingIP.toJSON(f) });
    }),
  );
  addFloatingIpWriteCommands(fip);

  const network = program.command('network').description('networks');
  withCommonOptions(network.command('list').description('list networks'))
    .option('--external', 'only external networks (where floating IPs come from)')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listNetworks(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.external ? { isExternal: true } : {}),
        });
        await ctx.printList(stream, networkView, byPlace);
      }),
    );
  addNetworkWriteCommands(network);

  const port = program.command('port').description('ports');
  withCommonOptions(port.command('list').description('list ports'))
    .option('--network <id>', 'only ports on this network')
    .option('--device <id>', 'only ports of this device (a server id)')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listPorts(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.network ? { networkId: opts.network } : {}),
          ...(opts.device ? { deviceId: opts.device } : {}),
        });
        await ctx.printList(stream, portView, byPlace);
      }),
    );
  withCommonOptions(
    port.command('delete').description('delete ports by id in one cloud and region').argument('<id...>'),
  ).action(
    action(async (ctx, _opts, ids: string[]) => {
      for (const id of ids) {
        const deleted = await ctx.client.deletePort(id, ctx.selector);
        io.stdout.write(`deleted port ${id} in ${deleted.location?.cloud}/${deleted.location?.region}\n`);
      }
    }),
  );
  addPortWriteCommands(port);
}
