// A list call as an async iterable of bare objects. In-band errors (one location failed, the others answered)
// are never lost and never end the iteration: each is passed to `onError` when one is given, and every one is
// kept in `errors` for a look after the loop. With `strict` the node fails the whole call on the first failing
// location instead, and the iteration throws that OaktreeError.
import { startCall, type CallOptions, type GrpcCallOptions } from './call-options.ts';
import { fromLocationError, toOaktreeError, type OaktreeError } from './errors.ts';
import type { LocationError } from '../gen/oaktree/v1/location.ts';

export interface ListOptions extends CallOptions {
  /** Fail the whole call when any location fails, instead of yielding what the others returned. */
  strict?: boolean;
  /** Called once per in-band error, as it arrives. */
  onError?: (error: OaktreeError) => void;
}

type Item = { $case: string; value: unknown } | { $case: 'error'; value: LocationError };

export class ListStream<T> implements AsyncIterable<T> {
  /** The in-band errors of the latest iteration, in arrival order. */
  readonly errors: OaktreeError[] = [];

  constructor(
    private readonly open: (grpc: GrpcCallOptions) => AsyncIterable<{ item?: Item | undefined }>,
    private readonly options: ListOptions,
    private readonly defaultTimeoutMs?: number,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    this.errors.length = 0;
    const call = startCall(this.options, this.defaultTimeoutMs);
    try {
      for await (const response of this.open(call.grpc())) {
        const item = response.item;
        if (!item) continue;
        if (item.$case === 'error') {
          const error = fromLocationError(item.value as LocationError);
          this.errors.push(error);
          this.options.onError?.(error);
          continue;
        }
        yield item.value as T;
      }
    } catch (error) {
      throw toOaktreeError(error, call);
    } finally {
      call.done();
    }
  }

  /** Every object in one array (in-band errors are in `errors` afterwards). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
