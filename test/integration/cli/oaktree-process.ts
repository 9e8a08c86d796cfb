// The real `oaktree` binary as a child process, and a node (also a process) over an in-process simulator: what the
// CLI behaviour tests run against.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type SimCloudOptions, type Simulator } from '../../../src/simulator/index.ts';
import { cliNode, ROOT, type CliNode } from '../../support/node.ts';

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `oaktree ARGS` to its end; `interrupt` may send it a signal while it runs. */
export function oaktree(args: string[], env: Record<string, string> = {}, interrupt?: (pid: number) => Promise<void>) {
  return new Promise<Ran>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, OAKTREE_ENDPOINT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (interrupt) interrupt(child.pid!).catch(reject);
  });
}

export interface SimulatedNode {
  dir: string;
  simulator: Simulator;
  endpoint: string;
  close(): Promise<void>;
}

/** Simulated clouds in this process, and `oaktree serve` on their clouds.yaml in a child process. */
export async function simulatedNode(clouds: SimCloudOptions[]): Promise<SimulatedNode> {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-cli-'));
  const simulator = await startSimulator({ clouds });
  await writeFile(join(dir, 'clouds.yaml'), simulator.cloudsYaml());
  let node: CliNode;
  try {
    node = await cliNode(['--clouds-yaml', join(dir, 'clouds.yaml'), '--listen', '127.0.0.1:0', '--log-level', 'warn']);
  } catch (error) {
    await simulator.close(); // else its open server keeps the test file alive until the file's timeout
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    simulator,
    endpoint: node.address,
    async close() {
      node.child.kill('SIGTERM');
      await node.exited;
      await simulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
