#!/usr/bin/env node
// The oaktree command line: running nodes (serve, simulate, topology) and, for humans, talking to one.
import { Command } from 'commander';
import { OAKTREE_VERSION } from '../node/version.ts';
import { NodeConfigError } from '../node/config.ts';
import { registerNodeCommands } from './node-commands.ts';
import { usageExits } from './commands/context.ts';
import { registerClientCommands } from './commands/index.ts';
import { cannotListen } from './listen-errors.ts';

const program = new Command()
  .name('oaktree')
  .description('One gRPC endpoint for many OpenStack clouds.')
  .version(OAKTREE_VERSION, '-v, --version', 'print the version')
  .showHelpAfterError('(run with --help for usage)');

// Usage errors exit 2 for every command, the node commands (made first) included.
usageExits(program);
registerNodeCommands(program);
registerClientCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof NodeConfigError || (error as Error)?.name === 'CloudsConfigError') {
    process.stderr.write(`oaktree: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const listening = cannotListen(error);
  if (listening) {
    process.stderr.write(`oaktree: ${listening}\n`);
    process.exit(1);
  }
  process.stderr.write(`oaktree: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
