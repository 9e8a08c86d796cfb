// Resume tokens for watches over many locations. Each location's stream stamps its messages with a token for
// that location alone ({routeKey: "epoch.seq"}); the API layer merges them into one opaque token for the
// whole watch, so a client keeps exactly one string. On resume every location reads its own position out of
// it. A position names the change log's epoch: a restarted poller has a new epoch and answers OUT_OF_RANGE
// instead of silently skipping changes. An empty position means "this location was mid-snapshot": it starts
// over with a fresh snapshot.
import { OaktreeError } from '../core/errors.ts';

const INVALID_ARGUMENT = 3;
const OUT_OF_RANGE = 11;
const VERSION = 1;

export interface WatchPosition {
  epoch: string;
  seq: number;
}

/** The positions in a token, by route key; an empty token has none. INVALID_ARGUMENT for anything else. */
export function decodeWatchToken(token: string): Map<string, string> {
  if (!token) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const body = parsed as { v?: unknown; p?: unknown } | undefined;
  if (!body || body.v !== VERSION || !body.p || typeof body.p !== 'object' || Array.isArray(body.p)) {
    throw new OaktreeError(INVALID_ARGUMENT, 'resume_token is not a token this service issued; pass the resume_token of a WatchServers message unchanged, or leave it empty to start over');
  }
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(body.p as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new OaktreeError(INVALID_ARGUMENT, 'resume_token is damaged; leave it empty to start over');
    out.set(key, value);
  }
  return out;
}

export function encodeWatchToken(positions: ReadonlyMap<string, string>): string {
  const p: Record<string, string> = {};
  for (const key of [...positions.keys()].sort()) p[key] = positions.get(key)!;
  return Buffer.from(JSON.stringify({ v: VERSION, p }), 'utf8').toString('base64url');
}

/** A one-location token: after change `seq` of log `epoch`, or (seq undefined) mid-snapshot. */
export function locationToken(routeKey: string, epoch: string, seq: number | undefined): string {
  return encodeWatchToken(new Map([[routeKey, seq === undefined ? '' : `${epoch}.${seq}`]]));
}

/** This location's position in a (merged) token; undefined when it has none (start with a snapshot). */
export function positionIn(token: string, routeKey: string): WatchPosition | undefined {
  const raw = decodeWatchToken(token).get(routeKey);
  if (!raw) return undefined;
  const dot = raw.lastIndexOf('.');
  const seq = Number(raw.slice(dot + 1));
  if (dot <= 0 || !Number.isSafeInteger(seq) || seq < 0) {
    throw new OaktreeError(INVALID_ARGUMENT, 'resume_token is damaged; leave it empty to start over');
  }
  return { epoch: raw.slice(0, dot), seq };
}

/** OUT_OF_RANGE: the token points where the change log no longer reaches. */
export function tokenExpired(where: string, why: string): OaktreeError {
  return new OaktreeError(OUT_OF_RANGE, `resume_token is too old for ${where} (${why}); start a new watch without a token: it begins with a fresh snapshot`);
}

/** Folds per-location tokens into one; each absorb returns the merged token after that message. */
export class WatchTokenMerger {
  readonly #positions: Map<string, string>;
  #current: string;

  constructor(requestToken = '') {
    this.#positions = decodeWatchToken(requestToken);
    this.#current = requestToken || encodeWatchToken(this.#positions);
  }

  absorb(messageToken: string | undefined): string {
    if (messageToken) {
      for (const [key, value] of decodeWatchToken(messageToken)) this.#positions.set(key, value);
      this.#current = encodeWatchToken(this.#positions);
    }
    return this.#current;
  }
}

interface WatchMessage {
  resumeToken: string;
  item?: { $case: string; value: any } | undefined;
}

/**
 * What the API layer does with a merged watch stream: checks the request's token first (INVALID_ARGUMENT),
 * rewrites every message's resume_token to the one token for the whole watch, and turns a location's
 * OUT_OF_RANGE (its part of the token expired) into the call's status, as the contract says: the client must
 * start over with a snapshot, and a partial resume would silently lose that location's changes.
 */
export async function* withMergedTokens<T extends WatchMessage>(requestToken: string, stream: AsyncIterable<T>): AsyncGenerator<T> {
  const merger = new WatchTokenMerger(requestToken);
  for await (const message of stream) {
    const item = message.item;
    if (item?.$case === 'error' && item.value?.code === OUT_OF_RANGE) {
      const where = [item.value.location?.cloud, item.value.location?.region].filter(Boolean).join('/');
      throw new OaktreeError(OUT_OF_RANGE, where ? `${where}: ${item.value.message}` : String(item.value.message));
    }
    yield { ...message, resumeToken: merger.absorb(message.resumeToken) };
  }
}
