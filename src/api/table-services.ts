// Builds a gRPC service implementation from the method table: every RPC of the service is validated by its row,
// then listed, found or routed by the row's kind. A new RPC needs its proto, its row and its backend handler.
import type { Server, TsProtoServiceDefinition } from 'nice-grpc';
import {
  type AnyMethod,
  type ClientStreamMethod,
  type GetMethod,
  type MethodKey,
  Methods,
  type ServerStreamMethod,
  type UnaryMethod,
} from '../core/methods.ts';
import { toStatus } from '../core/errors.ts';
import { relayingDefinition } from '../core/wire-bytes.ts';
import type { Router, Selection } from '../mesh/router.ts';
import { teeStream } from '../mesh/tee.ts';
import type { OaktreeCallContextExt, OaktreeContext } from './call-context.ts';
import { findOne, listFrom, listInBatches, pinnedTo } from './requests.ts';
import { type RowHookOptions, type RowHooks, rowHooksFor } from './row-hooks.ts';

type Handler = (request: any, context: OaktreeContext) => any;

const rows = new Map<string, { key: MethodKey; method: AnyMethod }>(
  (Object.keys(Methods) as MethodKey[]).map((key) => [Methods[key].path, { key, method: Methods[key] }]),
);

/** Serves each service from the table; a method without a row fails at startup, not per call. */
export function addTableServices(
  server: Server<OaktreeCallContextExt>,
  router: Router,
  definitions: readonly TsProtoServiceDefinition[],
  hookOptions: RowHookOptions,
): void {
  const rowHooks = rowHooksFor(hookOptions);
  for (const definition of definitions)
    server.add(relayingDefinition(definition), tableService(definition, router, rowHooks));
}

function tableService(
  definition: TsProtoServiceDefinition,
  router: Router,
  rowHooks: Partial<Record<MethodKey, RowHooks>>,
): any {
  const implementation: Record<string, Handler> = {};
  for (const [key, method] of Object.entries(definition.methods)) {
    const path = `/${definition.fullName}/${method.name}`;
    const row = rows.get(path);
    if (!row) throw new Error(`${path} has no row in the method table (src/core/methods.ts)`);
    implementation[key] = handlerFor(row.method, rowHooks[row.key] ?? {}, router);
  }
  return implementation;
}

function handlerFor(method: AnyMethod, hooks: RowHooks, router: Router): Handler {
  switch (method.kind) {
    case 'list':
      // A hook that rewrites responses sees them one by one; the rest go on in batches.
      return (request, context) =>
        hooks.responses
          ? hooks.responses(request, listFrom(router, method, request, context))
          : listInBatches(router, method, request, context);
    case 'get':
      return (request, context) => get(router, method, request, context);
    case 'unary':
      return (request, context) => unary(router, method, request, context);
    case 'server-stream':
      return (request, context) => serverStream(router, method, request, context);
    case 'client-stream': {
      const gather = hooks.gather;
      if (!gather) throw new Error(`${method.path} is a client stream and needs a gather hook (src/api/row-hooks.ts)`);
      return (requests, context) => clientStream(router, method, gather, requests, context);
    }
  }
}

async function get(router: Router, method: GetMethod<any, any>, request: any, context: OaktreeContext) {
  method.validate(request);
  return { [method.noun]: await findOne(router, method.over, request, context, method.noun) };
}

/**
 * The request as it should be routed: a follow-up goes where its object was found, by the object's id; one whose
 * backend finds the object itself goes as it is when the selector names one location.
 */
async function routed(
  router: Router,
  method: UnaryMethod<any, any> | ServerStreamMethod<any, any>,
  request: any,
  context: OaktreeContext,
) {
  method.validate(request);
  if (!method.followUp) return request;
  if (method.followUp.inBackend) {
    const selections = router.select(request.location, context.oaktree.call, {
      restrictTo: context.oaktree.restrictTo,
      action: method.action,
    });
    if (selections.length === 1 && selections[0].targets.length === 1) return request;
  }
  const key = method.followUp.key ?? 'nameOrId';
  const named = { ...request, nameOrId: request[key] };
  const found = await findOne(router, method.followUp.over, named, context, method.followUp.noun, method.action);
  return pinnedTo({ ...request, [key]: found.id }, found.location);
}

async function unary(router: Router, method: UnaryMethod<any, any>, request: any, context: OaktreeContext) {
  return router.unary(method, await routed(router, method, request, context), context.oaktree.call, context.oaktree);
}

async function* serverStream(
  router: Router,
  method: ServerStreamMethod<any, any>,
  request: any,
  context: OaktreeContext,
) {
  yield* router.serverStream(
    method,
    await routed(router, method, request, context),
    context.oaktree.call,
    context.oaktree,
  );
}

/**
 * The first message says where the stream goes (one location, or every matching one); the rest follow it.
 * Several backends get one stream teed with bounded buffers, and a failing backend fails only its locations.
 */
async function clientStream(
  router: Router,
  method: ClientStreamMethod<any, any>,
  gather: NonNullable<RowHooks['gather']>,
  requests: AsyncIterable<any>,
  context: OaktreeContext,
) {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  method.validate(first.done ? {} : first.value);
  const opening = method.openingOf(first.value)!;
  const ctx = context.oaktree.call;
  const options = { restrictTo: context.oaktree.restrictTo, action: method.action };
  const selections: Selection[] = opening.allMatchingLocations
    ? router.selectSome(opening.location, ctx, options)
    : [(({ backend, target }) => ({ backend, targets: [target] }))(router.resolveOne(opening.location, ctx, options))];
  const call = gather();
  async function* replay() {
    yield first.value;
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      call.see(next.value);
      yield next.value;
    }
  }
  if (selections.length === 1) return call.finish([await router.clientStream(method, selections[0], replay(), ctx)]);
  const branches = teeStream(replay(), selections.length);
  const outcomes = await Promise.all(
    selections.map(async (selection, index) => {
      try {
        return await router.clientStream(method, selection, branches[index], ctx);
      } catch (error) {
        return call.failed(selection.targets, toStatus(error, ctx.signal));
      } finally {
        // A backend that is done (or failed) stops holding the other branches back.
        await branches[index][Symbol.asyncIterator]().return?.();
      }
    }),
  );
  ctx.signal.throwIfAborted();
  return call.finish(outcomes);
}
