// Enum values as the short words people read and type: ServerStatus.SERVER_STATUS_ACTIVE <-> "ACTIVE".
import { ServerStatus } from '../gen/oaktree/v1/compute.ts';
import { ImageStatus, ImageVisibility } from '../gen/oaktree/v1/image.ts';
import { NetworkResourceStatus } from '../gen/oaktree/v1/network.ts';
import { VolumeStatus } from '../gen/oaktree/v1/volume.ts';

type Enum = Record<string, string | number>;

function shortName(enumObject: Enum, prefix: string, value: number): string {
  const name = enumObject[value];
  if (typeof name !== 'string') return String(value);
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

function parseShort<E extends number>(enumObject: Enum, prefix: string, word: string, what: string): E {
  const key = `${prefix}${word.toUpperCase().replace(/-/g, '_')}`;
  const value = enumObject[key];
  if (typeof value !== 'number' || value === 0) {
    const choices = Object.keys(enumObject)
      .filter((k) => Number.isNaN(Number(k)) && enumObject[k] !== 0 && enumObject[k] !== -1)
      .map((k) => k.slice(prefix.length));
    throw new RangeError(`unknown ${what} "${word}": use one of ${choices.join(', ')}`);
  }
  return value as E;
}

export const serverStatusName = (s: ServerStatus) => shortName(ServerStatus, 'SERVER_STATUS_', s);
export const parseServerStatus = (word: string) =>
  parseShort<ServerStatus>(ServerStatus, 'SERVER_STATUS_', word, 'server status');
export const imageStatusName = (s: ImageStatus) => shortName(ImageStatus, 'IMAGE_STATUS_', s);
export const imageVisibilityName = (v: ImageVisibility) => shortName(ImageVisibility, 'IMAGE_VISIBILITY_', v);
export const parseImageVisibility = (word: string) =>
  parseShort<ImageVisibility>(ImageVisibility, 'IMAGE_VISIBILITY_', word, 'visibility');
export const volumeStatusName = (s: VolumeStatus) => shortName(VolumeStatus, 'VOLUME_STATUS_', s);
export const networkStatusName = (s: NetworkResourceStatus) =>
  shortName(NetworkResourceStatus, 'NETWORK_RESOURCE_STATUS_', s);
