// Where the CLI connects, and what it says when nothing answers there.
import { OaktreeError, Status } from '../../client/index.ts';

export const DEFAULT_PORT = 50051;

/** `HOST` alone means HOST:50051 (the node's default port), not port 80 as a URL would; a scheme is kept. */
export function normalizeEndpoint(endpoint: string): string {
  const scheme = /^[a-z]+:\/\//i.exec(endpoint)?.[0] ?? '';
  const rest = endpoint.slice(scheme.length).replace(/\/+$/, '');
  const hasPort = rest.startsWith('[') ? /\]:\d+$/.test(rest) : /:\d+$/.test(rest);
  return hasPort ? `${scheme}${rest}` : `${scheme}${rest}:${DEFAULT_PORT}`;
}

/**
 * For a call that never reached a node (refused, unresolvable host, nothing listening): one sentence that names
 * the endpoint and how to get a node there, instead of grpc-js's resolver and subchannel details.
 */
export function describeUnreachable(error: unknown, endpoint: string): string | undefined {
  if (!(error instanceof OaktreeError) || error.code !== Status.UNAVAILABLE || error.inBand) return undefined;
  const cause = /ECONNREFUSED|No connection established|Name resolution failed|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT/;
  if (!cause.test(error.message)) return undefined;
  const why = /Name resolution failed|ENOTFOUND/.test(error.message)
    ? 'the host name does not resolve'
    : 'nothing answers there';
  // Still led by the code name, as every error line is, for scripts that match on it.
  return (
    `UNAVAILABLE: cannot reach an oaktree node at ${endpoint} (${why}). Start one with \`oaktree serve\` (or \`npm start\`), ` +
    'or point the CLI at a running node with --endpoint HOST[:PORT] or OAKTREE_ENDPOINT.'
  );
}
