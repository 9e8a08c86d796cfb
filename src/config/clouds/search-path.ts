import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The three file families openstacksdk looks for, in every search directory. */
export type ConfigFileKind = 'clouds' | 'secure' | 'clouds-public';

const SUFFIXES = ['.yaml', '.yml', '.json'];

export interface SearchPathOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  /** Defaults to the XDG site dir and /etc/openstack; tests pass [] to stay hermetic. */
  systemDirs?: string[];
}

/**
 * openstacksdk's CONFIG_SEARCH_PATH: cwd, the user config dir (platformdirs honours
 * XDG_CONFIG_HOME), ~/.config/openstack (SNAP_REAL_HOME aware), the site dir, /etc/openstack.
 */
export function searchDirs(opts: SearchPathOptions): string[] {
  const home = opts.env.SNAP_REAL_HOME || opts.homeDir || homedir();
  const xdgHome = opts.env.XDG_CONFIG_HOME || join(home, '.config');
  const system = opts.systemDirs ?? [
    join((opts.env.XDG_CONFIG_DIRS || '/etc/xdg').split(':')[0] || '/etc/xdg', 'openstack'),
    '/etc/openstack',
  ];
  const dirs = [opts.cwd, join(xdgHome, 'openstack'), join(home, '.config', 'openstack'), ...system];
  return [...new Set(dirs)];
}

/** Every candidate path for one family, in the order openstacksdk tries them. */
export function candidateFiles(kind: ConfigFileKind, opts: SearchPathOptions): string[] {
  return searchDirs(opts).flatMap((dir) => SUFFIXES.map((suffix) => join(dir, kind + suffix)));
}

/** The first candidate that exists as a regular file: openstacksdk reads one file per family, never several. */
export function findFirstFile(candidates: string[]): string | undefined {
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}
