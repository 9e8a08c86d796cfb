// What handlers do with a request before the router sees it: validate, then list or find.
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { Action, ListMethod, ListResponse, ObjectOf } from '../core/methods.ts';
import type { Location, LocationError, LocationSelector } from '../gen/oaktree/v1/location.ts';
import type { Router } from '../mesh/router.ts';
import { describeLocation, describeSelector, routeSelectorFor, selectorProblem } from '../core/location.ts';
import type { OaktreeContext } from './call-context.ts';
import { statusName } from '../core/errors.ts';
import { ResponseBatch } from '../core/response-batch.ts';

interface Located {
  location?: LocationSelector | undefined;
}

/** INVALID_ARGUMENT with a message that says what to fix, for a selector a user got wrong. */
export function checkSelector(selector: LocationSelector | undefined): void {
  const problem = selectorProblem(selector);
  if (problem) throw new ServerError(Status.INVALID_ARGUMENT, problem);
}

/** A list RPC: validate, fan out, merge. */
export function listFrom<Req extends Located & { strict?: boolean }, Res extends ListResponse>(
  router: Router,
  method: ListMethod<Req, Res>,
  request: Req,
  context: OaktreeContext,
): AsyncIterable<Res> {
  method.validate(request);
  return router.list(method, request, context.oaktree.call, listOptions(request, context));
}

/**
 * A list RPC as its handler gives it to the node's middleware: in the backends' batches, each one value that the
 * call's writer sends as separate messages (core/response-batch.ts).
 */
export async function* listInBatches<Req extends Located & { strict?: boolean }, Res extends ListResponse>(
  router: Router,
  method: ListMethod<Req, Res>,
  request: Req,
  context: OaktreeContext,
): AsyncGenerator<ResponseBatch<Res>> {
  method.validate(request);
  for await (const batch of router.listBatches(method, request, context.oaktree.call, listOptions(request, context)))
    yield new ResponseBatch(batch);
}

function listOptions(request: { strict?: boolean }, context: OaktreeContext) {
  return { strict: request.strict, restrictTo: context.oaktree.restrictTo };
}

/**
 * A get by name or id (the request is validated by its own row): list with the filter everywhere the selector points, then demand exactly one match.
 * More than one is INVALID_ARGUMENT naming every candidate; none is NOT_FOUND, unless some locations failed,
 * in which case their failure is the answer (the object may be there).
 */
export async function findOne<Req extends Located, Res extends ListResponse>(
  router: Router,
  method: ListMethod<Req, Res>,
  request: Located & { nameOrId?: string; fresh?: boolean },
  context: OaktreeContext,
  kind: string,
  action: Action = 'read',
): Promise<ObjectOf<Res>> {
  const nameOrId = request.nameOrId ?? '';
  const found: ObjectOf<Res>[] = [];
  const failed: LocationError[] = [];
  const listRequest = method.requestType.fromPartial({
    location: request.location,
    nameOrId,
    fresh: request.fresh ?? false,
  } as any) as Req;
  for await (const response of router.list(method, listRequest, context.oaktree.call, {
    restrictTo: context.oaktree.restrictTo,
    action, // the object a write is about is looked for only where the caller may write
  })) {
    const item = response.item;
    if (!item) continue;
    if (item.$case === 'error') failed.push(item.value);
    else found.push(item.value);
  }
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    const candidates = found.map(
      (o: any) => `${o.name || '(no name)'} (id ${o.id}) in ${describeLocation(o.location)}`,
    );
    throw new ServerError(
      Status.INVALID_ARGUMENT,
      `${found.length} ${kind}s match "${nameOrId}": ${candidates.join('; ')}. Use an id, or narrow the location`,
    );
  }
  if (failed.length > 0) {
    const code = failed.every((f) => f.code === failed[0].code) ? failed[0].code : Status.UNAVAILABLE;
    const reasons = failed.map((f) => `${describeLocation(f.location)}: ${statusName(f.code)} ${f.message}`);
    throw new ServerError(
      code,
      `${kind} "${nameOrId}" was not found where the cloud answered, and ${failed.length} location(s) failed: ${reasons.join('; ')}`,
    );
  }
  throw new ServerError(
    Status.NOT_FOUND,
    `no ${kind} with name or id "${nameOrId}" in ${describeSelector(request.location)}`,
  );
}

/** Pins a request to the route an object was found through, so the follow-up call goes there and nowhere else. */
export function pinnedTo<Req extends Located>(request: Req, location: Location | undefined): Req {
  return location ? { ...request, location: routeSelectorFor(location) } : request;
}
