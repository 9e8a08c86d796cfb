// WatchServers as an async iterable of plain events that survives a dropped connection: on UNAVAILABLE it
// reconnects with the last resume token (no change missed or repeated); when the node says the token is too old
// (OUT_OF_RANGE) it starts over and yields a `restarted` event, after which a fresh snapshot follows.
import { delay } from 'abort-controller-x';
import type { Server, WatchServersRequest, WatchServersResponse } from '../gen/oaktree/v1/compute.ts';
import { ServerEventType } from '../gen/oaktree/v1/compute.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';
import { startCall, type GrpcCallOptions } from './call-options.ts';
import { fromLocationError, OaktreeError, Status, toOaktreeError } from './errors.ts';
import type { ListOptions } from './list-stream.ts';

export type WatchEvent =
  | { type: 'existing' | 'added' | 'modified' | 'deleted'; server: Server; resumeToken: string }
  /** A location is in sync: after its snapshot (`initialStateComplete`) and now and then while nothing changes. */
  | { type: 'synced'; location: Location; initialStateComplete: boolean; resumeToken: string }
  /** The watch had to start over (the token was too old): a new snapshot follows. */
  | { type: 'restarted'; reason: string };

export interface WatchOptions extends ListOptions {
  /** Only these servers, by id. */
  serverIds?: string[];
  /** Continue a previous watch after the event that carried this token. */
  resumeToken?: string;
  /** Reconnect after UNAVAILABLE (a node restart, a dropped connection); default true. */
  reconnect?: boolean;
  /** Give up after this many reconnects in a row without a message; default 10. */
  maxReconnects?: number;
}

const eventTypes: Record<number, 'existing' | 'added' | 'modified' | 'deleted'> = {
  [ServerEventType.SERVER_EVENT_TYPE_EXISTING]: 'existing',
  [ServerEventType.SERVER_EVENT_TYPE_ADDED]: 'added',
  [ServerEventType.SERVER_EVENT_TYPE_MODIFIED]: 'modified',
  [ServerEventType.SERVER_EVENT_TYPE_DELETED]: 'deleted',
};

export async function* watchServers(
  open: (request: Partial<WatchServersRequest>, grpc: GrpcCallOptions) => AsyncIterable<WatchServersResponse>,
  request: Partial<WatchServersRequest>,
  options: WatchOptions,
  errors: OaktreeError[],
  defaultTimeoutMs?: number,
): AsyncGenerator<WatchEvent> {
  const call = startCall(options, defaultTimeoutMs);
  let resumeToken = options.resumeToken ?? '';
  let failures = 0;
  try {
    for (;;) {
      try {
        for await (const response of open({ ...request, resumeToken }, call.grpc())) {
          failures = 0;
          if (response.resumeToken) resumeToken = response.resumeToken;
          const item = response.item;
          if (!item) continue;
          if (item.$case === 'error') {
            const error = fromLocationError(item.value);
            errors.push(error);
            options.onError?.(error);
          } else if (item.$case === 'checkpoint') {
            yield {
              type: 'synced',
              location: item.value.location!,
              initialStateComplete: item.value.initialStateComplete,
              resumeToken: response.resumeToken,
            };
          } else if (item.value.server) {
            const type = eventTypes[item.value.type] ?? 'modified';
            yield { type, server: item.value.server, resumeToken: response.resumeToken };
          }
        }
        return;
      } catch (raw) {
        const error = toOaktreeError(raw, call);
        if (call.signal.aborted) throw error;
        if (error.code === Status.OUT_OF_RANGE && resumeToken) {
          resumeToken = '';
          yield { type: 'restarted', reason: error.message };
          continue;
        }
        const retry = error.code === Status.UNAVAILABLE && options.reconnect !== false;
        if (!retry || ++failures > (options.maxReconnects ?? 10)) throw error;
        await delay(call.signal, Math.min(5000, 100 * 2 ** failures));
      }
    }
  } catch (error) {
    throw toOaktreeError(error, call);
  } finally {
    call.done();
  }
}

export { OaktreeError };
