// DeleteServer, WaitForServer and GetServerConsole.
import type { CallContext } from '../../../core/call-context.ts';
import {
  ServerStatus,
  type DeleteServerRequest,
  type DeleteServerResponse,
  type GetServerConsoleRequest,
  type GetServerConsoleResponse,
  type WaitForServerRequest,
  type WaitForServerResponse,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { deleteFloatingIpsOfServer } from '../network/floating-ips.ts';
import { objectLocation, serverZone } from '../normalize/location.ts';
import { serverStatus } from '../normalize/server.ts';
import type { RegionResolver } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';
import { isNotFound, type Raw } from './nova.ts';
import { stateRefusal } from './server-refusal.ts';
import { normalizeOne } from './server-view.ts';
import { findServerRaw } from './servers.ts';
import { streamFrom } from './stream.ts';
import { serverFingerprint, waitForServerGone, waitForServerStatus } from './wait.ts';
import { notifyServerWrite } from '../watch/handlers.ts';

export function deleteServerHandler(resolve: RegionResolver) {
  return async function deleteServer(
    request: DeleteServerRequest,
    target: Location,
    call: CallContext,
  ): Promise<DeleteServerResponse> {
    const ctx = await resolve(target);
    const signal = call.signal;
    const raw = await findServerRaw(ctx, request.nameOrId, signal);
    const id = String(raw.id);
    // Floating IPs first, as openstacksdk does: once the server is gone its ports are, and the IPs are orphans.
    const floatingIpsDeleted = request.deleteFloatingIps ? await deleteFloatingIpsOfServer(ctx, id, signal) : 0;
    try {
      await ctx.session.request('compute', ctx.region, {
        method: 'DELETE',
        path: `/servers/${encodeURIComponent(id)}`,
        signal,
      });
    } catch (error) {
      if (!isNotFound(error)) throw stateRefusal(ctx, error, raw, 'delete'); // gone already: the wish is granted
    }
    notifyServerWrite(ctx);
    if (request.wait) await waitForServerGone(ctx, id, signal);
    return { location: objectLocation(ctx.location, raw, serverZone(raw)), id, floatingIpsDeleted };
  };
}

export function waitForServerHandler(resolve: RegionResolver) {
  return function waitForServer(
    request: WaitForServerRequest,
    target: Location,
    call: CallContext,
  ): AsyncIterable<WaitForServerResponse> {
    return streamFrom<WaitForServerResponse>(call.signal, async (emit, signal) => {
      const ctx = await resolve(target);
      const wanted = new Set(request.until.length ? request.until : [ServerStatus.SERVER_STATUS_ACTIVE]);
      const statusOf = (r: Raw) => serverStatus(r.status, r['OS-EXT-STS:task_state']);
      // Decided on the change the poller saw: a wanted status, ERROR, or (when wanted) DELETED.
      const final = (r: Raw) => wanted.has(statusOf(r)) || statusOf(r) === ServerStatus.SERVER_STATUS_ERROR;
      // The first message is the server as the region's view holds it now; then every change worth showing.
      let shown: string | undefined;
      const last = await waitForServerStatus(
        ctx,
        request.nameOrId,
        final,
        signal,
        async (r) => {
          if (serverFingerprint(r) === shown) return;
          shown = serverFingerprint(r);
          emit({ server: await normalizeOne(ctx, r, signal) });
        },
        { expectGone: wanted.has(ServerStatus.SERVER_STATUS_DELETED) },
      );
      if (!wanted.has(statusOf(last))) {
        const message = (last.fault as { message?: unknown } | undefined)?.message;
        const fault = message ? `: ${String(message).trim()}` : '';
        throw new OaktreeError(GrpcStatus.ABORTED, `server ${last.name} (${last.id}) went to ERROR${fault}`);
      }
    });
  };
}

export function getServerConsoleHandler(resolve: RegionResolver) {
  return async function getServerConsole(
    request: GetServerConsoleRequest,
    target: Location,
    call: CallContext,
  ): Promise<GetServerConsoleResponse> {
    const ctx = await resolve(target);
    const raw = await findServerRaw(ctx, request.nameOrId, call.signal);
    const id = String(raw.id);
    const body = { 'os-getConsoleOutput': { length: request.lines > 0 ? request.lines : null } };
    let output: unknown;
    try {
      const res = await ctx.session.request('compute', ctx.region, {
        method: 'POST',
        path: `/servers/${encodeURIComponent(id)}/action`,
        body,
        signal: call.signal,
        idempotent: true,
      });
      output = (res.body as Raw)?.output;
    } catch (error) {
      // Clouds without console logs answer 501, or 400/404 naming the action (Ironic, some vendors).
      if (
        error instanceof OpenStackHttpError &&
        (error.status === 501 ||
          (error.status !== 404 && /no such action|not implemented|unsupported/i.test(error.message)))
      ) {
        throw new OaktreeError(
          GrpcStatus.UNIMPLEMENTED,
          `${describeLocation(ctx.location)} offers no console output for servers`,
        );
      }
      throw error;
    }
    let text = typeof output === 'string' ? output : '';
    if (request.lines > 0)
      text = text
        .split('\n')
        .slice(-request.lines - (text.endsWith('\n') ? 1 : 0))
        .join('\n');
    return { location: objectLocation(ctx.location, raw, serverZone(raw)), serverId: id, output: text };
  };
}
