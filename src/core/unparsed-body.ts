// An HTTP answer's body kept as its bytes until it is read. A list page fetched ahead waits while the page before it
// is worked on: parsed on arrival, its objects would outlive two young-generation GCs and be copied into the old
// generation, which is what grew a node's memory while it streamed a long list. As bytes it waits outside V8's heap,
// and each reader parses its own copy when its turn comes.

export class UnparsedBody {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
  ) {}

  /** Parsed JSON; the text itself when it is not JSON; undefined when empty. */
  parse(): unknown {
    if (this.bytes.length === 0) return undefined;
    const text = this.bytes.toString('utf8');
    if (this.contentType.includes('json') || /^\s*[[{]/.test(text)) {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
    return text;
  }
}

/** A body as it is read: parsed now if it was kept as bytes. */
export function parsedBody(body: unknown): unknown {
  return body instanceof UnparsedBody ? body.parse() : body;
}
