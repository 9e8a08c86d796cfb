// Neutron's refusals of a write, re-coded for the caller: what conflicts with the cloud's state (in use, overlapping
// CIDRs, already routed) is FAILED_PRECONDITION, a duplicate is ALREADY_EXISTS, and every message names the object
// and the location. Neutron's own words follow (bounded by the transport), so the reason is never lost.
import { describeLocation } from '../../../core/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import type { RegionContext } from '../region.ts';
import { GrpcStatus, OpenStackHttpError } from '../transport/index.ts';

const IN_USE = /in use|still attached|have an IP allocation|overlaps|already has a port|is used by/i;
const DUPLICATE = /already exists|already allocated|is already in use by another|duplicate/i;
/** A project's default group: a member may not remove it, nobody may rename it (409, not a reason to retry). */
const DEFAULT_GROUP = /(removing|updating) default security group/i;

/** The gRPC code for Neutron's answer to a write; undefined: keep the transport's. */
export function writeCode(error: OpenStackHttpError): GrpcStatus | undefined {
  const message = error.serviceMessage ?? '';
  if (error.status === 409 && DUPLICATE.test(message)) return GrpcStatus.ALREADY_EXISTS;
  if ((error.status === 409 || error.status === 400) && IN_USE.test(message)) return GrpcStatus.FAILED_PRECONDITION;
  if (error.status === 409 && DEFAULT_GROUP.test(message)) return GrpcStatus.FAILED_PRECONDITION;
  return undefined;
}

/** Runs a Neutron write about `what` ("network web", "router r1"); its HTTP errors name the object and place. */
export async function neutronWrite<T>(ctx: RegionContext, what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof OpenStackHttpError)) throw error;
    const code = writeCode(error) ?? error.code;
    const reason = error.serviceMessage ?? `HTTP ${error.status}`;
    throw new OaktreeError(code, `${what} in ${describeLocation(ctx.location)}: ${reason}`);
  }
}

/** A Neutron request whose JSON answer carries `key`. */
export async function neutronSend(
  ctx: RegionContext,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<Record<string, any>> {
  const res = await ctx.session.request('network', ctx.region, { method, path, body, signal });
  return (res.body ?? {}) as Record<string, any>;
}
