// oaktree volume set: name, description, properties, bootable, read-only, size (extend) and type (retype), as
// `openstack volume set` takes them; each change is one call, in that order.
import type { Command } from 'commander';
import { action, keyValue, repeatable, withCommonOptions } from './context.ts';
import { GIB_SIZE, numberOption } from './numbers.ts';
import { volumeView } from './views.ts';
import { lookFinishCleanUp, volumeWait } from './volume-waits.ts';

export function registerVolumeSet(volume: Command): void {
  withCommonOptions(volume.command('set').description('change a volume').argument('<name-or-id>'))
    .option('--name <name>', 'a new name')
    .option('--description <text>', 'a new description')
    .option('--property <key=value>', 'set a metadata key (repeatable)', keyValue)
    .option('--unset-property <key>', 'remove a metadata key (repeatable)', repeatable)
    .option('--bootable', 'mark it bootable')
    .option('--non-bootable', 'mark it not bootable')
    .option('--read-only', 'make it read-only')
    .option('--read-write', 'make it writable')
    .option('--size <GiB>', 'extend it to this size', numberOption(GIB_SIZE))
    .option('--type <type>', 'change its volume type')
    .option('--retype-policy <policy>', 'never (default) or on-demand: may the cloud migrate the data', 'never')
    .option('--wait', 'return once an extend or retype has finished')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const flag = (on: unknown, off: unknown) => (on ? true : off ? false : undefined);
        let volume = await ctx.client.updateVolume(nameOrId, ctx.selector, {
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
          metadata: opts.property ?? {},
          removeMetadata: opts.unsetProperty ?? [],
          isBootable: flag(opts.bootable, opts.nonBootable),
          isReadOnly: flag(opts.readOnly, opts.readWrite),
        });
        const wait = Boolean(opts.wait);
        const plan = (doing: string) => ({
          kind: 'volume' as const,
          doing,
          nameOrId: volume.id,
          until: ['available', 'in-use'],
          steps: lookFinishCleanUp('volume', { until: 'any' }),
        });
        if (opts.size)
          volume = await volumeWait(ctx, wait, plan(`extending volume ${nameOrId} to ${opts.size} GiB`), (signal) =>
            ctx.client.extendVolume(volume.id, opts.size, ctx.selector, { signal, wait }),
          );
        if (opts.type) {
          const allowMigration = opts.retypePolicy === 'on-demand';
          volume = await volumeWait(ctx, wait, plan(`retyping volume ${nameOrId} to ${opts.type}`), (signal) =>
            ctx.client.retypeVolume(volume.id, opts.type, ctx.selector, { signal, allowMigration, wait }),
          );
        }
        ctx.printOne(volume, volumeView);
      }),
    );
}
