// Vendor extras: every field of an OpenStack object that the normal form does not cover, as map<string,string>.

/** The raw object's fields except `normalized`, strings kept as they are, everything else JSON-encoded. */
export function extraProperties(raw: Record<string, unknown>, normalized: Iterable<string>): Record<string, string> {
  const skip = new Set(normalized);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (skip.has(key) || value === undefined) continue;
    out[key] = stringValue(value);
  }
  return out;
}

/** A property value: strings as is, null as "", anything else as JSON. */
export function stringValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** A string map from an OpenStack map (metadata, extra specs): non-string values JSON-encoded. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = stringValue(v);
  return out;
}
