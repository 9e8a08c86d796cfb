// JSON logs to stderr, one object per line (pino). Secrets are redacted by key name as a last line of defence;
// the config layer already keeps them out of anything that is logged.
import { pino, type Logger } from 'pino';
import { activeTraceId } from './trace-context.ts';

export type { Logger };

const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  '*.application_credential_secret',
  '*.applicationCredentialSecret',
  'authorization',
  '*.authorization',
  '*["x-auth-token"]',
  '*["x-subject-token"]',
];

export function createLogger(
  options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  return pino(
    {
      name: options.name ?? 'oaktree',
      level: options.level ?? process.env.OAKTREE_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT, censor: '***' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // A line written while a call is traced carries its trace id (the same in every node the call passed).
      mixin: () => {
        const traceId = activeTraceId();
        return traceId ? { traceId } : {};
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that drops everything, for library use and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
