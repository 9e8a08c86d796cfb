// OpenStack timestamps come in several spellings: "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456"
// (nova, no zone: UTC), "2024-01-02T03:04:05.000000+00:00", "2024-01-02 03:04:05" (cinder, old neutron).
// All are UTC when no offset is given; JavaScript would read a zone-less date-time as local time.

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** The spelling nova uses for `created` and `updated`, which JavaScript reads as UTC as it is. */
const PLAIN_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A Date for an OpenStack timestamp, or undefined when absent or unreadable. */
export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  // Every server in a list has two: the common spelling skips the match groups and the rebuilt string.
  if (PLAIN_UTC.test(value)) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  }
  if (value.trim() === '') return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, date, time, fraction, zone] = m;
  // Keep milliseconds only: Date cannot hold microseconds.
  const millis = fraction ? `.${fraction.padEnd(3, '0').slice(0, 3)}` : '';
  let offset = zone ?? 'Z';
  if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const parsed = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}${millis}${offset.toUpperCase()}`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}
