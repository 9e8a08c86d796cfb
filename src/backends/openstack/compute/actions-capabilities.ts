// What ListCapabilities says about server actions: every action nova has had since 2.1, and the options that
// depend on the location's compute microversion.
import { ACTION_NAMES } from './actions.ts';
import { mvAtLeast } from './nova.ts';

const OPTIONS: ReadonlyArray<[name: string, major: number, minor: number]> = [
  ['server_description', 2, 19],
  ['rebuild_key_name', 2, 54],
  ['lock_reason', 2, 73],
  ['unshelve_availability_zone', 2, 77],
];

export function serverActionCapabilities(microversion: string): {
  serverActions: string[];
  serverActionOptions: string[];
} {
  return {
    serverActions: [...ACTION_NAMES, 'snapshot', 'update'],
    serverActionOptions: OPTIONS.filter(([, major, minor]) => mvAtLeast(microversion, major, minor)).map(([n]) => n),
  };
}
