// Runs the client commands in this process (the same Command tree main.ts builds), capturing stdout, stderr and
// the exit code: the CLI's own code over a real socket, without paying a process start per command.
import { Command, CommanderError } from 'commander';
import { registerClientCommands } from '../../../src/cli/commands/index.ts';
import { io } from '../../../src/cli/commands/context.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

class Exit extends Error {}

/** One command at a time: the CLI writes through one shared `io`. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const saved = { ...io };
  const stdout: string[] = [];
  const stderr: string[] = [];
  let code = 0;
  io.stdout = {
    write: (chunk, done) => (
      stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()), done?.(), true
    ),
    isTTY: false,
  };
  io.stderr = { write: (chunk) => (stderr.push(chunk), true), isTTY: false };
  io.env = env;
  io.exit = (exitCode) => {
    code = exitCode;
    throw new Exit();
  };
  const program = new Command().name('oaktree');
  registerClientCommands(program);
  try {
    await program.parseAsync(['node', 'oaktree', ...args]);
  } catch (error) {
    if (!(error instanceof Exit) && !(error instanceof CommanderError)) throw error;
  } finally {
    Object.assign(io, saved);
  }
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}
