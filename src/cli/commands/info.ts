// oaktree location list, route list, zone list, limits, capabilities: what the node reaches and what it can do.
import type { Command } from 'commander';
import { action, withCommonOptions } from './context.ts';
import { byPlace, capabilitiesView, limitsView, locationView, routeView, zoneView } from './views.ts';

const byCloudRegion = (a: { cloud: string; region: string }, b: typeof a) =>
  `${a.cloud}\0${a.region}`.localeCompare(`${b.cloud}\0${b.region}`);

export function registerInfoCommands(program: Command): void {
  const location = program.command('location').description('the clouds, regions and projects the node reaches');
  withCommonOptions(location.command('list').description('list locations')).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listLocations(ctx.selector, ctx.listOptions), locationView, byCloudRegion);
    }),
  );

  const route = program.command('route').description("the node's routing table (mesh)");
  withCommonOptions(
    route.command('list').description('list routes: how each location is reached, hops and path'),
  ).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listRoutes(ctx.selector, ctx.listOptions), routeView, (a, b) =>
        byCloudRegion(a.location!, b.location!),
      );
    }),
  );

  const zone = program.command('zone').description('availability zones');
  withCommonOptions(zone.command('list').description('list availability zones')).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listAvailabilityZones(ctx.selector, ctx.listOptions), zoneView, byPlace);
    }),
  );

  withCommonOptions(program.command('limits').description('quotas and usage of every location'))
    .option('--fresh', "ask the clouds, not oaktree's cache")
    .action(
      action(async (ctx, opts) => {
        await ctx.printList(
          ctx.client.listLimits(ctx.selector, { ...ctx.listOptions, fresh: Boolean(opts.fresh) }),
          limitsView,
          byPlace,
        );
      }),
    );

  withCommonOptions(
    program.command('capabilities').description('what every location supports (image formats, floating IPs ...)'),
  )
    .option('--fresh', "ask the clouds, not oaktree's cache")
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listCapabilities(ctx.selector, { ...ctx.listOptions, fresh: Boolean(opts.fresh) });
        await ctx.printList(stream, capabilitiesView, byPlace);
      }),
    );
}
