// Shared reads, the way openstacksdk's proxy cache works but on by default: identical concurrent GETs of a
// collection share one upstream request, and a small answer is kept for a few seconds for whoever asks next.
// Any write through the session drops what is kept for that cloud-region. A call that wants fresh data makes its
// requests with a `freshSignal` and bypasses what is kept (it still shares an in-flight request).

import type { ReadSharing, SharedResponse } from '../../../cache/read-sharing.ts';

export type { ReadSharing, SharedResponse };

// The wish travels on the call's AbortSignal, which every handler already passes to every request. (An
// AsyncLocalStorage would do it too, but on Node 20 it puts a hook on every promise in the process.)
const freshSignals = new WeakSet<AbortSignal>();

/** A signal that follows `signal` and tells the transport to bypass kept answers. */
export function freshSignal(signal: AbortSignal): AbortSignal {
  const child = AbortSignal.any([signal]);
  freshSignals.add(child);
  return child;
}

/** Whether a request made with this signal asked for fresh data. */
export function wantsFresh(signal: AbortSignal | undefined): boolean {
  return !!signal && freshSignals.has(signal);
}

const ID_SEGMENT = /^([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{32}|\d+)$/i;

/**
 * Only collections are shared. A single object (a path with an id in it) is what wait loops poll, and they must
 * see each change at once.
 */
export function isSharedPath(path: string): boolean {
  return !path.split('/').some((segment) => ID_SEGMENT.test(segment));
}
