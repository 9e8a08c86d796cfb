// Several responses of one streaming call carried as one value through the node's middleware and written to the
// call as separate messages (node/response-batching.ts): each middleware layer costs once per batch instead of
// once per message, which for a list of small items was a large part of what a node spent per item.

export class ResponseBatch<T = unknown> {
  constructor(readonly responses: readonly T[]) {}
}

/** How many messages a value a streaming handler yields stands for. */
export function messageCount(value: unknown): number {
  return value instanceof ResponseBatch ? value.responses.length : 1;
}
