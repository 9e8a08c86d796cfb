// Commands for humans that talk to a running node (server, flavor, image, ...). Filled in by the client CLI work.
import type { Command } from 'commander';

export function registerClientCommands(_program: Command): void {}
