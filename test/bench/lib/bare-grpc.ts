// The hop floor: what one gRPC call to another process costs on this machine with nothing of oaktree in it, and
// what a bare relay in front of it adds: a hop adds at least that, the relay being both a server and a client.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { firstLine, ROOT, stopChild } from './procs.ts';

export const BARE_METHOD = '/bench.Bare/Echo';
/** About the size of a GetServer answer. */
export const BARE_RESPONSE_BYTES = 1024;
const REQUEST = Buffer.alloc(64, 0x62);

export interface BareServer {
  pid: number;
  port: number;
  /** One unary call through a client kept for the whole run, as a relay keeps its peer channel. */
  call(): Promise<void>;
  close(): Promise<void>;
}

/** A bare echo server or, given the port of one, a bare relay in front of it (bare-grpc-server.ts). */
export async function startBareServer(upstreamPort?: number): Promise<BareServer> {
  const args = ['--import', 'tsx', join(ROOT, 'test/bench/bare-grpc-server.ts')];
  if (upstreamPort) args.push(String(upstreamPort));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const { port } = JSON.parse(await firstLine(child, 'bare gRPC server')) as { port: number };
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const identity = (bytes: Buffer) => bytes;
  return {
    pid: child.pid!,
    port,
    call: () =>
      new Promise<void>((resolve, reject) =>
        client.makeUnaryRequest(BARE_METHOD, identity, identity, REQUEST, (error, answer) => {
          if (error) reject(error);
          else if (answer?.length !== BARE_RESPONSE_BYTES) reject(new Error(`bare answer of ${answer?.length} bytes`));
          else resolve();
        }),
      ),
    close: async () => {
      client.close();
      await stopChild(child);
    },
  };
}
