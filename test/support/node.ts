// Starting real oaktree nodes for tests: in-process (startNode) or as a child process (the CLI).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createChannel, createClient, type Channel } from 'nice-grpc';
import type { Backend } from '../../src/backends/backend.ts';
import { ComputeServiceDefinition } from '../../src/gen/oaktree/v1/compute.ts';
import { LocationServiceDefinition } from '../../src/gen/oaktree/v1/location.ts';
import { MeshServiceDefinition } from '../../src/gen/oaktree/mesh/v1/mesh.ts';
import { NetworkServiceDefinition } from '../../src/gen/oaktree/v1/network.ts';
import { ImageServiceDefinition } from '../../src/gen/oaktree/v1/image.ts';
import { VolumeServiceDefinition } from '../../src/gen/oaktree/v1/volume.ts';
import { LimitsServiceDefinition } from '../../src/gen/oaktree/v1/limits.ts';
import { CapabilitiesServiceDefinition } from '../../src/gen/oaktree/v1/capabilities.ts';
import { startNode, type RunningNode } from '../../src/node/server.ts';
import { silentLogger } from '../../src/observability/logger.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;

export async function inProcessNode(backends: Backend[], nodeId = 'test-node'): Promise<RunningNode> {
  return startNode({ nodeId, listen: '127.0.0.1:0', backends, logger: silentLogger() });
}

export function clients(address: string) {
  const channel: Channel = createChannel(address);
  return {
    channel,
    location: createClient(LocationServiceDefinition, channel),
    compute: createClient(ComputeServiceDefinition, channel),
    image: createClient(ImageServiceDefinition, channel),
    network: createClient(NetworkServiceDefinition, channel),
    volume: createClient(VolumeServiceDefinition, channel),
    limits: createClient(LimitsServiceDefinition, channel),
    capabilities: createClient(CapabilitiesServiceDefinition, channel),
    mesh: createClient(MeshServiceDefinition, channel),
    close: () => channel.close(),
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export interface CliNode {
  child: ChildProcess;
  address: string;
  stderr: string[];
  exited: Promise<number | null>;
}

/** Runs `oaktree serve` from source as one node process; resolves once it prints its address. */
export async function cliNode(args: string[], env: Record<string, string> = {}): Promise<CliNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const address = await new Promise<string>((resolve, reject) => {
    // A fresh process compiles the tree through tsx first: on a loaded 2-core machine that alone can take 20 s.
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // a node that never said where it serves must not outlive the test file
      reject(new Error(`node did not start within 60 s: ${stderr.join('\n')}`));
    }, 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /serving on (\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`node exited with ${code}: ${stderr.join('\n')}`)));
  });
  return { child, address, stderr, exited };
}

/**
 * Calls a list method the way Python, Go or grpcurl clients do: with a real gRPC deadline on the wire
 * (nice-grpc's client only enforces deadlines locally, so the server would never learn them).
 */
export async function listWithDeadline<Res>(
  address: string,
  method: import('../../src/core/methods.ts').AnyMethod,
  request: unknown,
  deadline: Date,
): Promise<Res[]> {
  const grpc = await import('@grpc/grpc-js');
  const { serverStreamCall } = await import('../../src/backends/peer/grpc-calls.ts');
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const out: Res[] = [];
    const ctx = { signal: new AbortController().signal, via: [], deadline };
    for await (const item of serverStreamCall<Res>(client, address, method, request, {
      metadata: new grpc.Metadata(),
      ctx,
    }))
      out.push(item);
    return out;
  } finally {
    client.close();
  }
}
