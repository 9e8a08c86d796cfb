// Shared reads, the way openstacksdk's proxy cache works but on by default: identical concurrent GETs of a
// collection share one upstream request, and a small answer is kept for a few seconds for whoever asks next.
// Any write through the session drops what is kept for that cloud-region-project. A request with `fresh` (or
// made through the session's withFreshReads view) bypasses what is kept (it still shares an in-flight request).
// Keys start with the credential's cloud/region/project/user, so two credentials never share an answer.

import type { ReadSharing, SharedResponse } from '../../../cache/read-sharing.ts';

export type { ReadSharing, SharedResponse };

const ID_SEGMENT = /^([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|[0-9a-f]{32}|\d+)$/i;

/**
 * Only collections are shared. A single object (a path with an id in it) is what wait loops poll, and they must
 * see each change at once.
 */
export function isSharedPath(path: string): boolean {
  return !path.split('/').some((segment) => ID_SEGMENT.test(segment));
}
