// oaktree server set|unset (--property, --tag), oaktree server group create|list|show|delete, and the server list
// filters, server create options and flavor list sorts that go with them.
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CreateServerExtras, FlavorListExtras, ServerFilters } from '../../client/index.ts';
import { ServerGroup, ServerGroupPolicy } from '../../gen/oaktree/v1/compute.ts';
import { Location } from '../../gen/oaktree/v1/location.ts';
import { action, type CliContext, io, keyValue, repeatable, withCommonOptions } from './context.ts';
import type { View } from './output.ts';
import { checkedNumber, GIB_SIZE, INT32_MAX, numberOption } from './numbers.ts';
import { byPlace } from './views.ts';

const policyNames: Record<number, string> = {
  [ServerGroupPolicy.SERVER_GROUP_POLICY_AFFINITY]: 'affinity',
  [ServerGroupPolicy.SERVER_GROUP_POLICY_ANTI_AFFINITY]: 'anti-affinity',
  [ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_AFFINITY]: 'soft-affinity',
  [ServerGroupPolicy.SERVER_GROUP_POLICY_SOFT_ANTI_AFFINITY]: 'soft-anti-affinity',
};

export const serverGroupView: View<ServerGroup> = {
  columns: [
    { header: 'CLOUD', value: (g) => g.location?.cloud },
    { header: 'REGION', value: (g) => g.location?.region },
    { header: 'NAME', value: (g) => g.name },
    { header: 'POLICY', value: (g) => policyNames[g.policy] ?? '' },
    { header: 'MAX/HOST', value: (g) => g.maxServerPerHost || '' },
    { header: 'MEMBERS', value: (g) => g.memberIds.length },
    { header: 'ID', value: (g) => g.id },
  ],
  toJSON: (g) => ServerGroup.toJSON(g),
};

/** --nic port=<id> | net=<name-or-id>[,v4-fixed-ip=<ip>], as openstack server create takes it. */
function nic(value: string, previous: NonNullable<CreateServerExtras['nics']> = []) {
  const fields = Object.fromEntries(value.split(',').map((part) => part.split('=', 2) as [string, string]));
  if (fields.port && Object.keys(fields).length === 1) return [...previous, { port: fields.port }];
  if (fields.net && Object.keys(fields).every((k) => k === 'net' || k === 'v4-fixed-ip'))
    return [...previous, { network: fields.net, ...(fields['v4-fixed-ip'] ? { fixedIp: fields['v4-fixed-ip'] } : {}) }];
  throw new InvalidArgumentError('expected port=<id> or net=<name-or-id>[,v4-fixed-ip=<ip>]');
}

/** --block-device volume=<name-or-id> | size=<GiB>, with ,delete-on-termination */
function blockDevice(value: string, previous: NonNullable<CreateServerExtras['blockDevices']> = []) {
  const parts = value.split(',');
  const deleteOnTermination = parts.includes('delete-on-termination');
  const fields = Object.fromEntries(
    parts.filter((p) => p !== 'delete-on-termination').map((part) => part.split('=', 2) as [string, string]),
  );
  if (fields.volume && !fields.size) return [...previous, { volume: fields.volume, deleteOnTermination }];
  const size = fields.size === undefined ? undefined : checkedNumber(fields.size, GIB_SIZE);
  if (!fields.volume && size !== undefined) return [...previous, { sizeGb: size, deleteOnTermination }];
  throw new InvalidArgumentError('expected volume=<name-or-id> or size=<GiB>, optionally with ,delete-on-termination');
}

/** --hint key=value, repeatable; a key given twice becomes a list. */
function hint(value: string, previous: Record<string, string | string[]> = {}) {
  const [key, hinted] = Object.entries(keyValue(value))[0];
  const before = previous[key];
  return { ...previous, [key]: before === undefined ? hinted : [...[before].flat(), hinted] };
}

export function addServerFilterOptions(command: Command): Command {
  return command
    .option(
      '--property <key[=value]>',
      'only servers with this metadata key (and value) (repeatable)',
      (v: string, p?: Record<string, string>) => keyValue(v.includes('=') ? v : `${v}=`, p),
    )
    .option('--tag <tag>', 'only servers with all of these tags (repeatable)', repeatable)
    .option('--any-tag <tag>', 'only servers with at least one of these tags (repeatable)', repeatable)
    .option('--flavor <name-or-id>', 'only servers of this flavor')
    .option('--image <name-or-id>', 'only servers from this image')
    .option('--name-regex <regex>', 'only servers whose name matches (case-insensitive search, as nova does)')
    .option('--changes-since <time>', 'only servers changed since this ISO 8601 time')
    .option('--all-projects', "every project's servers (admins)");
}

export function serverFilters(opts: Record<string, any>): ServerFilters {
  let changesSince: Date | undefined;
  if (opts.changesSince) {
    changesSince = new Date(opts.changesSince);
    if (Number.isNaN(changesSince.getTime())) throw new InvalidArgumentError('--changes-since takes an ISO 8601 time');
  }
  return {
    metadata: opts.property ?? {},
    tags: opts.tag ?? [],
    tagsAny: opts.anyTag ?? [],
    flavor: opts.flavor,
    image: opts.image,
    nameRegex: opts.nameRegex,
    changesSince,
    allProjects: Boolean(opts.allProjects),
  };
}

export function addCreateServerOptions(command: Command): Command {
  return command
    .option(
      '--nic <port=id|net=name[,v4-fixed-ip=ip]>',
      'attach a port, or a network with a fixed IP (repeatable)',
      nic,
    )
    .option('--server-group <name-or-id>', 'put the server in this server group')
    .option('--hint <key=value>', 'a scheduler hint (repeatable; a repeated key makes a list)', hint)
    .option('--boot-volume <name-or-id>', 'boot from this existing volume instead of an image')
    .option('--boot-snapshot <id>', 'boot from a new volume made from this volume snapshot')
    .option(
      '--block-device <volume=id|size=GiB[,delete-on-termination]>',
      'attach a volume at boot (repeatable)',
      blockDevice,
    )
    .option('--description <text>', 'the server description')
    .option('--tag <tag>', 'a tag (repeatable)', repeatable)
    .option('--hostname <name>', 'the guest hostname (microversion 2.90)')
    .option('--admin-password-file <file>', 'read the admin password from this file (never on the command line)');
}

export async function createServerExtras(opts: Record<string, any>): Promise<CreateServerExtras> {
  if (!opts.image && !opts.bootVolume && !opts.bootSnapshot)
    throw new InvalidArgumentError('give --image, or --boot-volume / --boot-snapshot to boot from a volume');
  return {
    nics: opts.nic ?? [],
    serverGroup: opts.serverGroup,
    schedulerHints: opts.hint ?? {},
    bootVolume: opts.bootVolume,
    bootSnapshotId: opts.bootSnapshot,
    blockDevices: opts.blockDevice ?? [],
    description: opts.description,
    tags: opts.tag ?? [],
    hostname: opts.hostname,
    ...(opts.adminPasswordFile ? { adminPassword: (await readFile(opts.adminPasswordFile, 'utf8')).trim() } : {}),
  };
}

export function addFlavorListOptions(command: Command): Command {
  return command
    .option('--name-contains <text>', 'only flavors whose name contains this (case-insensitive)')
    .addOption(new Option('--sort <key>', 'order by').choices(['ram', 'vcpus', 'disk', 'name']))
    .option('--descending', 'largest first')
    .option('--skip-extra-specs', 'no per-flavor extra-spec lookups (old clouds)');
}

export function flavorListExtras(opts: Record<string, any>): FlavorListExtras {
  return {
    nameContains: opts.nameContains,
    sortBy: opts.sort,
    descending: Boolean(opts.descending),
    skipExtraSpecs: Boolean(opts.skipExtraSpecs),
  };
}

/** The metadata and tag options of `oaktree server set` (server-actions.ts owns the command: name, description). */
export function addServerSetOptions(command: Command): Command {
  return command
    .option('--property <key=value>', 'a metadata property (repeatable)', keyValue)
    .option('--tag <tag>', 'a tag to add (repeatable)', repeatable)
    .option('--replace', 'replace all properties / tags with the given ones');
}

/** Whether `server set` was given properties or tags. */
export const setsPropertiesOrTags = (opts: Record<string, any>): boolean => !!(opts.property || opts.tag);

/** Applies --property / --tag of `server set` and answers the server as it is afterwards. */
export async function setPropertiesAndTags(ctx: CliContext, nameOrId: string, opts: Record<string, any>) {
  const replace = Boolean(opts.replace);
  if (opts.property) await ctx.client.setServerMetadata(nameOrId, opts.property, ctx.selector, { replace });
  if (opts.tag) await ctx.client.setServerTags(nameOrId, opts.tag, ctx.selector, { replace });
  return ctx.client.getServer(nameOrId, ctx.selector, { fresh: true });
}

/** server unset / group, under the `server` command. */
export function registerServerConfigCommands(server: Command): void {
  withCommonOptions(server.command('unset').description('remove metadata properties and tags').argument('<name-or-id>'))
    .option('--property <key>', 'a metadata key to remove (repeatable)', repeatable)
    .option('--tag <tag>', 'a tag to remove (repeatable)', repeatable)
    .option('--all-tags', 'remove every tag')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        if (!opts.property && !opts.tag && !opts.allTags)
          throw new InvalidArgumentError('give --property, --tag or --all-tags');
        const out: Record<string, unknown> = {};
        if (opts.property)
          out.metadata = (await ctx.client.deleteServerMetadata(nameOrId, opts.property, ctx.selector)).metadata;
        if (opts.tag || opts.allTags)
          out.tags = (
            await ctx.client.deleteServerTags(nameOrId, opts.tag ?? [], ctx.selector, { all: Boolean(opts.allTags) })
          ).tags;
        ctx.printOne(out, { toJSON: (o) => o as any });
      }),
    );

  const group = server.command('group').description('server groups (affinity policies)');
  withCommonOptions(group.command('list').description('list server groups')).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listServerGroups(ctx.selector, ctx.listOptions), serverGroupView, byPlace);
    }),
  );
  withCommonOptions(group.command('show').description('show one server group').argument('<name-or-id>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      ctx.printOne(await ctx.client.getServerGroup(nameOrId, ctx.selector), serverGroupView);
    }),
  );
  withCommonOptions(
    group.command('create').description('create a server group in one cloud and region').argument('<name>'),
  )
    .addOption(
      new Option('--policy <policy>', 'placement policy')
        .choices(['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'])
        .makeOptionMandatory(),
    )
    .option(
      '--max-server-per-host <n>',
      'anti-affinity rule (microversion 2.64)',
      numberOption({ min: 1, max: INT32_MAX }),
    )
    .option('--request-id <id>', 'idempotency key: retrying with the same id makes one group')
    .action(
      action(async (ctx, opts, name: string) => {
        const created = await ctx.client.createServerGroup(name, opts.policy, ctx.selector, {
          ...(opts.maxServerPerHost ? { maxServerPerHost: opts.maxServerPerHost } : {}),
          ...(opts.requestId ? { requestId: opts.requestId } : {}),
        });
        ctx.printOne(created, serverGroupView);
      }),
    );
  withCommonOptions(group.command('delete').description('delete server groups').argument('<name-or-id...>')).action(
    action(async (ctx, _opts, names: string[]) => {
      for (const nameOrId of names) {
        const deleted = await ctx.client.deleteServerGroup(nameOrId, ctx.selector);
        if (ctx.flags.format === 'table')
          io.stdout.write(
            `deleted ${nameOrId} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
          );
        else ctx.printOne(deleted, { toJSON: (d) => ({ location: Location.toJSON(d.location!), id: d.id }) });
      }
    }),
  );
}
