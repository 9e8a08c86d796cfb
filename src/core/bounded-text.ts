// Text that may carry a caller's input (status messages, echoed names, log lines) is bounded before it leaves the
// node: an 80 KB grpc-message is more than a grpc-js client accepts, and it can cost a whole connection.

/** The longest status message a node sends, in characters. */
export const MAX_STATUS_MESSAGE_LENGTH = 1024;
/** The longest single value quoted inside a message or a log line. */
export const MAX_ECHO_LENGTH = 128;

const ELLIPSIS = '…';

/** `text` cut to at most `max` characters, ending in "…" when it was cut (never splitting a surrogate pair). */
export function bounded(text: string, max = MAX_STATUS_MESSAGE_LENGTH): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - ELLIPSIS.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate without its pair
  return text.slice(0, end) + ELLIPSIS;
}

/** A caller's value for a message: bounded, and saying how long it really was when it was cut. */
export function echo(value: string, max = MAX_ECHO_LENGTH): string {
  return value.length <= max ? value : `${bounded(value, max)} (${value.length} characters)`;
}
