// A real redis-server for tests: on a unix socket, no persistence, killed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface TestRedis {
  url: string;
  close(): Promise<void>;
}

/** `extraArgs`: more redis-server options, e.g. ['--requirepass', PASSWORD]. */
export async function startRedis(extraArgs: string[] = []): Promise<TestRedis> {
  // A unix socket in a fresh folder instead of a TCP port: nothing to probe, nothing another run can take.
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-redis-'));
  const socket = join(dir, 'redis.sock');
  const args = [
    '--port',
    '0',
    '--unixsocket',
    socket,
    '--unixsocketperm',
    '700',
    '--save',
    '',
    '--appendonly',
    'no',
    ...extraArgs,
  ];
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const log: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server not ready on ${socket} within 10 s:\n${log.join('\n')}`)),
        10_000,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        log.push(line);
        if (/ready to accept connections/i.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${log.join('\n')}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `unix://${socket}`,
    async close() {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
