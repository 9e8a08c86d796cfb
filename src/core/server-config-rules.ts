// Checks for server metadata, tags, groups and the newer CreateServer options, as nova states its limits, so a
// bad request is refused at the edge with the limit named instead of after a round trip to a cloud.
import { camel, type Rule } from './field-rules.ts';
import { isValidNameRegex, NAME_REGEX_SYNTAX } from './name-regex.ts';

/** Nova: a tag is 1–60 characters without "/" or ","; a server carries at most 50. */
export const MAX_TAG_LENGTH = 60;
export const MAX_TAGS_PER_SERVER = 50;

/** A repeated string field of tags: each valid, and no more than a server may carry. */
export function tagList(field: string): Rule {
  const key = camel(field);
  return (m, path) => {
    const tags: string[] = m[key] ?? [];
    if (tags.length > MAX_TAGS_PER_SERVER)
      return `${path}${field} has ${tags.length} tags; a server carries at most ${MAX_TAGS_PER_SERVER}`;
    const bad = tags.findIndex((t) => !t || t.length > MAX_TAG_LENGTH || /[/,]/.test(t));
    return bad < 0
      ? undefined
      : `${path}${field}[${bad}] is not a valid tag: 1 to ${MAX_TAG_LENGTH} characters, without "/" or ","`;
  };
}

/** Metadata keys are 1–255 characters (values may be empty): nova's schema. */
export function metadataKeys(field: string): Rule {
  const key = camel(field);
  return (m, path) =>
    Object.keys(m[key] ?? {}).some((k) => !k.trim()) ? `${path}${field} has an empty key` : undefined;
}

/**
 * The field, when set, is a server name pattern RE2 compiles (see name-regex.ts); its length is held by the row's
 * text bound (MAX_TEXT_LENGTH), which keeps every match cheap.
 */
export function nameRegex(field: string): Rule {
  const key = camel(field);
  return (m, path) =>
    !m[key] || isValidNameRegex(m[key])
      ? undefined
      : `${path}${field} is not a valid regular expression (${NAME_REGEX_SYNTAX})`;
}

/** CreateServer nics: each names a port, or a network (a fixed IP needs one); a port takes neither. */
export const nicList: Rule = (m, path) => {
  const nics: Array<{ network: string; port: string; fixedIp: string }> = m.nics ?? [];
  const bad = nics.findIndex((n) => (n.port ? !!(n.network || n.fixedIp) : !n.network));
  return bad < 0
    ? undefined
    : `${path}nics[${bad}] needs either a port, or a network (optionally with a fixed_ip), not both`;
};

/** CreateServer block devices: an existing volume, or the size of a new one. */
export const blockDeviceList: Rule = (m, path) => {
  const devices: Array<{ volume: string; sizeGb: number }> = m.blockDevices ?? [];
  const bad = devices.findIndex((d) => (d.volume ? d.sizeGb !== 0 : !(d.sizeGb > 0)));
  return bad < 0
    ? undefined
    : `${path}block_devices[${bad}] needs either a volume (name or id) or a positive size_gb for a new one`;
};

/** Exactly one boot source: an image, an existing volume, or a volume snapshot. */
export const oneBootSource: Rule = (m, path) => {
  if (m.bootFromVolume && !m.image) return `${path}boot_from_volume makes the boot volume from an image: give image`;
  const sources = [m.image, m.bootVolume, m.bootSnapshotId].filter((s) => typeof s === 'string' && s.trim());
  if (sources.length > 1) return `${path}image, boot_volume and boot_snapshot_id exclude each other: give one`;
  if (sources.length === 0)
    return `${path}image is required (see ListImages), or boot_volume / boot_snapshot_id to boot from a volume`;
  return undefined;
};
