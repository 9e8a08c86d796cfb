// oaktree volume list|show|create|set|attach|detach|delete|wait|types, in the style of the openstack CLI. A --wait
// stopped by Ctrl-C or --timeout says what exists and how to go on (volume-waits.ts).
import { type Command, Option } from 'commander';
import { VolumeStatus } from '../../client/index.ts';
import { action, io, keyValue, withCommonOptions } from './context.ts';
import { GIB_SIZE, numberOption } from './numbers.ts';
import { byPlace, volumeView } from './views.ts';
import { volumeTypeView } from './storage-views.ts';
import { registerVolumeSet } from './volume-set.ts';
import { lookFinishCleanUp, volumeWait } from './volume-waits.ts';

/** The states `volume wait --until` takes. */
const UNTIL = {
  available: VolumeStatus.VOLUME_STATUS_AVAILABLE,
  'in-use': VolumeStatus.VOLUME_STATUS_IN_USE,
  deleted: VolumeStatus.VOLUME_STATUS_UNSPECIFIED,
} as const;

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
        const plan = {
          kind: 'volume' as const,
          doing: `creating volume ${name}`,
          nameOrId: name,
          until: ['available'],
          steps: lookFinishCleanUp('volume', { until: 'available', cleanUp: true }),
        };
        const created = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
          ctx.client.createVolume(
            {
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
            },
            { signal },
          ),
        );
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
        const plan = {
          kind: 'volume' as const,
          doing: `attaching volume ${name} to server ${server}`,
          nameOrId: name,
          until: ['in-use'],
          steps: (id: string, place: string): Array<[string, string]> => [
            ...lookFinishCleanUp('volume', { until: 'in-use' })(id, place),
            ['undo', `oaktree volume detach ${[id, server, place].filter(Boolean).join(' ')}`],
          ],
        };
        const attached = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
          ctx.client.attachVolume(name, server, ctx.selector, {
            signal,
            ...(opts.device ? { device: opts.device } : {}),
            wait: Boolean(opts.wait),
          }),
        );
        ctx.printOne(attached, volumeView);
      }),
    );
  withCommonOptions(
    volume.command('detach').description('detach a volume from a server').argument('<volume>').argument('<server>'),
  )
    .option('--wait', 'return once it is available again')
    .action(
      action(async (ctx, opts, name: string, server: string) => {
        const plan = {
          kind: 'volume' as const,
          doing: `detaching volume ${name} from server ${server}`,
          nameOrId: name,
          until: ['available'],
          steps: lookFinishCleanUp('volume', { until: 'available' }),
        };
        const detached = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
          ctx.client.detachVolume(name, server, ctx.selector, { signal, wait: Boolean(opts.wait) }),
        );
        ctx.printOne(detached, volumeView);
      }),
    );
  withCommonOptions(
    volume.command('delete').description('delete volumes in one cloud and region').argument('<name-or-id...>'),
  )
    .option('--wait', 'return once the cloud no longer lists them')
    .action(
      action(async (ctx, opts, names: string[]) => {
        for (const nameOrId of names) {
          const plan = {
            kind: 'volume' as const,
            doing: `deleting volume ${nameOrId}`,
            nameOrId,
            until: [],
            steps: lookFinishCleanUp('volume', { until: 'deleted' }),
          };
          const deleted = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
            ctx.client.deleteVolume(nameOrId, ctx.selector, { signal, wait: Boolean(opts.wait) }),
          );
          io.stdout.write(
            `deleted volume ${nameOrId} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
          );
        }
      }),
    );

  withCommonOptions(
    volume
      .command('wait')
      .description('wait until a volume is available or in use (or --until), e.g. to finish an interrupted --wait')
      .argument('<name-or-id>'),
  )
    .addOption(
      new Option('--until <state>', 'the state to wait for (default: available or in-use)').choices(Object.keys(UNTIL)),
    )
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const until: keyof typeof UNTIL | undefined = opts.until;
        const plan = {
          kind: 'volume' as const,
          doing: `waiting for volume ${nameOrId}`,
          nameOrId,
          until: until === 'deleted' ? [] : until ? [until] : ['available', 'in-use'],
          steps: lookFinishCleanUp('volume', { until: until ?? 'any' }),
        };
        const volume = await volumeWait(ctx, true, plan, (signal) =>
          ctx.client.waitForVolume(nameOrId, ctx.selector, {
            signal,
            until: until && until !== 'deleted' ? [UNTIL[until]] : [],
            untilDeleted: until === 'deleted',
            onProgress: (v) => ctx.progress(`${v.name || v.id}: ${v.cloudStatus}`),
          }),
        );
        ctx.endProgress();
        if (until === 'deleted' && ctx.flags.format === 'table')
          io.stdout.write(`volume ${nameOrId} (${volume.id}) is gone\n`);
        else ctx.printOne(volume, volumeView);
      }),
    );
}
