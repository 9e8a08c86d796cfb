// oaktree server reboot|stop|start|pause|unpause|suspend|resume|lock|unlock|rescue|unrescue|shelve|shelve-offload|
// unshelve|rebuild|resize|snapshot|set: server actions on one cloud and region, with --wait streaming progress. A
// --wait stopped by Ctrl-C or --timeout says where the server (or image) stands and how to pick the action up again.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import {
  serverStatusName,
  type Image,
  type Server,
  type ServerActionSpec,
  type ServerActionStageName,
} from '../../client/index.ts';
import { action, type CliContext, keyValue, UsageError, withCommonOptions } from './context.ts';
import { imageView, serverView } from './views.ts';
import { explainedWait, placeFlags, type StopReason, stoppedWait, type WaitedObject } from './interrupted-wait.ts';
import { addServerSetOptions, setPropertiesAndTags, setsPropertiesOrTags } from './server-config.ts';

/** Actions that take nothing but the server: the command name and what it does, for --help. */
const PLAIN: ReadonlyArray<[ServerActionSpec['action'], string]> = [
  ['stop', 'stop (power off) a server'],
  ['start', 'start a stopped server'],
  ['pause', 'pause a server in memory'],
  ['unpause', 'unpause a paused server'],
  ['suspend', 'suspend a server to disk'],
  ['resume', 'resume a suspended server'],
  ['unlock', 'unlock a locked server'],
  ['unrescue', 'leave rescue mode'],
  ['shelve', 'shelve a server (frees its host resources once offloaded)'],
  ['shelve-offload', 'offload a shelved server from its host'],
];

function withActionOptions(command: Command): Command {
  return withCommonOptions(command)
    .option('--wait', 'wait until the cloud has finished the action (progress on stderr)')
    .option('--request-id <id>', 'idempotency key: retrying with the same id runs the action once');
}

/** How a stopped action wait names what it was doing, and the last the node reported of it. */
interface ActionWait {
  doing: string;
  nameOrId: string;
  requestId: string;
  /** The latest server (or, for a snapshot, image) the node reported. */
  last?: WaitedObject;
  look?: (id: string, place: string) => [string, string];
}

const serverState = (s: Server): WaitedObject => ({
  kind: 'server',
  name: s.name,
  id: s.id,
  location: s.location,
  status: serverStatusName(s.status) + (s.properties.task_state ? ` (task ${s.properties.task_state})` : ''),
});

/**
 * Runs an action call; with `wait`, Ctrl-C or the deadline ends it with where it stands and how to pick it up:
 * the same command with the same request id continues the wait and never runs the action twice.
 */
function actionWait<T>(ctx: CliContext, wait: boolean, state: ActionWait, run: (signal?: AbortSignal) => Promise<T>) {
  if (!wait) return run();
  return explainedWait(run, (why: StopReason) => {
    const last = state.last;
    const place = placeFlags(last?.location ?? ctx.selector);
    const id = last?.id ?? state.nameOrId;
    return stoppedWait(why, {
      doing: state.doing,
      found: last ?? `the node had not reported ${state.nameOrId} yet; it may still go on in the cloud`,
      notDone: 'not finished yet',
      steps: [
        state.look?.(id, place) ?? ['follow', `oaktree watch servers --server ${id} ${place}`.trim()],
        [
          'finish',
          `repeat the same command with --request-id ${state.requestId} --wait (it picks this up, never runs it twice)`,
        ],
      ],
    });
  });
}

async function run(ctx: CliContext, opts: Record<string, any>, nameOrId: string, spec: ServerActionSpec) {
  const wait = Boolean(opts.wait) || (spec.action === 'resize' && Boolean(spec.autoConfirm));
  const state: ActionWait = {
    doing: `running ${spec.action} on server ${nameOrId}`,
    nameOrId,
    requestId: opts.requestId ?? randomUUID(),
  };
  const server = await actionWait(ctx, wait, state, (signal) =>
    ctx.client.serverAction(nameOrId, ctx.selector, spec, {
      signal,
      wait: Boolean(opts.wait),
      requestId: state.requestId,
      onProgress: (stage: ServerActionStageName, s: Server) => {
        state.last = serverState(s);
        ctx.progress(`${s.name}: ${serverStatusName(s.status)} ${s.properties.task_state ?? ''} (${stage})`);
      },
    }),
  );
  ctx.endProgress();
  ctx.printOne(server, serverView);
}

/** The `server` command made by servers.ts (made here when that is absent, e.g. in a trimmed CLI). */
function serverCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'server') ?? program.command('server');
}

export function registerServerActionCommands(program: Command): void {
  const server = serverCommand(program);

  for (const [name, description] of PLAIN) {
    withActionOptions(
      server.command(name).description(`${description} (one cloud and region)`).argument('<name-or-id>'),
    ).action(action((ctx, opts, nameOrId: string) => run(ctx, opts, nameOrId, { action: name } as ServerActionSpec)));
  }

  withActionOptions(
    server.command('reboot').description('reboot a server (soft unless --hard)').argument('<name-or-id>'),
  )
    .option('--hard', 'power-cycle instead of a clean guest reboot')
    .action(action((ctx, opts, id: string) => run(ctx, opts, id, { action: 'reboot', hard: Boolean(opts.hard) })));

  withActionOptions(
    server.command('lock').description('lock a server against non-admin actions').argument('<name-or-id>'),
  )
    .option('--reason <text>', 'why (compute microversion 2.73)')
    .action(action((ctx, opts, id: string) => run(ctx, opts, id, { action: 'lock', reason: opts.reason })));

  withActionOptions(server.command('rescue').description('boot a server from a rescue image').argument('<name-or-id>'))
    .option('--image <name-or-id>', 'the rescue image (default: its own image)')
    .action(action((ctx, opts, id: string) => run(ctx, opts, id, { action: 'rescue', image: opts.image })));

  withActionOptions(server.command('unshelve').description('unshelve a shelved server').argument('<name-or-id>'))
    .option('--availability-zone <zone>', 'the zone to unshelve into (compute microversion 2.77)')
    .action(
      action((ctx, opts, id: string) =>
        run(ctx, opts, id, { action: 'unshelve', availabilityZone: opts.availabilityZone }),
      ),
    );

  withActionOptions(
    server
      .command('rebuild')
      .description('rebuild a server from an image, keeping its id and addresses')
      .argument('<name-or-id>'),
  )
    .requiredOption('--image <name-or-id>', 'the image to rebuild from')
    .option('--name <name>', 'a new name')
    .option('--property <key=value>', 'replace the metadata with these (repeatable; default: keep it)', keyValue)
    .option('--key-name <name>', 'a new keypair (compute microversion 2.54; default: keep it)')
    .action(
      action((ctx, opts, id: string) =>
        run(ctx, opts, id, {
          action: 'rebuild',
          image: opts.image,
          name: opts.name,
          metadata: opts.property,
          keyName: opts.keyName,
        }),
      ),
    );

  withActionOptions(
    server
      .command('resize')
      .description('resize a server to --flavor (then --confirm or --revert it, or resize with --auto-confirm)')
      .argument('<name-or-id>'),
  )
    .option('--flavor <name-or-id>', 'the new flavor')
    .option('--auto-confirm', 'confirm as soon as the cloud asks (implies --wait)')
    .option('--confirm', 'confirm a resize waiting for it (VERIFY_RESIZE)')
    .option('--revert', 'revert a resize waiting for a confirm')
    .action(
      action((ctx, opts, id: string) => {
        const chosen = [opts.flavor, opts.confirm, opts.revert].filter(Boolean).length;
        if (chosen !== 1) throw new UsageError('resize needs exactly one of --flavor, --confirm, --revert');
        const spec: ServerActionSpec = opts.confirm
          ? { action: 'confirm-resize' }
          : opts.revert
            ? { action: 'revert-resize' }
            : { action: 'resize', flavor: opts.flavor, autoConfirm: Boolean(opts.autoConfirm) };
        return run(ctx, opts, id, spec);
      }),
    );

  withActionOptions(server.command('snapshot').description('snapshot a server to a new image').argument('<name-or-id>'))
    .requiredOption('--image-name <name>', "the new image's name")
    .option('--property <key=value>', 'an image property (repeatable)', keyValue)
    .action(
      action(async (ctx, opts, id: string) => {
        const state: ActionWait = {
          doing: `snapshotting server ${id} to image ${opts.imageName}`,
          nameOrId: id,
          requestId: opts.requestId ?? randomUUID(),
        };
        const image: Image = await actionWait(ctx, Boolean(opts.wait), state, (signal) =>
          ctx.client.snapshotServer(id, ctx.selector, opts.imageName, {
            signal,
            wait: Boolean(opts.wait),
            metadata: opts.property ?? {},
            requestId: state.requestId,
            onProgress: (stage, img, server) => {
              if (img?.id) {
                state.last = {
                  kind: 'image',
                  name: img.name,
                  id: img.id,
                  location: img.location,
                  status: img.cloudStatus || 'unknown',
                };
                state.look = (imageId, place) => ['look', `oaktree image show ${imageId} ${place}`.trim()];
              } else if (server) state.last = serverState(server);
              ctx.progress(`${img?.name ?? opts.imageName}: ${img?.cloudStatus ?? ''} (${stage})`);
            },
          }),
        );
        ctx.endProgress();
        ctx.printOne(image, imageView);
      }),
    );

  addServerSetOptions(
    withCommonOptions(
      server
        .command('set')
        .description("change a server's name, description, properties or tags")
        .argument('<name-or-id>'),
    ),
  )
    .option('--name <name>', 'a new name')
    .option('--description <text>', 'a new description ("" clears it; compute microversion 2.19)')
    .action(
      action(async (ctx, opts, id: string) => {
        const renames = opts.name !== undefined || opts.description !== undefined;
        if (!renames && !setsPropertiesOrTags(opts))
          throw new UsageError('set needs --name, --description, --property and/or --tag');
        let server = renames
          ? await ctx.client.updateServer(id, ctx.selector, {
              ...(opts.name !== undefined ? { name: opts.name } : {}),
              ...(opts.description !== undefined ? { description: opts.description } : {}),
            })
          : undefined;
        if (setsPropertiesOrTags(opts)) server = await setPropertiesAndTags(ctx, server?.id ?? id, opts);
        ctx.printOne(server!, serverView);
      }),
    );
}
