// One log line per write: who, what, where, which request, and how it ended. `audit: true` lets a log pipeline
// route these lines to the audit trail.
import type { Logger } from 'pino';
import { Status } from 'nice-grpc-common';
import type { Location, LocationSelector } from '../gen/oaktree/v1/location.ts';
import type { Identity } from './identity.ts';

export interface AuditEvent {
  /** Who called; absent on a node without auth (a personal tool on loopback), which still audits its writes. */
  identity?: Identity;
  /** The RPC name or gRPC path. */
  method: string;
  location: Location | LocationSelector | undefined;
  requestId?: string;
  /** The gRPC status the write ended with (0 = OK). */
  code: Status;
}

export function audit(logger: Pick<Logger, 'info'>, event: AuditEvent): void {
  const { identity, location } = event;
  logger.info(
    {
      audit: true,
      subject: identity?.subject ?? 'anonymous (the node has no auth configured)',
      forwardedBy: identity?.forwardedBy,
      authMethod: identity?.method,
      user: identity?.user?.name ?? identity?.user?.id,
      project: identity?.project?.name ?? identity?.project?.id,
      rpc: event.method.slice(event.method.lastIndexOf('/') + 1),
      location: location
        ? {
            cloud: location.cloud,
            region: location.region,
            zone: location.zone,
            project: location.project?.name || location.project?.id || undefined,
          }
        : undefined,
      requestId: event.requestId,
      code: Status[event.code] ?? String(event.code),
    },
    'audit',
  );
}
