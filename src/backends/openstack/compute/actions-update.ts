// UpdateServer: a new name and/or description (PUT /servers/<id>).
import type { CallContext } from '../../../core/call-context.ts';
import type { UpdateServerRequest, UpdateServerResponse } from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import type { RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { notifyServerWrite } from '../watch/handlers.ts';
import { microversion, mvAtLeast, type Raw } from './nova.ts';
import { stateRefusal } from './server-refusal.ts';
import { normalizeOne } from './server-view.ts';
import { findServerRaw } from './servers.ts';

export function updateServerHandler(resolve: RegionResolver) {
  return async function updateServer(
    request: UpdateServerRequest,
    target: Location,
    call: CallContext,
  ): Promise<UpdateServerResponse> {
    const ctx = await resolve(target);
    const signal = call.signal;
    const raw = await findServerRaw(ctx, request.nameOrId, signal);
    const change: Raw = {};
    if (request.name.trim()) change.name = request.name;
    if (request.description !== undefined) {
      const mv = await microversion(ctx, signal);
      if (!mvAtLeast(mv, 2, 19))
        throw new OaktreeError(
          GrpcStatus.FAILED_PRECONDITION,
          `a server description needs compute microversion 2.19; ${describeLocation(ctx.location)} offers ${mv}`,
        );
      change.description = request.description;
    }
    const res = await ctx.session
      .request('compute', ctx.region, {
        method: 'PUT',
        path: `/servers/${encodeURIComponent(String(raw.id))}`,
        body: { server: change },
        signal,
        idempotent: true,
      })
      .catch((error) => {
        throw stateRefusal(ctx, error, raw, 'update');
      });
    notifyServerWrite(ctx);
    const updated = (res.body as Raw)?.server;
    // Nova answers with the whole server; keep what it does not show in that answer (e.g. the fault) from before.
    return { server: await normalizeOne(ctx, { ...raw, ...(updated ?? change) }, signal) };
  };
}
