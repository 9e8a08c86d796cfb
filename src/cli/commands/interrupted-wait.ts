// Waits that tell the truth when they stop early. Ctrl-C or --timeout during a --wait must not leave the user
// guessing: say what exists (id, location, state), what was not done yet, and the commands that finish or clean
// up. Exit 130 for Ctrl-C (128 + SIGINT, the shell convention), 1 for a deadline.
import { AddressType, type Server } from '../../gen/oaktree/v1/compute.ts';
import { OaktreeError, Status, serverStatusName } from '../../client/index.ts';
import { ExitCode } from './exit-codes.ts';

/** Thrown to end a command after an interrupted wait; `reportError` prints `message` and exits with `exitCode`. */
export class InterruptedWait extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export type StopReason = 'interrupted' | 'deadline';

/** How long the lookup after a stopped wait may take: Ctrl-C should still feel quick. */
export const LOOKUP_MS = 5000;

/** An AbortSignal that Ctrl-C fires while `run` is in progress (the default SIGINT exit is held off till then). */
async function withCtrlC<T>(run: (signal: AbortSignal, interrupted: () => boolean) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await run(controller.signal, () => controller.signal.aborted);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** Did this error end the wait early (Ctrl-C or the deadline), rather than the cloud failing it? */
function stoppedEarly(error: unknown, interrupted: boolean): StopReason | undefined {
  if (interrupted) return 'interrupted';
  if (error instanceof OaktreeError && error.code === Status.DEADLINE_EXCEEDED && !error.inBand) return 'deadline';
  return undefined;
}

/**
 * Runs a call that waits, with Ctrl-C wired to cancel it. When Ctrl-C or the deadline stops it, `explain` says
 * what exists and how to go on; it runs after Ctrl-C is handed back, so a second Ctrl-C quits at once.
 */
export async function explainedWait<T>(
  run: (signal: AbortSignal) => Promise<T>,
  explain: (why: StopReason) => InterruptedWait | Promise<InterruptedWait>,
): Promise<T> {
  let why: StopReason | undefined;
  try {
    return await withCtrlC((signal, interrupted) =>
      run(signal).catch((error: unknown) => {
        why = stoppedEarly(error, interrupted());
        throw error;
      }),
    );
  } catch (error) {
    if (!why) throw error;
    throw await explain(why);
  }
}

const reasonOf = (why: StopReason) => (why === 'interrupted' ? 'interrupted' : 'the deadline (--timeout) passed');
const exitCodeOf = (why: StopReason) => (why === 'interrupted' ? ExitCode.INTERRUPTED : ExitCode.ERROR);

/** --cloud and --region of a location (or of a selector, with what it names). */
export const placeFlags = (place?: { cloud?: string; region?: string }) =>
  [place?.cloud && `--cloud ${place.cloud}`, place?.region && `--region ${place.region}`].filter(Boolean).join(' ');

/** Something a wait was about, as the node last reported it or a lookup found it. */
export interface WaitedObject {
  /** 'volume', 'snapshot', 'server' ... */
  kind: string;
  name?: string;
  id: string;
  location?: { cloud: string; region: string };
  /** The cloud's word for its state. */
  status: string;
}

export interface StoppedWait {
  /** What the command was doing: 'creating volume data'. */
  doing: string;
  /** What exists now, or a phrase saying why that is not known ('there is no volume data now'). */
  found: WaitedObject | string;
  /** What is not done yet ('not available yet'), if anything. */
  notDone?: string;
  /** The commands that look, finish, undo or clean up: [label, command line]. */
  steps: Array<[string, string]>;
}

/** The account of a wait that stopped early: one line on what exists, then the commands to go on from there. */
export function stoppedWait(why: StopReason, report: StoppedWait): InterruptedWait {
  const { found } = report;
  const state =
    typeof found === 'string'
      ? found
      : `${found.kind} ${found.name ? `${found.name} ` : ''}(${found.id}) in ${found.location?.cloud}/${found.location?.region} is ${found.status}` +
        (report.notDone ? `; ${report.notDone}` : '');
  const lines = [`${reasonOf(why)} while ${report.doing}: ${state}.`];
  for (const [label, command] of report.steps) lines.push(`  ${`${label}:`.padEnd(9)} ${command}`);
  return new InterruptedWait(lines.join('\n'), exitCodeOf(why));
}

const serverPlace = (server: Server) =>
  `--cloud ${server.location?.cloud ?? '?'} --region ${server.location?.region ?? '?'}`;

export interface CreateWaitState {
  name: string;
  requestId: string;
  floatingIp: 'auto' | 'none' | 'always';
  /** The latest server the node reported, if any. */
  server?: Server;
  /** The latest stage (accepted, progress, attaching-floating-ip, ready, failed). */
  stage?: string;
}

/** What `server create --wait` leaves behind when it stops early, and how to go on from there. */
export function interruptedCreate(state: CreateWaitState, why: StopReason): InterruptedWait {
  const reason = reasonOf(why);
  const code = exitCodeOf(why);
  const server = state.server;
  if (!server?.id) {
    return new InterruptedWait(
      [
        `${reason} before the node reported server ${state.name}; it may still be created (request id ${state.requestId}).`,
        `  look:    oaktree server list --name ${state.name}`,
        `  finish:  repeat the same create with --request-id ${state.requestId} (it returns that server, never a second one)`,
      ].join('\n'),
      code,
    );
  }
  const hasFloating = server.addresses.some((a) => a.type === AddressType.ADDRESS_TYPE_FLOATING) || server.publicV4;
  const notDone: string[] = [];
  if (serverStatusName(server.status) !== 'ACTIVE') notDone.push('not ACTIVE yet');
  if (state.floatingIp !== 'none' && !hasFloating && state.stage !== 'ready')
    notDone.push('no floating IP attached yet');
  const where = `${server.location?.cloud}/${server.location?.region}`;
  const lines = [
    `${reason}: server ${server.name} (${server.id}) exists in ${where}, status ${serverStatusName(server.status)}` +
      (notDone.length ? `; ${notDone.join(', ')}.` : '.'),
    `  follow:   oaktree watch servers --server ${server.id} ${serverPlace(server)}`,
  ];
  if (notDone.length)
    lines.push(
      `  finish:   repeat the same create with --request-id ${state.requestId} --wait (it picks up this server)`,
    );
  if (notDone.includes('no floating IP attached yet'))
    lines.push(`  or:       oaktree floating-ip create --server ${server.id} ${serverPlace(server)}`);
  lines.push(`  clean up: oaktree server delete ${server.id} ${serverPlace(server)} --delete-floating-ips`);
  return new InterruptedWait(lines.join('\n'), code);
}

/** What `server delete --wait` leaves behind when it stops early. */
export function interruptedDelete(
  nameOrId: string,
  selector: { cloud?: string; region?: string },
  why: StopReason,
): InterruptedWait {
  const flags = placeFlags(selector);
  return new InterruptedWait(
    [
      `${reasonOf(why)} while deleting ${nameOrId}: the delete may have been accepted and go on in the cloud.`,
      `  look:    ${['oaktree server list --name', nameOrId, flags].filter(Boolean).join(' ')}`,
      `  finish:  ${['oaktree server delete', nameOrId, flags, '--wait'].filter(Boolean).join(' ')}`,
    ].join('\n'),
    exitCodeOf(why),
  );
}
