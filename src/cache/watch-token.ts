// Resume tokens for watches over many locations. Each location's stream stamps its messages with a token for
// that location alone ({routeKey: "epoch.seq"}); the API layer merges them into one opaque token for the
// whole watch, so a client keeps exactly one string. On resume every location reads its own position out of
// it. A position names the change log's epoch: a restarted poller has a new epoch and answers OUT_OF_RANGE
// instead of silently skipping changes. An empty position means "this location was mid-snapshot": it starts
// over with a fresh snapshot.
//
// A token a client holds is signed by the node (HMAC-SHA256 with the node's key) and bounded in size, so a
// client cannot invent positions and have them echoed in every message. A peer's token rides inside ours
// opaquely (`o`, by backend id): only the peer can read or check it. Tokens inside one node (a location's
// message token, a peer's token rewrapped) are unsigned bodies and never reach a client unmerged.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { OaktreeError } from '../core/errors.ts';

const INVALID_ARGUMENT = 3;
const OUT_OF_RANGE = 11;
const VERSION = 2;
const SIGNED_PREFIX = 'v2';
const MAC_BYTES = 16;
/** Far above a real mesh's positions (≈60 bytes per location); a token beyond it is refused unread. */
export const MAX_WATCH_TOKEN_CHARS = 64 * 1024;

const NOT_OURS =
  'resume_token is not a token this service issued; pass the resume_token of a WatchServers message unchanged, or leave it empty to start over';
const DAMAGED = 'resume_token is damaged; leave it empty to start over';

export interface WatchPosition {
  epoch: string;
  seq: number;
}

/** What a token holds: this node's positions by route key, and peers' own tokens by backend id. */
export interface WatchTokenBody {
  positions: Map<string, string>;
  opaque: Map<string, string>;
}

/** The node's token key; replicas of one node share the secret (node config), so each accepts the others' tokens. */
export class WatchTokenKey {
  /** Names the key in a token: a token from another key is "from an earlier run", not a forgery. */
  readonly id: string;
  readonly #secret: Buffer;

  constructor(secret: string | Buffer) {
    this.#secret = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
    if (this.#secret.length < 16) throw new Error('the watch token secret needs at least 16 bytes');
    this.id = createHmac('sha256', this.#secret)
      .update('oaktree watch token key id')
      .digest()
      .subarray(0, 6)
      .toString('base64url');
  }

  /** A key for this process only: tokens survive reconnects, not a restart (those then answer OUT_OF_RANGE). */
  static random(): WatchTokenKey {
    return new WatchTokenKey(randomBytes(32));
  }

  mac(signed: string): Buffer {
    return createHmac('sha256', this.#secret).update(signed).digest().subarray(0, MAC_BYTES);
  }
}

/** The body of a signed or unsigned token, unchecked (the API layer has checked the client's; see verifyWatchToken). */
export function decodeWatchToken(token: string): WatchTokenBody {
  if (!token) return { positions: new Map(), opaque: new Map() };
  if (token.length > MAX_WATCH_TOKEN_CHARS) throw tooLong(token.length);
  const parts = token.split('.');
  return parseBody(parts.length === 4 && parts[0] === SIGNED_PREFIX ? parts[2]! : token);
}

/** Checks a client's token: INVALID_ARGUMENT when forged, damaged or too long; OUT_OF_RANGE when another key signed it. */
export function verifyWatchToken(token: string, key: WatchTokenKey): WatchTokenBody {
  if (!token) return decodeWatchToken(token);
  if (token.length > MAX_WATCH_TOKEN_CHARS) throw tooLong(token.length);
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== SIGNED_PREFIX) throw new OaktreeError(INVALID_ARGUMENT, NOT_OURS);
  const [, keyId, body, mac] = parts as [string, string, string, string];
  if (keyId !== key.id) {
    throw new OaktreeError(
      OUT_OF_RANGE,
      'resume_token was issued by an earlier run of this node (its token key changed); start a new watch without a token: it begins with a fresh snapshot',
    );
  }
  const given = Buffer.from(mac, 'base64url');
  const expected = key.mac(`${keyId}.${body}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new OaktreeError(INVALID_ARGUMENT, NOT_OURS);
  return parseBody(body);
}

/** A token for a client: the body signed with the node's key. */
export function signWatchToken(body: WatchTokenBody, key: WatchTokenKey): string {
  const encoded = encodeBody(body);
  return `${SIGNED_PREFIX}.${key.id}.${encoded}.${key.mac(`${key.id}.${encoded}`).toString('base64url')}`;
}

/** An unsigned in-node token (tests and fakes; a location's messages). */
export function encodeWatchToken(
  positions: ReadonlyMap<string, string>,
  opaque: ReadonlyMap<string, string> = new Map(),
): string {
  return encodeBody({ positions: new Map(positions), opaque: new Map(opaque) });
}

/** A one-location token: after change `seq` of log `epoch`, or (seq undefined) mid-snapshot. */
export function locationToken(routeKey: string, epoch: string, seq: number | undefined): string {
  return encodeWatchToken(new Map([[routeKey, seq === undefined ? '' : `${epoch}.${seq}`]]));
}

/** A peer's own token carried under its backend id (its messages' tokens are rewrapped with it). */
export function opaqueToken(backendId: string, peerToken: string): string {
  return encodeWatchToken(new Map(), new Map([[backendId, peerToken]]));
}

/** The peer's own token inside a (merged) token; empty when it has none (the peer starts with a snapshot). */
export function opaqueIn(token: string, backendId: string): string {
  return decodeWatchToken(token).opaque.get(backendId) ?? '';
}

/** This location's position in a (merged) token; undefined when it has none (start with a snapshot). */
export function positionIn(token: string, routeKey: string): WatchPosition | undefined {
  const raw = decodeWatchToken(token).positions.get(routeKey);
  if (!raw) return undefined;
  const dot = raw.lastIndexOf('.');
  const seq = Number(raw.slice(dot + 1));
  if (dot <= 0 || !Number.isSafeInteger(seq) || seq < 0) throw new OaktreeError(INVALID_ARGUMENT, DAMAGED);
  return { epoch: raw.slice(0, dot), seq };
}

/** OUT_OF_RANGE: the token points where the change log no longer reaches. */
export function tokenExpired(where: string, why: string): OaktreeError {
  return new OaktreeError(
    OUT_OF_RANGE,
    `resume_token is too old for ${where} (${why}); start a new watch without a token: it begins with a fresh snapshot`,
  );
}

/** Folds per-location tokens into one signed token; each absorb returns the merged token after that message. */
export class WatchTokenMerger {
  readonly #body: WatchTokenBody;
  readonly #key: WatchTokenKey;
  #current: string;
  #lastAbsorbed = '';

  /** Checks the request's token first: INVALID_ARGUMENT or OUT_OF_RANGE before any location is asked. */
  constructor(requestToken: string, key: WatchTokenKey) {
    this.#key = key;
    this.#body = verifyWatchToken(requestToken, key);
    this.#current = requestToken || signWatchToken(this.#body, key);
  }

  absorb(messageToken: string | undefined): string {
    // A snapshot stamps every message with the same token: sign once, not once per server.
    if (!messageToken || messageToken === this.#lastAbsorbed) return this.#current;
    this.#lastAbsorbed = messageToken;
    const { positions, opaque } = decodeWatchToken(messageToken);
    for (const [k, v] of positions) this.#body.positions.set(k, v);
    for (const [k, v] of opaque) this.#body.opaque.set(k, v);
    this.#current = signWatchToken(this.#body, this.#key);
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
export async function* withMergedTokens<T extends WatchMessage>(
  requestToken: string,
  stream: AsyncIterable<T>,
  key: WatchTokenKey,
): AsyncGenerator<T> {
  const merger = new WatchTokenMerger(requestToken, key);
  for await (const message of stream) {
    const item = message.item;
    if (item?.$case === 'error' && item.value?.code === OUT_OF_RANGE) {
      const where = [item.value.location?.cloud, item.value.location?.region].filter(Boolean).join('/');
      throw new OaktreeError(OUT_OF_RANGE, where ? `${where}: ${item.value.message}` : String(item.value.message));
    }
    yield { ...message, resumeToken: merger.absorb(message.resumeToken) };
  }
}

function parseBody(encoded: string): WatchTokenBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const body = parsed as { v?: unknown; p?: unknown; o?: unknown } | undefined;
  if (!body || body.v !== VERSION || !isRecord(body.p) || (body.o !== undefined && !isRecord(body.o))) {
    throw new OaktreeError(INVALID_ARGUMENT, NOT_OURS);
  }
  return { positions: stringMap(body.p), opaque: stringMap(body.o ?? {}) };
}

function encodeBody({ positions, opaque }: WatchTokenBody): string {
  const sorted = (map: ReadonlyMap<string, string>) =>
    Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const body: Record<string, unknown> = { v: VERSION, p: sorted(positions) };
  if (opaque.size) body.o = sorted(opaque);
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function stringMap(record: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== 'string') throw new OaktreeError(INVALID_ARGUMENT, DAMAGED);
    out.set(key, value);
  }
  return out;
}

function tooLong(length: number): OaktreeError {
  return new OaktreeError(
    INVALID_ARGUMENT,
    `resume_token is ${length} characters, more than the ${MAX_WATCH_TOKEN_CHARS} a token of this service has; pass the resume_token of a WatchServers message unchanged, or leave it empty to start over`,
  );
}
