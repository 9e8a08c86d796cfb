// The one parser for numeric options. A bare Number() let "abc" through as NaN (a silent wrong answer or an
// INTERNAL from the node) and "1.5" through where the field is whole; here a wrong value is a usage error (exit 2)
// that names the option (commander adds it) and says what the option takes.
import { InvalidArgumentError } from 'commander';

/** The largest value of a proto int32 field. */
export const INT32_MAX = 2 ** 31 - 1;

export interface NumberRule {
  /** What the number counts, for the message: 'seconds', 'GiB'. */
  unit?: string;
  /** Fractions allowed (--timeout 0.5); whole numbers otherwise. */
  fractions?: boolean;
  /** The smallest value allowed. */
  min?: number;
  /** Values must be above this one (for fractions: "above 0"). */
  above?: number;
  /** The largest value allowed (whole numbers stop at 2^53 - 1 anyway: beyond it they are not exact). */
  max?: number;
  /** Only these values (--ip-version 4 or 6). */
  only?: readonly number[];
}

const WHOLE = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** What the rule takes, in words: "a whole number of GiB, 1 or more". */
export function describeNumber(rule: NumberRule): string {
  if (rule.only) return `one of ${rule.only.join(', ')}`;
  const what = `${rule.fractions ? 'a number' : 'a whole number'}${rule.unit ? ` of ${rule.unit}` : ''}`;
  if (rule.above !== undefined)
    return `${what} above ${rule.above}${rule.max !== undefined ? `, at most ${rule.max}` : ''}`;
  if (rule.min !== undefined && rule.max !== undefined) return `${what} from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return `${what}, ${rule.min} or more`;
  if (rule.max !== undefined) return `${what}, at most ${rule.max}`;
  return what;
}

/** The number `text` holds when the rule allows it; undefined when it does not. */
export function checkedNumber(text: string, rule: NumberRule): number | undefined {
  const trimmed = text.trim();
  if (!(rule.fractions ? DECIMAL : WHOLE).test(trimmed)) return undefined;
  const n = Number(trimmed);
  if (!rule.fractions && !Number.isSafeInteger(n)) return undefined;
  if (rule.only && !rule.only.includes(n)) return undefined;
  if (rule.min !== undefined && n < rule.min) return undefined;
  if (rule.above !== undefined && n <= rule.above) return undefined;
  if (rule.max !== undefined && n > rule.max) return undefined;
  return n;
}

/** A commander option parser for numbers that follow `rule`. */
export function numberOption(rule: NumberRule): (value: string) => number {
  return (value) => {
    const n = checkedNumber(value, rule);
    if (n === undefined) throw new InvalidArgumentError(describeNumber(rule));
    return n;
  };
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** A size in bytes with an optional binary unit: 1048576, 512K, 512MiB, 2G (--segment-size). */
export function byteSizeOption(value: string): number {
  const m = /^(\d+)(?:([KMG])(?:i?B)?|B)?$/i.exec(value.trim());
  const bytes = m ? Number(m[1]) * UNITS[(m[2] ?? '').toUpperCase()]! : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError('a size in bytes above 0, with an optional unit K, M or G (e.g. 512MiB)');
  return bytes;
}

// The rules shared by several commands.
/** --timeout: a deadline for a Node timer, which fires at once past 2^31 - 1 ms (about 24 days). */
export const SECONDS_ABOVE_0: NumberRule = { unit: 'seconds', fractions: true, above: 0, max: 2_147_483 };
/** Sizes of volumes and boot volumes (int32 GiB, at least 1). */
export const GIB_SIZE: NumberRule = { unit: 'GiB', min: 1, max: INT32_MAX };
/** Minimums that 0 turns off (flavor and image minimums). */
export const MIB_MINIMUM: NumberRule = { unit: 'MiB', min: 0, max: INT32_MAX };
export const GIB_MINIMUM: NumberRule = { unit: 'GiB', min: 0, max: INT32_MAX };
/** A TCP or UDP port (or, for ICMP rules, a type or code). */
export const PORT: NumberRule = { min: 0, max: 65535 };
