// oaktree server list|show|create|delete, and oaktree watch servers.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { parseServerStatus, serverStatusName, type Server } from '../../client/index.ts';
import { Server as ServerMessage } from '../../gen/oaktree/v1/compute.ts';
import { Location } from '../../gen/oaktree/v1/location.ts';
import { stringify } from 'yaml';
import { action, type CliContext, io, keyValue, repeatable, withCommonOptions } from './context.ts';
import {
  type CreateWaitState,
  explainedWait,
  interruptedCreate,
  interruptedDelete,
  LOOKUP_MS,
} from './interrupted-wait.ts';
import { byPlace, serverView } from './views.ts';
import { GIB_SIZE, numberOption } from './numbers.ts';
import { REQUEST_ID_METADATA_KEY } from '../../core/request-id.ts';
import {
  addCreateServerOptions,
  addServerFilterOptions,
  createServerExtras,
  registerServerConfigCommands,
  serverFilters,
} from './server-config.ts';

function describeProgress(server: Server): string {
  const progress = server.progress ? ` ${server.progress}%` : '';
  return `${server.name}: ${serverStatusName(server.status)}${progress}`;
}

export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('servers in every cloud and region');

  addServerFilterOptions(
    withCommonOptions(server.command('list').description('list servers (every location unless a selector narrows it)')),
  )
    .option('--name <name-or-id>', 'only servers with this name or id')
    .option('--status <status>', 'only servers in this status (ACTIVE, BUILDING, ERROR, STOPPED ...)')
    .option('--fresh', "ask the clouds, not oaktree's cache")
    .action(
      action(async (ctx, opts) => {
        const status = opts.status ? parseServerStatus(opts.status) : undefined;
        const stream = ctx.client.listServers(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.name ? { nameOrId: opts.name } : {}),
          ...(status ? { status } : {}),
          fresh: Boolean(opts.fresh),
          ...serverFilters(opts),
        });
        const servers = await stream.toArray();
        if (ctx.flags.format === 'table') await nameImages(ctx, servers);
        ctx.printObjects(servers, serverView, byPlace);
      }),
    );

  withCommonOptions(server.command('show').description('show one server').argument('<name-or-id>'))
    .option('--fresh', "ask the cloud, not oaktree's cache")
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        ctx.printOne(await ctx.client.getServer(nameOrId, ctx.selector, { fresh: Boolean(opts.fresh) }), serverView);
      }),
    );

  addCreateServerOptions(
    withCommonOptions(
      server
        .command('create')
        .description('create a server in one cloud and region (--cloud, --region); --wait streams it to ACTIVE')
        .argument('<name>'),
    ),
  )
    .option('--image <name-or-id>', 'the image to boot (or --boot-volume / --boot-snapshot)')
    .requiredOption('--flavor <name-or-id>', 'the flavor')
    .option('--network <name-or-id>', 'a network to attach (repeatable)', repeatable)
    .option('--key-name <name>', 'the keypair to inject')
    .option('--security-group <name-or-id>', 'a security group (repeatable)', repeatable)
    .option('--user-data <file>', 'cloud-init user data from this file')
    .option('--meta <key=value>', 'metadata (repeatable)', keyValue)
    .option('--availability-zone <zone>', 'the availability zone')
    .option('--boot-from-volume', 'boot from a new volume made from the image')
    .option('--volume-size <GiB>', 'size of that volume', numberOption(GIB_SIZE))
    .addOption(
      new Option('--floating-ip <mode>', 'attach a floating IP').choices(['auto', 'none', 'always']).default('auto'),
    )
    .option('--wait', 'wait until the server is ACTIVE (progress on stderr)')
    .option('--request-id <id>', 'idempotency key: retrying with the same id makes one server')
    .action(
      action(async (ctx, opts, name: string) => {
        // Our own request id, so an interrupted wait can say how to pick the same server up again.
        const state: CreateWaitState = { name, requestId: opts.requestId ?? randomUUID(), floatingIp: opts.floatingIp };
        const userData = opts.userData ? await readFile(opts.userData, 'utf8') : undefined;
        const extras = await createServerExtras(opts);
        const created = await explainedWait(
          (signal) =>
            ctx.client.createServer(
              {
                location: ctx.selector,
                name,
                image: opts.image,
                flavor: opts.flavor,
                networks: opts.network ?? [],
                ...(opts.keyName ? { keyName: opts.keyName } : {}),
                securityGroups: opts.securityGroup ?? [],
                ...(userData ? { userData } : {}),
                metadata: opts.meta ?? {},
                ...(opts.availabilityZone ? { availabilityZone: opts.availabilityZone } : {}),
                bootFromVolume: Boolean(opts.bootFromVolume),
                ...(opts.volumeSize ? { bootVolumeSizeGb: opts.volumeSize } : {}),
                floatingIp: opts.floatingIp,
                wait: Boolean(opts.wait),
                requestId: state.requestId,
                ...extras,
              },
              {
                signal,
                onProgress: (stage, s) => {
                  Object.assign(state, { stage, server: s });
                  ctx.progress(`${describeProgress(s)} (${stage})`);
                },
              },
            ),
          async (why) => interruptedCreate(await withServerMade(ctx, state), why),
        );
        ctx.endProgress();
        ctx.printOne(created, serverView);
      }),
    );

  withCommonOptions(
    server
      .command('delete')
      .description('delete servers (by name or id) in one cloud and region')
      .argument('<name-or-id...>'),
  )
    .option('--delete-floating-ips', 'also release the floating IPs attached to them')
    .option('--wait', 'return once the cloud no longer lists them')
    .action(
      action(async (ctx, opts, names: string[]) => {
        for (const nameOrId of names) {
          const deleted = await explainedWait(
            (signal) =>
              ctx.client.deleteServer(nameOrId, ctx.selector, {
                signal,
                deleteFloatingIps: Boolean(opts.deleteFloatingIps),
                wait: Boolean(opts.wait),
              }),
            (why) => interruptedDelete(nameOrId, ctx.selector, why),
          );
          if (ctx.flags.format === 'table') {
            io.stdout.write(
              `deleted ${nameOrId} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
            );
          } else ctx.printOne(deleted, { toJSON: (d) => ({ location: Location.toJSON(d.location!), id: d.id }) });
        }
      }),
    );

  registerServerConfigCommands(server);

  const watch = program.command('watch').description('follow changes as they happen');
  withCommonOptions(watch.command('servers').description('print server changes as they happen (Ctrl-C to stop)'))
    .option('--server <id>', 'only this server (repeatable)', repeatable)
    .option('--resume-token <token>', 'continue a previous watch after this token')
    .action(
      action(async (ctx, opts) => {
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        const events = ctx.client.watchServers(ctx.selector, {
          ...ctx.listOptions,
          signal: stop.signal,
          serverIds: opts.server ?? [],
          ...(opts.resumeToken ? { resumeToken: opts.resumeToken } : {}),
        });
        try {
          for await (const event of events) printWatchEvent(ctx, event);
        } catch (error) {
          if (!stop.signal.aborted) throw error;
        }
      }),
    );
}

/**
 * Nova reports a server's image by id only; a table is for humans, so look the names up with one image list
 * (table output only: JSON keeps what the node said). Best effort: without names the ids stay.
 */
async function nameImages(ctx: CliContext, servers: Server[]): Promise<void> {
  if (!servers.some((s) => s.image?.id && !s.image.name)) return;
  const names = new Map<string, string>();
  try {
    for await (const image of ctx.client.listImages(ctx.selector, { timeoutMs: 10_000 })) {
      names.set(`${image.location?.cloud}/${image.location?.region}/${image.id}`, image.name);
    }
  } catch {
    return;
  }
  for (const s of servers) {
    const name = s.image?.id ? names.get(`${s.location?.cloud}/${s.location?.region}/${s.image.id}`) : undefined;
    if (name && s.image) s.image = { ...s.image, name };
  }
}

function printWatchEvent(ctx: CliContext, event: import('../../client/index.ts').WatchEvent): void {
  const format = ctx.flags.format;
  if (format !== 'table') {
    const plain =
      event.type === 'restarted'
        ? event
        : event.type === 'synced'
          ? { ...event, location: Location.toJSON(event.location) }
          : { ...event, server: ServerMessage.toJSON(event.server) };
    // One JSON document per line, so a script can read events as they come.
    io.stdout.write(format === 'json' ? `${JSON.stringify(plain)}\n` : `---\n${stringify(plain)}`);
    return;
  }
  const time = new Date().toISOString().slice(11, 19);
  if (event.type === 'restarted') io.stdout.write(`${time} RESTARTED  ${event.reason}\n`);
  else if (event.type === 'synced') {
    if (event.initialStateComplete)
      io.stdout.write(`${time} SYNCED     ${event.location.cloud}/${event.location.region}\n`);
  } else {
    const s = event.server;
    const where = `${s.location?.cloud}/${s.location?.region}`;
    io.stdout.write(
      `${time} ${event.type.toUpperCase().padEnd(10)} ${where}  ${s.name}  ${serverStatusName(s.status)}  ${s.interfaceIp || '-'}  ${s.id}\n`,
    );
  }
}

/**
 * A create stopped before the node reported its server may still have made it: the node reports only after nova
 * accepted it and it was read back. The server that carries this create's request id is the one it made (its name
 * may be taken twice); nothing found, or a lookup that fails, leaves the state as it was.
 */
async function withServerMade(ctx: CliContext, state: CreateWaitState): Promise<CreateWaitState> {
  if (state.server?.id) return state;
  try {
    const named = await ctx.client
      .listServers(ctx.selector, { nameOrId: state.name, fresh: true, timeoutMs: LOOKUP_MS })
      .toArray();
    const made = named.find((server) => server.metadata[REQUEST_ID_METADATA_KEY] === state.requestId);
    return made ? { ...state, server: made } : state;
  } catch {
    return state;
  }
}
