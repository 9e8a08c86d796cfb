// Posting one server action to nova, once per request_id, with nova's refusals turned into errors that name the
// server's state.
import { OaktreeError } from '../../../core/errors.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, type SessionResponse } from '../transport/index.ts';
import { notifyServerWrite } from '../watch/handlers.ts';
import type { Raw } from './nova.ts';
import { stateRefusal } from './server-refusal.ts';

/** POST /servers/<id>/action; never retried by the transport (a second reboot is not harmless). */
export async function postServerAction(
  ctx: RegionContext,
  server: Raw,
  action: string,
  body: Raw,
  signal: AbortSignal,
): Promise<SessionResponse> {
  try {
    const res = await ctx.session.request('compute', ctx.region, {
      method: 'POST',
      path: `/servers/${encodeURIComponent(String(server.id))}/action`,
      body,
      signal,
    });
    notifyServerWrite(ctx);
    return res;
  } catch (error) {
    throw stateRefusal(ctx, error, server, action);
  }
}

/**
 * Runs `post` once per request_id (when one is given): a retry gets what the first run returned instead of
 * acting again. The stored result names the server and the action, so a request_id reused for something else
 * is refused rather than silently skipped.
 */
export async function oncePerRequestId<T extends { serverId: string; action: string }>(
  ctx: RegionContext,
  requestId: string,
  expected: { serverId: string; action: string },
  post: () => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  if (!requestId) return post();
  const done = await ctx.services.requestLocks.lockByRequestId(
    `server-action:${ctx.credentialKey}:${requestId}`,
    post,
    {
      signal,
    },
  );
  if (done.serverId !== expected.serverId || done.action !== expected.action)
    throw new OaktreeError(
      GrpcStatus.INVALID_ARGUMENT,
      `request_id was already used to ${done.action} server ${done.serverId}; use a new request_id for another action`,
    );
  return done;
}
