// Commands for humans that talk to a running node (server, flavor, image, ...), built on the SDK (src/client).
// Exit codes: 0 ok, 1 error, 2 usage, 3 partial results (some locations failed; warnings on stderr).
import type { Command } from 'commander';
import { registerComputeCommands } from './compute.ts';
import { registerContainerCommands } from './containers.ts';
import { usageExits } from './context.ts';
import { registerImageCommands } from './images.ts';
import { registerInfoCommands } from './info.ts';
import { registerNetworkCommands } from './network.ts';
import { registerObjectCommands } from './objects.ts';
import { registerServerCommands } from './servers.ts';
import { registerVolumeCommands } from './volumes.ts';

export function registerClientCommands(program: Command): void {
  // Subcommands copy this setting when they are created: only the client commands get usage exit code 2.
  const scoped = { command: (...args: Parameters<Command['command']>) => usageExits(program.command(...args)) };
  const register = [
    registerInfoCommands,
    registerServerCommands,
    registerComputeCommands,
    registerImageCommands,
    registerNetworkCommands,
    registerVolumeCommands,
    registerContainerCommands,
    registerObjectCommands,
  ];
  for (const add of register) add(scoped as unknown as Command);
  program.addHelpText(
    'after',
    [
      '',
      'Client commands (location, server, image ...) talk to a node: --endpoint or OAKTREE_ENDPOINT (default 127.0.0.1:50051).',
      'They print tables, or -f json|yaml for scripts. Exit codes: 0 ok, 1 error, 2 usage,',
      '3 partial results (some locations failed: warnings on stderr, the rest on stdout).',
    ].join('\n'),
  );
}
