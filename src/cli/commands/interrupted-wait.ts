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

/** An AbortSignal that Ctrl-C fires while `run` is in progress (the default SIGINT exit is held off till then). */
export async function withCtrlC<T>(run: (signal: AbortSignal, interrupted: () => boolean) => Promise<T>): Promise<T> {
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
export function stoppedEarly(error: unknown, interrupted: boolean): 'interrupted' | 'deadline' | undefined {
  if (interrupted) return 'interrupted';
  if (error instanceof OaktreeError && error.code === Status.DEADLINE_EXCEEDED && !error.inBand) return 'deadline';
  return undefined;
}

const placeFlags = (server: Server) =>
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
export function interruptedCreate(state: CreateWaitState, why: 'interrupted' | 'deadline'): InterruptedWait {
  const reason = why === 'interrupted' ? 'interrupted' : 'the deadline (--timeout) passed';
  const code = why === 'interrupted' ? ExitCode.INTERRUPTED : ExitCode.ERROR;
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
    `  follow:   oaktree watch servers --server ${server.id} ${placeFlags(server)}`,
  ];
  if (notDone.length)
    lines.push(
      `  finish:   repeat the same create with --request-id ${state.requestId} --wait (it picks up this server)`,
    );
  if (notDone.includes('no floating IP attached yet'))
    lines.push(`  or:       oaktree floating-ip create --server ${server.id} ${placeFlags(server)}`);
  lines.push(`  clean up: oaktree server delete ${server.id} ${placeFlags(server)} --delete-floating-ips`);
  return new InterruptedWait(lines.join('\n'), code);
}

/** What `server delete --wait` leaves behind when it stops early. */
export function interruptedDelete(
  nameOrId: string,
  selector: { cloud?: string; region?: string },
  why: 'interrupted' | 'deadline',
): InterruptedWait {
  const reason = why === 'interrupted' ? 'interrupted' : 'the deadline (--timeout) passed';
  const flags = [selector.cloud && `--cloud ${selector.cloud}`, selector.region && `--region ${selector.region}`]
    .filter(Boolean)
    .join(' ');
  return new InterruptedWait(
    [
      `${reason} while deleting ${nameOrId}: the delete may have been accepted and go on in the cloud.`,
      `  look:    ${['oaktree server list --name', nameOrId, flags].filter(Boolean).join(' ')}`,
      `  finish:  ${['oaktree server delete', nameOrId, flags, '--wait'].filter(Boolean).join(' ')}`,
    ].join('\n'),
    why === 'interrupted' ? ExitCode.INTERRUPTED : ExitCode.ERROR,
  );
}
