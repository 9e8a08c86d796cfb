// How a streaming call's responses leave the node: several messages to HTTP/2 at once, and more small ones held.
import type { Writable } from 'node:stream';
import { ResponseBatch } from '../core/response-batch.ts';

/**
 * How many messages a streaming response may hold before its handler waits. The process default (serve.ts) is four,
 * sized for 1 MiB chunks of image and object downloads, which keep it. List items and events are a few hundred
 * bytes: four at a time made grpc-js hand them to HTTP/2 in batches of four, one writev syscall and one event-loop
 * turn each. With 64 (≈ 25–100 KB) a 100,000-server list through one relay took the owner 68 -> 50–55 µs of CPU
 * per server and the relay 43 -> 18–21 µs (256 gained another ~7 %, not worth four times the memory).
 */
export const SMALL_MESSAGES_BUFFERED = 64;

/**
 * grpc-js gives a streaming call's messages to HTTP/2 one at a time, each once the previous one's write has
 * completed, so every message costs its own writev syscall and event-loop turn. Giving HTTP/2 everything the call
 * has buffered at once sends it in one write (measured on a bare grpc-js stream of 400-byte messages: the
 * sender's CPU per message 12.6 -> 3.8 µs, the receiver's 12 -> 4 µs). Sound because no interceptor of this node
 * defers sendMetadata or sendMessage: grpc-js keeps only one deferred message.
 */
export function batchResponses(call: Writable, messagesBuffered: number): void {
  call._writev = (chunks, callback) => {
    let pending = chunks.length;
    const sent = () => {
      if (--pending === 0) callback();
    };
    for (const { chunk, encoding } of chunks) call._write(chunk, encoding, sent);
  };
  const write = call.write.bind(call) as (...args: unknown[]) => boolean;
  // Past the stream's own mark write() says false; the handler waits for 'drain' only once this many are held.
  // Only a stream that will emit 'drain' says true here: an ended or destroyed one keeps its false.
  const writeOne =
    messagesBuffered <= call.writableHighWaterMark
      ? write
      : (...args: unknown[]) =>
          write(...args) || (call.writableNeedDrain && !call.destroyed && call.writableLength < messagesBuffered);
  // A batch (core/response-batch.ts) is written as its messages, all of them: the handler then waits for 'drain'
  // as it would after the last one alone.
  call.write = ((message: unknown, ...rest: unknown[]) => {
    if (!(message instanceof ResponseBatch)) return writeOne(message, ...rest);
    const { responses } = message;
    let more = true;
    for (let i = 0; i < responses.length; i++)
      more = i === responses.length - 1 ? writeOne(responses[i], ...rest) : writeOne(responses[i]);
    return more;
  }) as Writable['write'];
}
