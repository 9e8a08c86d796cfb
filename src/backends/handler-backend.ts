// A Backend made of per-location handlers: what a backend that serves its locations itself implements.
// It calls one handler per target location with bounded concurrency, merges their streams, wraps objects into
// list responses, and turns one location's failure into an in-band error item for that location.
// A list handler yields objects one by one or in batches (an array: objects it has at hand together, such as a
// page from the cloud); each becomes one batch of responses (backend.ts).
import PQueue from 'p-queue';
import { isWhole, WholeListResponse } from '../wire/message-encoding.ts';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type {
  ClientStreamMethod,
  ListMethod,
  ListResponse,
  MethodKey,
  MethodOf,
  ObjectOf,
  ServerStreamMethod,
  UnaryMethod,
} from '../core/methods.ts';
import { Methods } from '../core/methods.ts';
import { toServerError, toStatus } from '../core/errors.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';
import { describeLocation } from '../core/location.ts';
import { mergeStreams } from '../core/merge.ts';
import { errorItem } from '../core/error-item.ts';
import type { Backend, CallContext, Route } from './backend.ts';

/** Methods whose handlers yield whole responses (events, checkpoints, resume tokens) rather than objects. */
type RawListKeys = 'watchServers';

type HandlerFor<K extends MethodKey, M = MethodOf<K>> =
  M extends ListMethod<infer Req, infer Res>
    ? K extends RawListKeys
      ? (request: Req, target: Location, ctx: CallContext) => AsyncIterable<Res>
      : (request: Req, target: Location, ctx: CallContext) => AsyncIterable<ObjectOf<Res> | readonly ObjectOf<Res>[]>
    : M extends UnaryMethod<infer Req, infer Res>
      ? (request: Req, target: Location, ctx: CallContext) => Promise<Res>
      : M extends ServerStreamMethod<infer Req, infer Res>
        ? (request: Req, target: Location, ctx: CallContext) => AsyncIterable<Res>
        : M extends ClientStreamMethod<infer Req, infer Res>
          ? (requests: AsyncIterable<Req>, targets: readonly Location[], ctx: CallContext) => Promise<Res>
          : never;

/** The handlers a local backend offers; a missing one answers UNIMPLEMENTED. */
export type LocationHandlers = { [K in MethodKey]?: HandlerFor<K> };

const rawListPaths = new Set<string>([Methods.watchServers.path]);
const keyByPath = new Map<string, MethodKey>(
  (Object.keys(Methods) as MethodKey[]).map((key) => [Methods[key].path, key]),
);

export interface HandlerBackendOptions {
  id: string;
  /** The locations served, re-read on every request (regions are learned after authentication). */
  locations: () => readonly Location[];
  handlers: LocationHandlers;
  /** How many handler calls may run at once against this backend (protects the cloud). */
  concurrency?: number;
  start?: () => Promise<void>;
  close?: () => Promise<void>;
}

export class HandlerBackend implements Backend {
  readonly id: string;
  readonly local = true;
  private readonly options: HandlerBackendOptions;
  private readonly queue: PQueue;

  constructor(options: HandlerBackendOptions) {
    this.id = options.id;
    this.options = options;
    this.queue = new PQueue({ concurrency: options.concurrency ?? 16 });
  }

  routes(): readonly Route[] {
    return this.options.locations().map((location) => ({ location, hops: 0, path: [] }));
  }

  private handler(path: string): ((...args: any[]) => any) | undefined {
    const key = keyByPath.get(path);
    return key ? (this.options.handlers[key] as ((...args: any[]) => any) | undefined) : undefined;
  }

  private unimplemented(name: string, target?: Location): ServerError {
    const where = target ? ` for ${describeLocation(target)}` : '';
    return new ServerError(Status.UNIMPLEMENTED, `${name} is not implemented by ${this.id}${where} yet`);
  }

  list<Req, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    request: Req,
    targets: readonly Location[],
    ctx: CallContext,
  ): AsyncIterable<readonly Res[]> {
    const handler = this.handler(method.path);
    const raw = rawListPaths.has(method.path);
    return mergeStreams(targets.map((target) => this.listAt(method, handler, raw, request, target, ctx)));
  }

  private async *listAt<Req, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    handler: ((...args: any[]) => AsyncIterable<any>) | undefined,
    raw: boolean,
    request: Req,
    target: Location,
    ctx: CallContext,
  ): AsyncGenerator<readonly Res[]> {
    if (!handler) {
      const error = this.unimplemented(method.name, target);
      yield [errorItem<Res>(target, error.code, error.details)];
      return;
    }
    // Watches never end and cost the cloud nothing per stream (a shared poller feeds them): no queue slot.
    if (raw) {
      yield* this.guardedList(method, handler, raw, request, target, ctx);
      return;
    }
    // The queue bounds how many locations of this backend are being read at once. A slot is held until the
    // stream ends, so items still flow one by one with the consumer's backpressure.
    let release!: () => void;
    const slot = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const admitted = new Promise<void>((resolve) => (started = resolve));
    this.queue.add(() => (started(), slot), { signal: ctx.signal }).catch(() => started());
    try {
      await admitted;
      if (ctx.signal.aborted) return;
      yield* this.guardedList(method, handler, raw, request, target, ctx);
    } finally {
      release();
    }
  }

  /** One location's list: objects wrapped into responses, a failure turned into its in-band error item. */
  private async *guardedList<Req, Res extends ListResponse>(
    method: ListMethod<Req, Res>,
    handler: (...args: any[]) => AsyncIterable<any>,
    raw: boolean,
    request: Req,
    target: Location,
    ctx: CallContext,
  ): AsyncGenerator<readonly Res[]> {
    const wrap = (value: unknown) => ({ item: { $case: method.itemCase, value } }) as unknown as Res;
    // A batch of objects built whole becomes responses built whole: their one field is set.
    const wrapWhole = (value: unknown) => new WholeListResponse({ $case: method.itemCase, value }) as unknown as Res;
    try {
      for await (const item of handler(request, target, ctx)) {
        if (raw) yield [item as Res];
        else if (!Array.isArray(item)) yield [wrap(item)];
        else if (item.length) yield item.map(isWhole(item) ? wrapWhole : wrap);
      }
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      const { code, message } = toStatus(error, ctx.signal);
      yield [errorItem<Res>(target, code, message)];
    }
  }

  // Unary, server-stream and client-stream failures end the call: they leave as a ServerError with the gRPC code
  // the handler's error carries (the Backend contract), never as UNKNOWN.

  async unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, target: Location, ctx: CallContext): Promise<Res> {
    const handler = this.handler(method.path);
    if (!handler) throw this.unimplemented(method.name, target);
    try {
      return (await this.queue.add(() => handler(request, target, ctx), { signal: ctx.signal })) as Res;
    } catch (error) {
      throw toServerError(error, ctx.signal);
    }
  }

  async *serverStream<Req, Res>(
    method: ServerStreamMethod<Req, Res>,
    request: Req,
    target: Location,
    ctx: CallContext,
  ): AsyncGenerator<Res> {
    const handler = this.handler(method.path);
    if (!handler) throw this.unimplemented(method.name, target);
    try {
      yield* handler(request, target, ctx) as AsyncIterable<Res>;
    } catch (error) {
      throw toServerError(error, ctx.signal);
    }
  }

  async clientStream<Req, Res>(
    method: ClientStreamMethod<Req, Res>,
    requests: AsyncIterable<Req>,
    targets: readonly Location[],
    ctx: CallContext,
  ): Promise<Res> {
    const handler = this.handler(method.path);
    if (!handler) throw this.unimplemented(method.name);
    try {
      return await handler(requests, targets, ctx);
    } catch (error) {
      throw toServerError(error, ctx.signal);
    }
  }

  async start(): Promise<void> {
    await this.options.start?.();
  }

  async close(): Promise<void> {
    this.queue.clear();
    await this.options.close?.();
  }
}
