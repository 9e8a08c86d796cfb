import { inspect } from 'node:util';

const REDACTED = '***';

/**
 * A credential that must never reach a log line, an error message or a JSON dump.
 * The value lives in a private field, so JSON.stringify, util.inspect, template
 * strings and spreading all see only `***`; code that really needs it calls reveal().
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plaintext, for the one place that sends it to Keystone. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

/** Config keys whose values are credentials (matched on the snake_case key). */
export function isSecretKey(key: string): boolean {
  return /(password|secret|token|passcode)$/.test(key) && !key.endsWith('_file');
}

export function secretOrUndefined(value: unknown): Secret | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return value instanceof Secret ? value : new Secret(String(value));
}
