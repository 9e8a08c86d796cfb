// RunServerAction: find the server, post the action once (per request_id), then, when asked, stream the server's
// changes from the shared poller until nova has finished, confirming a resize on the way when told to.
import type { CallContext } from '../../../core/call-context.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import {
  ServerActionStage,
  type RunServerActionRequest,
  type RunServerActionResponse,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import type { RegionContext, RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { planAction } from './actions.ts';
import { oncePerRequestId, postServerAction } from './actions-post.ts';
import { stateOf } from './server-refusal.ts';
import { isSettled, waitUntilSettled } from './actions-wait.ts';
import type { Raw } from './nova.ts';
import { normalizeOne } from './server-view.ts';
import { findServerRaw, getServerRaw } from './servers.ts';
import { streamFrom } from './stream.ts';
import { serverFingerprint } from './wait.ts';

/** What a posted action leaves behind (kept per request_id, so JSON only). */
interface Posted {
  serverId: string;
  action: string;
  /** Nova statuses that mean done as asked; empty: the status does not change. */
  endsIn: string[];
  synchronous: boolean;
  /** When nova accepted it (epoch ms): the wait starts from a poll after this. */
  postedAt: number;
}

/** The server's message for the failure of an action that ended in ERROR or elsewhere than asked. */
export function endedBadly(
  ctx: RegionContext,
  raw: Raw,
  action: string,
  endsIn: readonly string[],
): string | undefined {
  const status = String(raw.status ?? '').toUpperCase();
  if (status !== 'ERROR' && (endsIn.length === 0 || endsIn.includes(status))) return undefined;
  const message = (raw.fault as { message?: unknown } | undefined)?.message;
  const fault = message ? `: ${String(message).trim().slice(0, 500)}` : '';
  const wanted = status === 'ERROR' ? '' : ` instead of ${endsIn.join(' or ')}`;
  return `${action} of server ${raw.name} (${raw.id}) in ${describeLocation(ctx.location)} ended ${stateOf(raw)}${wanted}${fault}; the server still exists`;
}

export function runServerActionHandler(resolve: RegionResolver) {
  return function runServerAction(
    request: RunServerActionRequest,
    target: Location,
    call: CallContext,
  ): AsyncIterable<RunServerActionResponse> {
    return streamFrom<RunServerActionResponse>(call.signal, async (emit, signal) => {
      const action = request.action;
      if (!action) throw new OaktreeError(GrpcStatus.INVALID_ARGUMENT, 'action is required');
      const ctx = await resolve(target);
      const before = await findServerRaw(ctx, request.nameOrId, signal);
      const serverId = String(before.id);
      // The action as the proto names it (shelve_offload, confirm_resize), for messages and the request_id record.
      const label = action.$case.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const send = async (stage: ServerActionStage, raw: Raw) =>
        emit({ stage, server: await normalizeOne(ctx, raw, signal) });

      let ranNow = false;
      const posted = await oncePerRequestId<Posted>(
        ctx,
        request.requestId,
        { serverId, action: label },
        async () => {
          if (
            (action.$case === 'confirmResize' || action.$case === 'revertResize') &&
            before.status !== 'VERIFY_RESIZE'
          )
            throw new OaktreeError(
              GrpcStatus.FAILED_PRECONDITION,
              `server ${before.name} (${serverId}) in ${describeLocation(ctx.location)} is ${stateOf(before)}, not waiting for a resize to be confirmed (VERIFY_RESIZE)`,
            );
          const plan = await planAction(ctx, action, before, signal);
          await postServerAction(ctx, before, label, plan.body, signal);
          ranNow = true;
          const { endsIn, synchronous = false } = plan;
          return { serverId, action: label, endsIn: [...endsIn], synchronous, postedAt: Date.now() };
        },
        signal,
      );
      let current = (await getServerRaw(ctx, serverId, signal)) ?? before;
      await send(ServerActionStage.SERVER_ACTION_STAGE_ACCEPTED, current);
      const autoConfirm = action.$case === 'resize' && action.value.autoConfirm;
      if (!request.wait && !autoConfirm) return;
      if (posted.synchronous) {
        await send(ServerActionStage.SERVER_ACTION_STAGE_DONE, current);
        return;
      }

      const settle = async (after: number, confirming: boolean) => {
        let shown = serverFingerprint(current);
        const stillGoing = (raw: Raw) => confirming && raw.status === 'VERIFY_RESIZE';
        current = await waitUntilSettled(
          ctx,
          serverId,
          after,
          signal,
          async (raw) => {
            // The settled state gets its own message (DONE or FAILED).
            if ((isSettled(raw) && !stillGoing(raw)) || serverFingerprint(raw) === shown) return;
            shown = serverFingerprint(raw);
            await send(ServerActionStage.SERVER_ACTION_STAGE_PROGRESS, raw);
          },
          stillGoing,
        );
      };
      await settle(posted.postedAt, action.$case === 'confirmResize');
      let endsIn = posted.endsIn;
      if (autoConfirm && current.status === 'VERIFY_RESIZE') {
        await postServerAction(ctx, current, 'confirm the resize of', { confirmResize: null }, signal);
        endsIn = ['ACTIVE', 'SHUTOFF'];
        await settle(Date.now(), true);
      }
      // A retry of an action done earlier reports the server as it is: it may have changed since, on purpose.
      const failure = endedBadly(ctx, current, label, ranNow ? endsIn : []);
      if (failure) {
        await send(ServerActionStage.SERVER_ACTION_STAGE_FAILED, current);
        throw new OaktreeError(GrpcStatus.ABORTED, failure);
      }
      await send(ServerActionStage.SERVER_ACTION_STAGE_DONE, current);
    });
  };
}
