// Option shapes of the openstack CLI's network commands: --enable/--disable pairs and key=value,key=value lists
// (--fixed-ip subnet=s,ip-address=a; --allocation-pool start=a,end=b; --host-route destination=d,gateway=g).
import { InvalidArgumentError } from 'commander';
import { checkedNumber, PORT } from './numbers.ts';

/** true for --<on>, false for --<off>, undefined for neither; both is a usage error. */
export function toggle(on: boolean | undefined, off: boolean | undefined, names: string): boolean | undefined {
  if (on && off) throw new InvalidArgumentError(`${names}: give one of them, not both`);
  return on ? true : off ? false : undefined;
}

/** A repeatable "k=v,k=v" option; every key must be one of `keys`. */
export function pairs(keys: readonly string[]) {
  return (value: string, previous: Array<Record<string, string>> = []): Array<Record<string, string>> => {
    const entry: Record<string, string> = {};
    for (const part of value.split(',')) {
      const at = part.indexOf('=');
      const key = part.slice(0, at);
      if (at <= 0 || !keys.includes(key))
        throw new InvalidArgumentError(`expected ${keys.map((k) => `${k}=...`).join(',')}, got "${value}"`);
      entry[key] = part.slice(at + 1);
    }
    return [...previous, entry];
  };
}

/** "22" or "8000:8080" (openstack's --dst-port). */
export function portRange(value: string): { portRangeMin: number; portRangeMax: number } {
  const parts = value.split(':');
  const [low, high] = [parts[0], parts.at(-1)].map((part) => checkedNumber(part ?? '', PORT));
  if (parts.length > 2 || low === undefined || high === undefined || high < low)
    throw new InvalidArgumentError(`expected a port or a range like 8000:8080 (0 to 65535), got "${value}"`);
  return { portRangeMin: low, portRangeMax: high };
}

/** Sets an optional key only when the option was given, so "not given" never clears a field. */
export const given = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);
