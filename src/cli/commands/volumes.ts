// oaktree volume list|show|create|set|attach|detach|delete|types, in the style of the openstack CLI.
import type { Command } from 'commander';
import { action, io, keyValue, withCommonOptions } from './context.ts';
import { GIB_SIZE, numberOption } from './numbers.ts';
import { byPlace, volumeView } from './views.ts';
import { volumeTypeView } from './storage-views.ts';
import { registerVolumeSet } from './volume-set.ts';

export function registerVolumeCommands(program: Command): void {
  const volume = program.command('volume').description('block storage volumes');
  withCommonOptions(volume.command('list').description('list volumes')).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listVolumes(ctx.selector, ctx.listOptions), volumeView, byPlace);
    }),
  );
  withCommonOptions(volume.command('create').description('create a volume in one cloud and region').argument('<name>'))
    .option('--size <GiB>', 'size in GiB (default: the source snapshot, volume or image)', numberOption(GIB_SIZE))
    .option('--type <type>', 'the volume type')
    .option('--image <name-or-id>', 'make it from this image')
    .option('--snapshot <name-or-id>', 'make it from this snapshot')
    .option('--source <name-or-id>', 'make it as a copy of this volume')
    .option('--availability-zone <zone>', 'the availability zone')
    .option('--description <text>', 'a description')
    .option('--meta <key=value>', 'metadata (repeatable)', keyValue)
    .option('--wait', 'return once it is available')
    .action(
      action(async (ctx, opts, name: string) => {
        const created = await ctx.client.createVolume({
          location: ctx.selector,
          name,
          sizeGb: opts.size ?? 0,
          ...(opts.type ? { volumeType: opts.type } : {}),
          ...(opts.image ? { image: opts.image } : {}),
          ...(opts.snapshot ? { snapshot: opts.snapshot } : {}),
          ...(opts.source ? { sourceVolume: opts.source } : {}),
          ...(opts.availabilityZone ? { availabilityZone: opts.availabilityZone } : {}),
          ...(opts.description ? { description: opts.description } : {}),
          metadata: opts.meta ?? {},
          wait: Boolean(opts.wait),
        });
        ctx.printOne(created, volumeView);
      }),
    );
  withCommonOptions(volume.command('show').description('show one volume').argument('<name-or-id>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      ctx.printOne(await ctx.client.getVolume(nameOrId, ctx.selector), volumeView);
    }),
  );
  registerVolumeSet(volume);
  withCommonOptions(volume.command('types').description('list the volume types each location offers')).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listVolumeTypes(ctx.selector, ctx.listOptions), volumeTypeView, byPlace);
    }),
  );
  withCommonOptions(
    volume.command('attach').description('attach a volume to a server').argument('<volume>').argument('<server>'),
  )
    .option('--device <name>', 'the device name to ask for')
    .option('--wait', 'return once it is in use')
    .action(
      action(async (ctx, opts, name: string, server: string) => {
        const attached = await ctx.client.attachVolume(name, server, ctx.selector, {
          ...(opts.device ? { device: opts.device } : {}),
          wait: Boolean(opts.wait),
        });
        ctx.printOne(attached, volumeView);
      }),
    );
  withCommonOptions(
    volume.command('detach').description('detach a volume from a server').argument('<volume>').argument('<server>'),
  )
    .option('--wait', 'return once it is available again')
    .action(
      action(async (ctx, opts, name: string, server: string) => {
        ctx.printOne(
          await ctx.client.detachVolume(name, server, ctx.selector, { wait: Boolean(opts.wait) }),
          volumeView,
        );
      }),
    );
  withCommonOptions(
    volume.command('delete').description('delete volumes in one cloud and region').argument('<name-or-id...>'),
  )
    .option('--wait', 'return once the cloud no longer lists them')
    .action(
      action(async (ctx, opts, names: string[]) => {
        for (const nameOrId of names) {
          const deleted = await ctx.client.deleteVolume(nameOrId, ctx.selector, { wait: Boolean(opts.wait) });
          io.stdout.write(
            `deleted volume ${nameOrId} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
          );
        }
      }),
    );
}
