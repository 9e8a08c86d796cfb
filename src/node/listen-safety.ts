// Safe by default: a node holds every cloud's credentials, so without TLS *and* an authentication method it only
// listens on loopback. Anything else must be asked for with --insecure (and is warned about on every start).
import { isIP } from 'node:net';
import { NodeConfigError } from './config.ts';

export interface ListenSafetyInput {
  /** host:port */
  listen: string;
  tls: boolean;
  /** An `auth:` section is configured (its content is the auth engineer's; present means on). */
  auth: boolean;
  insecure: boolean;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/**
 * Throws (exit code 2) when the listen address is exposed without protection and --insecure was not given;
 * returns the warning to log on every start when --insecure allowed it.
 */
export function checkListenSafety(input: ListenSafetyInput): string | undefined {
  const host = input.listen.slice(0, input.listen.lastIndexOf(':'));
  if (isLoopbackHost(host) || (input.tls && input.auth)) return undefined;
  const missing = [
    !input.tls && 'TLS (tls.cert and tls.key, or --tls-cert and --tls-key)',
    !input.auth && 'an authentication method (an auth: section)',
  ]
    .filter(Boolean)
    .join(' and ');
  if (input.insecure) {
    return `INSECURE: listening on ${input.listen} without ${missing}: anyone who reaches this port can use every cloud this node serves`;
  }
  throw new NodeConfigError(
    `refusing to listen on ${input.listen}: it is not a loopback address, and this node lacks ${missing}. ` +
      'Configure them in the node config, or listen on 127.0.0.1, or pass --insecure (insecure: true) to run exposed anyway.',
  );
}
