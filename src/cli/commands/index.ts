// Commands for humans that talk to a running node (server, flavor, image, ...), built on the SDK (src/client).
// Exit codes: 0 ok, 1 error (also when every location failed), 2 usage, 3 partial results (some locations failed;
// warnings on stderr).
import type { Command } from 'commander';
import { registerCompletionCommand } from './completion.ts';
import { registerComputeCommands } from './compute.ts';
import { registerContainerCommands } from './containers.ts';
import { usageExits, withCommonOptions } from './context.ts';
import { registerMoreListCommands } from './more-lists.ts';
import { registerImageCommands } from './images.ts';
import { registerInfoCommands } from './info.ts';
import { registerNetworkCommands } from './network.ts';
import { registerSubnetCommands } from './network-writes.ts';
import { registerRouterCommands } from './router-commands.ts';
import { registerSecurityGroupCommands } from './security-group-commands.ts';
import { registerServerActionCommands } from './server-actions.ts';
import { registerObjectCommands } from './objects.ts';
import { registerServerCommands } from './servers.ts';
import { registerVolumeCommands } from './volumes.ts';
import { registerVolumeSnapshotCommands } from './volume-snapshots.ts';
import { registerIdentityCommands } from './identity.ts';

export function registerClientCommands(program: Command): void {
  // Global options before the subcommand (`oaktree --cloud x server list`), as the openstack CLI takes them; with
  // positional options they are the program's only there, so `serve -c FILE` keeps its own -c.
  withCommonOptions(program.enablePositionalOptions());
  // Subcommands copy this setting when they are created: only the client commands get usage exit code 2.
  // `commands` lets a later file add subcommands to a command an earlier one made (server-actions.ts to `server`).
  const scoped = {
    commands: program.commands,
    command: (...args: Parameters<Command['command']>) => usageExits(program.command(...args)),
  };
  const register = [
    registerInfoCommands,
    registerServerCommands,
    registerServerActionCommands,
    registerComputeCommands,
    registerImageCommands,
    registerNetworkCommands,
    registerSubnetCommands,
    registerRouterCommands,
    registerSecurityGroupCommands,
    registerVolumeCommands,
    registerVolumeSnapshotCommands,
    registerIdentityCommands,
    registerContainerCommands,
    registerObjectCommands,
    registerMoreListCommands,
  ];
  for (const add of register) add(scoped as unknown as Command);
  registerCompletionCommand(program);
  // Usage errors at the top (unknown command, bad global option) exit 2 too (main.ts also sets it before the node
  // commands are made, so they inherit it).
  usageExits(program);
  program.addHelpText(
    'after',
    [
      '',
      'Client commands (location, server, image ...) talk to a node: --endpoint or OAKTREE_ENDPOINT (default 127.0.0.1:50051).',
      'They print tables, or -f json|yaml|value|csv for scripts; -c COLUMN, --long, --sort-column shape them.',
      'Options may come before the subcommand. Exit codes: 0 ok, 1 error (also: every location failed), 2 usage,',
      '3 partial results (some locations failed: warnings on stderr, the rest on stdout).',
      'Shell completion: source <(oaktree completion bash)   (or zsh)',
    ].join('\n'),
  );
}
