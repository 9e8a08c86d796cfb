// Small reusable checks for request fields, named by their proto names. Each check has exactly one message,
// and no message echoes the value it refused: a rejected field is named with its limit, never quoted.
import { Status } from 'nice-grpc-common';
import { OaktreeError } from './errors.ts';
import { selectorProblem } from './location.ts';

/** A check on one message: the problem in words, or undefined when the message is fine. */
export type Rule = (message: any, path: string) => string | undefined;

/** Free text that may be echoed in an error (names, ids) is bounded by this unless a row says otherwise. */
export const MAX_TEXT_LENGTH = 255;
/** An idempotency key: a UUID fits. */
export const MAX_REQUEST_ID_LENGTH = 36;

/** A proto field name as ts-proto names it (user_data → userData). */
export const camel = (protoName: string) => protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The field must be a non-blank string. */
export function required(field: string, hint = ''): Rule {
  const key = camel(field);
  return (m, path) =>
    String(m[key] ?? '').trim() ? undefined : `${path}${field} is required${hint ? `: ${hint}` : ''}`;
}

/** The string field may be at most `max` characters long. */
export function maxLength(field: string, max: number): Rule {
  const key = camel(field);
  return (m, path) => tooLong(`${path}${field}`, m[key], max);
}

/** request_id: an idempotency key of at most 36 characters. */
export const requestId: Rule = maxLength('request_id', MAX_REQUEST_ID_LENGTH);

/** The number field may not be negative (0 means "not set" in proto3). */
export function notNegative(field: string): Rule {
  const key = camel(field);
  return (m, path) => (Number(m[key] ?? 0) < 0 ? `${path}${field} is ${m[key]}: it may not be negative` : undefined);
}

/** The number field may be at most `max`; `meaning` says what the bound is in words (e.g. "100 years"). */
export function atMost(field: string, max: number, meaning = ''): Rule {
  const key = camel(field);
  return (m, path) =>
    Number(m[key] ?? 0) > max ? `${path}${field} may be at most ${max}${meaning ? ` (${meaning})` : ''}` : undefined;
}

/** The number field is 0 (not set: the default applies) or at least `min`; `meaning` says why in words. */
export function unsetOrAtLeast(field: string, min: number, meaning = ''): Rule {
  const key = camel(field);
  return (m, path) => {
    const value = Number(m[key] ?? 0);
    return value > 0 && value < min
      ? `${path}${field} may be 0 (the default) or at least ${min}${meaning ? ` (${meaning})` : ''}`
      : undefined;
  };
}

/**
 * The enum field holds a value the contract names: a number this node does not know (a newer client's, or garbage)
 * is refused rather than read as a default.
 */
export function knownValue(field: string, enumeration: Record<string, string | number>): Rule {
  const key = camel(field);
  const names = Object.keys(enumeration).filter((k) => Number.isNaN(Number(k)) && Number(enumeration[k]) >= 0);
  const known = new Set(names.map((name) => enumeration[name]));
  return (m, path) =>
    m[key] === undefined || known.has(m[key])
      ? undefined
      : `${path}${field} is not a value this node knows: use one of ${names.join(', ')}`;
}

/** At least one of the fields must be set (a non-blank string, a positive number, or true). */
export function oneOf(fields: string[], hint = ''): Rule {
  const keys = fields.map(camel);
  const names = fields.length === 2 ? `${fields[0]} or ${fields[1]}` : `one of ${fields.join(', ')}`;
  return (m, path) => {
    const set = keys.some((k) => (typeof m[k] === 'string' ? m[k].trim() !== '' : Number(m[k] ?? 0) > 0));
    return set ? undefined : `${path}${names} is required${hint ? `: ${hint}` : ''}`;
  };
}

/** The string field, when set, must be `digits` hex digits (a checksum). */
export function hex(field: string, digits: number): Rule {
  const key = camel(field);
  const shape = new RegExp(`^[0-9a-f]{${digits}}$`, 'i');
  return (m, path) => (m[key] && !shape.test(m[key]) ? `${path}${field} must be ${digits} hex digits` : undefined);
}

/** A condition between fields that the proto cannot express; `problem` says what to change. */
export function when(applies: (message: any) => boolean, problem: string): Rule {
  return (m) => (applies(m) ? problem : undefined);
}

/** The location selector: no wildcards, no control characters, bounded fields. */
export const selector: Rule = (m) => selectorProblem(m.location);

/**
 * Every other string in the message (nested messages, repeated fields, map keys and values) is at most
 * MAX_TEXT_LENGTH characters unless `limits` (by proto field name) says otherwise. The selector has its own rule.
 */
export function boundedText(limits: Readonly<Record<string, number>> = {}): Rule {
  return (m, path) => textProblem(m, path, limits, true);
}

function textProblem(
  value: unknown,
  path: string,
  limits: Readonly<Record<string, number>>,
  top = false,
): string | undefined {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (top && key === 'location') continue;
    const field = snake(key);
    const max = limits[field] ?? MAX_TEXT_LENGTH;
    const where = Array.isArray(value) ? `${path.slice(0, -1)}[${key}]` : `${path}${field}`;
    if (typeof inner === 'string') {
      const problem = tooLong(where, inner, max);
      if (problem) return problem;
    } else if (inner && typeof inner === 'object') {
      // Map keys are bounded before any of them can appear in a path.
      const keyProblem = Object.keys(inner)
        .map((k) => tooLong(`${where} key`, k, MAX_TEXT_LENGTH))
        .find(Boolean);
      const problem = keyProblem ?? textProblem(inner, `${where}.`, limits);
      if (problem) return problem;
    }
  }
  return undefined;
}

function tooLong(where: string, value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > max
    ? `${where} is ${value.length} characters long; the limit is ${max}`
    : undefined;
}

/** One validate function from rules: the first problem found is INVALID_ARGUMENT. */
export function validator(rules: readonly Rule[], path = ''): (message: any) => void {
  return (message) => {
    for (const rule of rules) {
      const problem = rule(message, path);
      if (problem) throw new OaktreeError(Status.INVALID_ARGUMENT, problem);
    }
  };
}
