// oaktree volume-snapshot list|show|create|set|delete and oaktree volume-backup list|show|create|restore|delete.
// A --wait stopped by Ctrl-C or --timeout says what exists and how to go on (volume-waits.ts).
import type { Command } from 'commander';
import { action, io, keyValue, withCommonOptions } from './context.ts';
import { backupView, snapshotView } from './storage-views.ts';
import { byPlace, volumeView } from './views.ts';
import { lookFinishCleanUp, volumeWait } from './volume-waits.ts';

export function registerVolumeSnapshotCommands(program: Command): void {
  const snapshot = program.command('volume-snapshot').description('volume snapshots');
  withCommonOptions(snapshot.command('list').description('list snapshots'))
    .option('--volume <id>', "only this volume's snapshots")
    .option('--name <name-or-id>', 'only snapshots with this name or id')
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listVolumeSnapshots(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.volume ? { volumeId: opts.volume } : {}),
          ...(opts.name ? { nameOrId: opts.name } : {}),
        });
        await ctx.printList(stream, snapshotView, byPlace);
      }),
    );
  withCommonOptions(snapshot.command('show').description('show one snapshot').argument('<name-or-id>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      ctx.printOne(await ctx.client.getVolumeSnapshot(nameOrId, ctx.selector), snapshotView);
    }),
  );
  withCommonOptions(snapshot.command('create').description('snapshot a volume').argument('<name>'))
    .requiredOption('--volume <name-or-id>', 'the volume to snapshot')
    .option('--description <text>', 'a description')
    .option('--property <key=value>', 'metadata (repeatable)', keyValue)
    .option('--force', 'snapshot a volume that is in use')
    .option('--wait', 'return once it is available')
    .action(
      action(async (ctx, opts, name: string) => {
        const plan = {
          kind: 'snapshot' as const,
          doing: `snapshotting volume ${opts.volume} as ${name}`,
          nameOrId: name,
          until: ['available'],
          steps: lookFinishCleanUp('snapshot', { cleanUp: true }),
        };
        const created = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
          ctx.client.createVolumeSnapshot(
            {
              location: ctx.selector,
              volume: opts.volume,
              name,
              description: opts.description ?? '',
              metadata: opts.property ?? {},
              force: Boolean(opts.force),
              wait: Boolean(opts.wait),
            },
            { signal },
          ),
        );
        ctx.printOne(created, snapshotView);
      }),
    );
  withCommonOptions(snapshot.command('set').description('change a snapshot').argument('<name-or-id>'))
    .option('--name <name>', 'a new name')
    .option('--description <text>', 'a new description')
    .option('--property <key=value>', 'set a metadata key (repeatable)', keyValue)
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        const changed = await ctx.client.updateVolumeSnapshot(nameOrId, ctx.selector, {
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
          metadata: opts.property ?? {},
        });
        ctx.printOne(changed, snapshotView);
      }),
    );
  withCommonOptions(snapshot.command('delete').description('delete snapshots').argument('<name-or-id...>'))
    .option('--force', 'delete whatever their status (admins)')
    .option('--wait', 'return once the cloud no longer lists them')
    .action(
      action(async (ctx, opts, names: string[]) => {
        for (const nameOrId of names) {
          const plan = {
            kind: 'snapshot' as const,
            doing: `deleting snapshot ${nameOrId}`,
            nameOrId,
            until: [],
            steps: lookFinishCleanUp('snapshot'),
          };
          const deleted = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
            ctx.client.deleteVolumeSnapshot(nameOrId, ctx.selector, {
              signal,
              force: Boolean(opts.force),
              wait: Boolean(opts.wait),
            }),
          );
          io.stdout.write(
            `deleted snapshot ${nameOrId} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
          );
        }
      }),
    );

  const backup = program.command('volume-backup').description('volume backups (where the cloud has a backup service)');
  withCommonOptions(backup.command('list').description('list backups'))
    .option('--volume <id>', "only this volume's backups")
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listVolumeBackups(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.volume ? { volumeId: opts.volume } : {}),
        });
        await ctx.printList(stream, backupView, byPlace);
      }),
    );
  withCommonOptions(backup.command('show').description('show one backup').argument('<name-or-id>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      ctx.printOne(await ctx.client.getVolumeBackup(nameOrId, ctx.selector), backupView);
    }),
  );
  withCommonOptions(backup.command('create').description('back a volume up').argument('<name>'))
    .requiredOption('--volume <name-or-id>', 'the volume to back up')
    .option('--description <text>', 'a description')
    .option('--snapshot <name-or-id>', 'back up this snapshot of the volume')
    .option('--incremental', 'only the changes since the last backup')
    .option('--force', 'back up a volume that is in use')
    .option('--wait', 'return once it is available')
    .action(
      action(async (ctx, opts, name: string) => {
        const plan = {
          kind: 'backup' as const,
          doing: `backing volume ${opts.volume} up as ${name}`,
          nameOrId: name,
          until: ['available'],
          steps: lookFinishCleanUp('backup', { cleanUp: true }),
        };
        const created = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
          ctx.client.createVolumeBackup(
            {
              location: ctx.selector,
              volume: opts.volume,
              name,
              description: opts.description ?? '',
              snapshot: opts.snapshot ?? '',
              incremental: Boolean(opts.incremental),
              force: Boolean(opts.force),
              wait: Boolean(opts.wait),
            },
            { signal },
          ),
        );
        ctx.printOne(created, backupView);
      }),
    );
  withCommonOptions(backup.command('restore').description('restore a backup').argument('<name-or-id>'))
    .option('--volume <name-or-id>', 'restore over this volume (default: a new one)')
    .option('--name <name>', "the new volume's name")
    .option('--wait', 'return once the volume is available')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        // The backup is what is known before the node answers; it is "restoring" until the volume is done.
        const plan = {
          kind: 'backup' as const,
          doing: `restoring backup ${nameOrId}`,
          nameOrId,
          until: ['available'],
          steps: (id: string, place: string): Array<[string, string]> => [
            ...lookFinishCleanUp('backup')(id, place),
            ['look', `oaktree volume list ${place}`.trim()],
          ],
        };
        const volume = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
          ctx.client.restoreVolumeBackup(nameOrId, ctx.selector, {
            signal,
            ...(opts.volume ? { volume: opts.volume } : {}),
            ...(opts.name ? { name: opts.name } : {}),
            wait: Boolean(opts.wait),
          }),
        );
        ctx.printOne(volume, volumeView);
      }),
    );
  withCommonOptions(backup.command('delete').description('delete backups').argument('<name-or-id...>'))
    .option('--force', 'delete whatever their status')
    .option('--wait', 'return once the cloud no longer lists them')
    .action(
      action(async (ctx, opts, names: string[]) => {
        for (const nameOrId of names) {
          const plan = {
            kind: 'backup' as const,
            doing: `deleting backup ${nameOrId}`,
            nameOrId,
            until: [],
            steps: lookFinishCleanUp('backup'),
          };
          const deleted = await volumeWait(ctx, Boolean(opts.wait), plan, (signal) =>
            ctx.client.deleteVolumeBackup(nameOrId, ctx.selector, {
              signal,
              force: Boolean(opts.force),
              wait: Boolean(opts.wait),
            }),
          );
          io.stdout.write(
            `deleted backup ${nameOrId} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
          );
        }
      }),
    );
}
