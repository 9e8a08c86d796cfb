// Human words for enum values in output: SERVER_STATUS_ACTIVE -> ACTIVE, ADDRESS_TYPE_FIXED -> FIXED. Every enum
// of the generated modules drops the prefix all its values share (buf's ENUM_VALUE_PREFIX rule), so the word is
// what is left; the openstack CLI prints the same words.
import * as capabilities from '../../gen/oaktree/v1/capabilities.ts';
import * as compute from '../../gen/oaktree/v1/compute.ts';
import * as image from '../../gen/oaktree/v1/image.ts';
import * as limits from '../../gen/oaktree/v1/limits.ts';
import * as location from '../../gen/oaktree/v1/location.ts';
import * as network from '../../gen/oaktree/v1/network.ts';
import * as volume from '../../gen/oaktree/v1/volume.ts';
import * as mesh from '../../gen/oaktree/mesh/v1/mesh.ts';

/** A TypeScript numeric enum: names map to numbers and numbers back to names. */
function enumNames(value: unknown): string[] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  // ts-proto adds UNRECOGNIZED = -1 to every enum; it is not a proto value.
  const names = entries.filter(([k, v]) => typeof v === 'number' && k !== 'UNRECOGNIZED').map(([k]) => k);
  if (!names.length || !names.every((name) => /^[A-Z][A-Z0-9_]*$/.test(name))) return undefined;
  return names;
}

function sharedPrefix(names: string[]): string {
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('_') + 1);
}

function buildWords(modules: object[]): Map<string, string> {
  const words = new Map<string, string>();
  for (const module of modules) {
    for (const exported of Object.values(module)) {
      const names = enumNames(exported);
      if (!names || names.length < 2) continue;
      const prefix = sharedPrefix(names);
      for (const name of names) if (name.length > prefix.length) words.set(name, name.slice(prefix.length));
    }
  }
  return words;
}

const WORDS = buildWords([capabilities, compute, image, limits, location, network, volume, mesh]);

/** The human word of an enum value name; any other text unchanged. */
export function enumWord(text: string): string {
  return WORDS.get(text) ?? text;
}
