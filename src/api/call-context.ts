// The server middleware that reads what oaktree carries in gRPC metadata between nodes into a CallContext: the
// routing header (oaktree.mesh.v1.RoutingHeader: the path of nodes a call has passed, for loop safety, and the
// locations an upstream node assigned to this one, for exactly-once) and the caller's deadline (so the next hop
// gets the time that is left).
import { ServerError, type CallContext as GrpcCallContext, type ServerMiddleware } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import * as grpc from '@grpc/grpc-js';
import { type CallContext, ROUTING_HEADER } from '../core/call-context.ts';
import { routeKey } from '../core/location.ts';
import { decodeRoutingHeader } from '../core/routing-header.ts';
import type { AuthCallContextExt } from '../auth/middleware.ts';
import { toForwardedCaller } from '../auth/forwarded-caller.ts';

/** Set by this node's own interceptor (never trusted from the wire): the call's deadline in epoch ms. */
const DEADLINE_HEADER = 'oaktree-internal-deadline';

export interface OaktreeCallContextExt {
  oaktree: {
    call: CallContext;
    /** Route keys assigned by the upstream node, when the call came from a peer. */
    restrictTo?: ReadonlySet<string>;
  };
}

/**
 * A grpc-js interceptor that copies the call's real deadline into metadata for the middleware below.
 * nice-grpc does not expose the incoming deadline; grpc-js knows it from the grpc-timeout header.
 */
export const deadlineInterceptor: grpc.ServerInterceptor = (_descriptor, call) => {
  const intercepted: grpc.ServerInterceptingCall = new grpc.ServerInterceptingCall(call, {
    start(next) {
      next(
        new grpc.ServerListenerBuilder()
          .withOnReceiveMetadata((metadata, mdNext) => {
            metadata.remove(DEADLINE_HEADER);
            const deadline = call.getDeadline();
            const ms = deadline instanceof Date ? deadline.getTime() : deadline;
            // A call whose deadline has already passed (grpc-timeout 0) never reaches a handler: grpc-js would race
            // its deadline timer against the handler's first writes and could leave the stream without a status.
            if (Number.isFinite(ms) && ms <= Date.now()) {
              intercepted.sendStatus({
                code: grpc.status.DEADLINE_EXCEEDED,
                details: 'the deadline had passed when the call arrived',
                metadata: new grpc.Metadata(),
              });
              return;
            }
            if (Number.isFinite(ms)) metadata.set(DEADLINE_HEADER, String(ms));
            mdNext(metadata);
          })
          .build(),
      );
    },
  });
  return intercepted;
};

/** Builds the oaktree CallContext; refuses calls that have passed this node or too many nodes. */
export function oaktreeContextMiddleware(nodeId: string, maxHops: number): ServerMiddleware<OaktreeCallContextExt> {
  return async function* oaktreeContext(call, context) {
    const { via, assigned } = decodeRoutingHeader(context.metadata.getAll(ROUTING_HEADER));
    if (via.includes(nodeId)) {
      throw new ServerError(
        Status.FAILED_PRECONDITION,
        `routing loop: this call already passed node ${nodeId} (via ${via.join(' → ')}); check the peers in the topology`,
      );
    }
    if (via.length > maxHops) {
      throw new ServerError(
        Status.FAILED_PRECONDITION,
        `hop limit: this call passed ${via.length} nodes (${via.join(' → ')}), more than the limit of ${maxHops}`,
      );
    }
    const deadlineMs = Number(context.metadata.get(DEADLINE_HEADER));
    // Set by the auth middleware when the node runs with auth: the router filters by it, peers get the caller.
    const auth = (context as GrpcCallContext & AuthCallContextExt).auth;
    const ext: OaktreeCallContextExt = {
      oaktree: {
        call: {
          signal: context.signal,
          deadline: Number.isFinite(deadlineMs) && deadlineMs > 0 ? new Date(deadlineMs) : undefined,
          via: [...via, nodeId],
          access: auth?.authorization,
          caller: auth && toForwardedCaller(auth.identity),
        },
        restrictTo: assigned && new Set(assigned.map(routeKey)),
      },
    };
    return yield* call.next(call.request, { ...context, ...ext });
  };
}

export type OaktreeContext = GrpcCallContext & OaktreeCallContextExt;
