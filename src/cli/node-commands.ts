// Commands that run oaktree itself: serve, simulate, topology.
import { Option, type Command } from 'commander';
import { serve } from './serve.ts';

export function registerNodeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'Run a node: serve the clouds of clouds.yaml (or built-in simulated clouds when there is none) and forward to peers.',
    )
    .option('-c, --config <file>', 'node config file (YAML: listen, clouds, peers, simulate, redis)')
    .option('-l, --listen <host:port>', 'address to listen on (default 127.0.0.1:50051)')
    .option('--node-id <id>', "this node's id in the mesh (default: host-port-random)")
    .option('--clouds-yaml <file>', 'clouds.yaml to serve (default: OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack, /etc/openstack)')
    .option('--peer <host:port...>', 'an upstream oaktree node to forward to (repeatable)')
    .option('--simulate', 'serve built-in simulated clouds even when a clouds.yaml exists')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']))
    .action(async (flags) => {
      await serve(flags);
    });

  program
    .command('simulate')
    .description('Run simulated OpenStack clouds and write a clouds.yaml for any OpenStack client (see --help).')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[args...]')
    .action(async () => {
      const { runSimulate } = await import('../simulator/main.ts');
      const index = process.argv.indexOf('simulate');
      await runSimulate(process.argv.slice(index + 1));
    });
}
