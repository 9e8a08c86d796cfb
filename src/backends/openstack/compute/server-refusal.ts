// Nova refuses a change to a server its state forbids with 409: locked ("Instance <id> is locked"), or a vm_state
// or task_state the change does not allow ("Cannot '<action>' instance <id> while it is in task_state ..."). The
// transport reads a bare 409 as ABORTED (retry may help); this is the caller's precondition, so every server write
// (actions, metadata, tags, rename, delete) re-codes it here, naming what the server is.
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import type { Raw } from './nova.ts';

/** How a server's state reads in messages: "ACTIVE", "RESIZE (task resize_prep)", "ACTIVE, locked". */
export function stateOf(server: Raw): string {
  const task = server['OS-EXT-STS:task_state'];
  return `${server.status}${task ? ` (task ${task})` : ''}${server.locked === true ? ', locked' : ''}`;
}

/**
 * A 409 from nova for `doing` ("reboot", "change the metadata of") becomes FAILED_PRECONDITION naming the server's
 * state and the cloud's words; any other error passes through unchanged.
 */
export function stateRefusal(ctx: RegionContext, error: unknown, server: Raw, doing: string): unknown {
  if (!(error instanceof OpenStackHttpError) || error.status !== 409) return error;
  const why = error.serviceMessage ? `; the cloud says: ${error.serviceMessage}` : '';
  return new OaktreeError(
    GrpcStatus.FAILED_PRECONDITION,
    `cannot ${doing} server ${server.name} (${server.id}) in ${describeLocation(ctx.location)}: it is ${stateOf(server)}${why}`,
  );
}
