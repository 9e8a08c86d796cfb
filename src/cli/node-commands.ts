// Commands that run oaktree itself: serve, simulate, topology.
import { Option, type Command } from 'commander';
import { registerTokenCommands } from './commands/token.ts';
import { numberOption, PORT } from './commands/numbers.ts';

export function registerNodeCommands(program: Command): void {
  registerTokenCommands(program);
  program
    .command('serve')
    .description(
      'Run a node: serve the clouds of clouds.yaml (or built-in simulated clouds when there is none) and forward to peers.',
    )
    .option('-c, --config <file>', 'node config file (YAML: listen, clouds, peers, simulate, redis, tls, insecure)')
    .option('-l, --listen <host:port>', 'address to listen on (default 127.0.0.1:50051)')
    .option('--node-id <id>', "this node's id in the mesh (default: host-port-random)")
    .option(
      '--clouds-yaml <file>',
      'clouds.yaml to serve (default: OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack, /etc/openstack)',
    )
    .option('--peer <host:port...>', 'an upstream oaktree node to forward to (repeatable)')
    .option('--simulate', 'serve built-in simulated clouds instead of any clouds.yaml')
    .option('--tls-cert <file>', 'serve TLS with this PEM certificate chain (re-read on SIGHUP and when it changes)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--tls-client-ca <file>', 'verify client certificates signed by this CA (mTLS)')
    .option('--require-client-cert', 'refuse clients without a certificate from --tls-client-ca at the handshake')
    .option(
      '--insecure',
      'allow listening beyond loopback without TLS and authentication (warned about on every start)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']),
    )
    .action(async (flags) => {
      const { serve } = await import('./serve.ts'); // the node's modules load only when a node runs
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

  const topology = program
    .command('topology')
    .description('Start or stop a whole mesh on loopback from a topology file (see topology/*.yaml).');
  topology
    .command('up <file>')
    .description('start every node of the topology (each its own process) and wait until routes converge')
    .option('--base-port <port>', "override the file's base_port (0: every node picks a free port)", numberOption(PORT))
    .option('--state-dir <dir>', 'where node configs, logs and pids go')
    .action(async (file: string, flags: { basePort?: number; stateDir?: string }) => {
      const { topologyUp } = await import('../node/topology-runner.ts');
      const state = await topologyUp(file, flags);
      for (const node of [...state.nodes].reverse()) {
        process.stdout.write(
          `${node.id.padEnd(16)} ${node.address.padEnd(22)} pid ${String(node.pid).padEnd(8)} log ${node.log}\n`,
        );
      }
      if (state.tls) {
        process.stdout.write(
          `mTLS: connect with --ca ${state.tls.ca} --cert ${state.tls.cert} --key ${state.tls.key}\n`,
        );
      }
      process.stdout.write(
        `${state.name}: ${state.nodes.length} nodes up; stop them with: oaktree topology down ${file}\n`,
      );
    });
  topology
    .command('down <file>')
    .description('stop exactly the processes `topology up` started for this file')
    .option('--base-port <port>', 'the base_port given to up, if any', numberOption(PORT))
    .option('--state-dir <dir>', 'the state dir given to up, if any')
    .action(async (file: string, flags: { basePort?: number; stateDir?: string }) => {
      const { topologyDown } = await import('../node/topology-runner.ts');
      const stopped = await topologyDown(file, flags);
      process.stdout.write(
        stopped.length ? `stopped ${stopped.map((n) => `${n.id} (pid ${n.pid})`).join(', ')}\n` : 'nothing to stop\n',
      );
    });
}
