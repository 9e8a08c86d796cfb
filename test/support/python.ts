// Python against a live node: Debian's /usr/bin/python3 with the oaktree package built the way users install it
// (pip, at build time, offline), a node serving simulated clouds, and the simulator's control URL for faults and
// request counters. Shared by the Python package, Ansible inventory and nodepool-driver example tests.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { cliNode, ROOT, type CliNode } from './node.ts';
import { skipUnlessInstalled } from './system-parts.ts';

export const PYTHON = '/usr/bin/python3';

const PYTHON_PACKAGES =
  'python3-pip python3-setuptools python3-wheel python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc libprotobuf-dev';

/** Skip reason (or false) for tests that build and run the Python package. */
export const pythonSkip = skipUnlessInstalled(
  [
    PYTHON,
    '/usr/bin/protoc',
    '/usr/bin/grpc_python_plugin',
    '/usr/include/google/protobuf/timestamp.proto',
    '/usr/lib/python3/dist-packages/grpc/__init__.py',
    '/usr/lib/python3/dist-packages/wheel/__init__.py',
  ],
  `sudo apt-get install -y ${PYTHON_PACKAGES}`,
);

export interface PythonWorld {
  dir: string;
  /** PYTHONPATH where `pip install --target` put the package. */
  sitePackages: string;
  endpoint: string;
  controlUrl: string;
  simulator: Simulator;
  node: CliNode;
  close(): Promise<void>;
}

/**
 * pip builds the wheel (protoc runs there, in setup.py's build_py) and installs it into dir/site. From a copy of
 * clients/python: pip builds in the source tree, and test files running at once must not share one build/.
 */
export async function installPackage(dir: string): Promise<string> {
  const source = await packageSource(dir);
  const target = join(dir, 'site');
  await promisify(execFile)(
    PYTHON,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--no-build-isolation',
      '--no-deps',
      '--no-cache-dir',
      '--target',
      target,
      source,
    ],
    { cwd: ROOT, env: { ...pipEnv(), OAKTREE_PROTO_DIR: join(ROOT, 'proto') } },
  );
  return target;
}

/** clients/python copied into dir/python-src (without build output), for pip to build in. */
export async function packageSource(dir: string): Promise<string> {
  const source = join(dir, 'python-src');
  await cp(join(ROOT, 'clients', 'python'), source, {
    recursive: true,
    filter: (path) => !/(^|\/)(build|dist|[^/]*\.egg-info|__pycache__)$/.test(path),
  });
  return source;
}

export const pipEnv = () => ({ ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_ROOT_USER_ACTION: 'ignore' });

export async function startPythonWorld(): Promise<PythonWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-python-'));
  // The clouds `oaktree serve` simulates when it has no clouds.yaml (src/node/backends.ts), with a control URL.
  const simulator = await startSimulator({
    controlPort: 0,
    clouds: [
      { name: 'sim-alpha', regions: ['RegionOne', 'RegionTwo'], seedServers: 3, seedImages: 2 },
      { name: 'sim-beta', regions: ['RegionOne'], seedServers: 2, seedImages: 2 },
    ],
  });
  const cloudsYaml = join(dir, 'clouds.yaml');
  await writeFile(cloudsYaml, simulator.cloudsYaml());
  const [sitePackages, node] = await Promise.all([
    installPackage(dir),
    cliNode(['--clouds-yaml', cloudsYaml, '--listen', '127.0.0.1:0', '--log-level', 'warn']),
  ]);
  return {
    dir,
    sitePackages,
    endpoint: node.address,
    controlUrl: simulator.controlUrl!,
    simulator,
    node,
    async close() {
      node.child.kill('SIGTERM');
      await node.exited;
      await simulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (or kills it after timeoutMs), collecting its output. */
export function run(command: string, args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
