// What every client command shares: the options (endpoint, selector, format, strict, timeout), the SDK client,
// progress on stderr when it is a terminal, warnings for in-band errors, and errors as one line with an exit code.
import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { connect, OaktreeError, type ListStream, type OaktreeClient, type Selector } from '../../client/index.ts';
import { withEnvironment } from '../../client/connect-options.ts';
import { ExitCode } from './exit-codes.ts';
import { OsCloudUsageError, resolveBearer } from './os-cloud.ts';
import { FORMATS, renderList, renderOne, type Format, type RenderOptions, type View } from './output.ts';
import { describeUnreachable, normalizeEndpoint } from './endpoint.ts';
import { InterruptedWait } from './interrupted-wait.ts';
import { numberOption, SECONDS_ABOVE_0 } from './numbers.ts';

export const DEFAULT_ENDPOINT = '127.0.0.1:50051';

/** Where the commands write and how they leave; tests swap it to run commands in-process. */
export interface CliIO {
  stdout: { write(chunk: string | Uint8Array, done?: () => void): boolean; isTTY?: boolean };
  stderr: { write(chunk: string): boolean; isTTY?: boolean };
  env: Record<string, string | undefined>;
  exit(code: number): void;
}

export const io: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  exit: (code) => process.exit(code),
};

export interface CommonFlags {
  endpoint?: string;
  format: Format;
  cloud?: string;
  region?: string;
  zone?: string;
  project?: string;
  strict?: boolean;
  timeout?: number;
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  token?: string;
  osCloud?: string;
  /** -c COLUMN (repeatable), --long, --sort-column (repeatable), --sort-descending: the openstack CLI's habits. */
  column?: string[];
  long?: boolean;
  sortColumn?: string[];
  sortAscending?: boolean;
  sortDescending?: boolean;
}

/** A wrong value on the command line: exit code 2, like commander's own usage errors. */
export class UsageError extends Error {}

export class CliContext {
  readonly flags: CommonFlags;
  readonly selector: Selector;
  private clientInstance: OaktreeClient | undefined;
  private bearer: string | undefined;
  /** Set when a list returned in-band errors: the command then exits with PARTIAL. */
  partial = false;
  /** Set when every location a list asked failed: the command then exits with ERROR, not PARTIAL. */
  allFailed = false;
  private readonly failures: OaktreeError[] = [];

  /** `flags` may come from before the subcommand too (optsWithGlobals); the subcommand's own win. */
  constructor(flags: Partial<CommonFlags>) {
    this.flags = { ...flags, format: flags.format ?? 'table' };
    this.selector = {
      ...(flags.cloud ? { cloud: flags.cloud } : {}),
      ...(flags.region ? { region: flags.region } : {}),
      ...(flags.zone ? { zone: flags.zone } : {}),
      ...(flags.project ? { project: flags.project } : {}),
    };
  }

  get endpoint(): string {
    return normalizeEndpoint(this.flags.endpoint || io.env.OAKTREE_ENDPOINT || DEFAULT_ENDPOINT);
  }

  get client(): OaktreeClient {
    this.clientInstance ??= connect(
      this.endpoint,
      withEnvironment(
        {
          ...(this.flags.timeout ? { timeoutMs: this.flags.timeout * 1000 } : {}),
          ca: this.flags.ca,
          cert: this.flags.cert,
          key: this.flags.key,
          serverName: this.flags.serverName,
          token: this.bearer,
        },
        io.env,
      ),
    );
    return this.clientInstance;
  }

  /** Settles the bearer token (a Keystone exchange for --os-cloud / OS_CLOUD) before the first call. */
  async authenticate(): Promise<void> {
    const env = io.env;
    const tls = Boolean(
      this.flags.ca || this.flags.cert || env.OAKTREE_CA || env.OAKTREE_CERT || this.endpoint.startsWith('https://'),
    );
    const signal = this.flags.timeout ? AbortSignal.timeout(this.flags.timeout * 1000) : undefined;
    this.bearer = await resolveBearer({ token: this.flags.token, osCloud: this.flags.osCloud, tls, env }, signal);
  }

  /** List options: strict from the flag; in-band errors as warnings on stderr. */
  get listOptions() {
    return {
      strict: this.flags.strict ?? false,
      onError: (error: OaktreeError) => {
        this.partial = true;
        this.failures.push(error);
        io.stderr.write(`oaktree: warning: ${error.toString()}\n`);
      },
    };
  }

  async printList<T>(stream: ListStream<T>, view: View<T>, sort?: (a: T, b: T) => number): Promise<void> {
    this.printObjects(await stream.toArray(), view, sort);
  }

  printObjects<T>(objects: T[], view: View<T>, sort?: (a: T, b: T) => number): void {
    if (sort) objects.sort(sort);
    if (this.partial && objects.length === 0) this.emptyAfterFailures = true;
    io.stdout.write(renderList(objects, view, this.flags.format, this.renderOptions));
  }

  printOne<T>(object: T, view: Pick<View<T>, 'toJSON'>): void {
    io.stdout.write(renderOne(object, view, this.flags.format, this.renderOptions));
  }

  get renderOptions(): RenderOptions {
    return {
      columns: this.flags.column,
      long: this.flags.long,
      sortColumns: this.flags.sortColumn,
      descending: Boolean(this.flags.sortDescending),
    };
  }

  private emptyAfterFailures = false;

  /**
   * After a list that printed nothing but warnings: did every location it asked fail (exit 1), or did some answer
   * with nothing (exit 3)? One ListLocations call tells which locations the selector reaches.
   */
  async settleFailures(): Promise<void> {
    if (!this.emptyAfterFailures) return;
    const failed = (place: { cloud: string; region: string }) =>
      this.failures.some(
        (e) => e.location?.cloud === place.cloud && (!e.location.region || e.location.region === place.region),
      );
    try {
      const reached = await this.client.listLocations(this.selector, { timeoutMs: 5000 }).toArray();
      this.allFailed = reached.every(failed);
    } catch {
      this.allFailed = true;
    }
  }

  /** Progress for humans: on stderr, only when stderr is a terminal, rewritten in place. */
  progress(text: string): void {
    if (!io.stderr.isTTY) return;
    io.stderr.write(`\r\x1b[K${text}`);
  }

  endProgress(): void {
    if (io.stderr.isTTY) io.stderr.write('\r\x1b[K');
  }

  close(): void {
    this.clientInstance?.close();
  }
}

const parseTimeout = numberOption(SECONDS_ABOVE_0);

/** Adds the options every client command takes. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--endpoint <host:port>', `the oaktree node (env OAKTREE_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .addOption(new Option('-f, --format <format>', 'output format (default table)').choices(FORMATS))
    .option('-c, --column <name>', 'print only this column (repeatable; a table header or a JSON field)', repeatable)
    .option('--long', 'more columns')
    .option('--sort-column <name>', 'sort rows by this column (repeatable: ties go to the next)', repeatable)
    .addOption(new Option('--sort-ascending', 'sort ascending (the default)').conflicts('sortDescending'))
    .option('--sort-descending', 'sort descending')
    .option('--cloud <name>', 'only this cloud')
    .option('--region <name>', 'only this region')
    .option('--zone <name>', 'only this availability zone')
    .option('--project <name>', 'only this project (name)')
    .option('--strict', 'fail when any location fails, instead of printing what the others returned')
    .option('--timeout <seconds>', 'give up after this many seconds', parseTimeout)
    .option('--ca <file>', 'connect with TLS, trusting this CA (env OAKTREE_CA)')
    .option('--cert <file>', 'client certificate for mTLS (env OAKTREE_CERT)')
    .option('--key <file>', 'the key of --cert (env OAKTREE_KEY)')
    .option(
      '--server-name <name>',
      "the name the node's certificate carries, if not the endpoint's host (env OAKTREE_SERVER_NAME)",
    )
    .option(
      '--token <token>',
      'bearer token sent with every call (env OAKTREE_TOKEN, which keeps it out of the process list)',
    )
    .option(
      '--os-cloud <name>',
      'authenticate as the Keystone user of this entry of your clouds.yaml (env OS_CLOUD, used on TLS connections when no token is given)',
    );
}

/** Runs a command's work with the shared context; turns every failure into one line and an exit code. */
export function action(
  run: (ctx: CliContext, options: any, ...positionals: any[]) => Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = new CliContext(command.optsWithGlobals() as Partial<CommonFlags>);
    let code: number = ExitCode.OK;
    try {
      await ctx.authenticate();
      await run(ctx, command.opts(), ...args.slice(0, -2));
      await ctx.settleFailures();
      if (ctx.partial) code = ctx.allFailed ? ExitCode.ERROR : ExitCode.PARTIAL;
    } catch (error) {
      ctx.endProgress();
      code = reportError(error, ctx.endpoint);
    } finally {
      ctx.close();
    }
    if (code !== ExitCode.OK) {
      // Let stdout drain, then leave with the code (main.ts only knows success or a crash).
      await new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
      io.exit(code);
    }
  };
}

export function reportError(error: unknown, endpoint?: string): number {
  const unreachable = endpoint === undefined ? undefined : describeUnreachable(error, endpoint);
  if (unreachable) {
    io.stderr.write(`oaktree: ${unreachable}\n`);
    return ExitCode.ERROR;
  }
  if (error instanceof OaktreeError) {
    io.stderr.write(`oaktree: ${error.toString()}\n`);
    return ExitCode.ERROR;
  }
  if (error instanceof InterruptedWait) {
    io.stderr.write(`oaktree: ${error.message}\n`);
    return error.exitCode;
  }
  if (
    error instanceof UsageError ||
    error instanceof OsCloudUsageError ||
    error instanceof RangeError ||
    error instanceof InvalidArgumentError
  ) {
    io.stderr.write(`oaktree: ${error.message}\n(run with --help for usage)\n`);
    return ExitCode.USAGE;
  }
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : ExitCode.USAGE;
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`oaktree: ${message}\n`);
  return ExitCode.ERROR;
}

/** Usage errors from commander (unknown option, missing argument) exit with 2, help and version with 0. */
export function usageExits(command: Command): Command {
  return command
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .exitOverride((error) => {
      io.exit(error.exitCode === 0 ? 0 : ExitCode.USAGE);
      throw error;
    });
}

/** Repeatable key=value options (--property os_distro=ubuntu). */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Repeatable options (--network a --network b). */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
