// Reload on file changes (node config `reload: { watch: true }`): watches the folders of the config file and of an
// explicit clouds.yaml (editors save by renaming a new file over the old one, which a watch on the file itself
// would lose), and once `debounceMs` pass without another change to those files, asks for one reload.
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface ConfigWatchOptions {
  files: readonly string[];
  debounceMs: number;
  onChange(): void;
  /** A folder that cannot be watched (removed, no permission): the watch of the others goes on. */
  onError?(error: Error): void;
}

export function watchConfigFiles(options: ConfigWatchOptions): { close(): void } {
  const names = new Map<string, Set<string>>();
  for (const file of options.files) {
    const path = resolve(file);
    const folder = names.get(dirname(path)) ?? new Set<string>();
    folder.add(basename(path));
    names.set(dirname(path), folder);
  }
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(options.onChange, options.debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [folder, files] of names) {
    try {
      const watcher = watch(folder, (_event, name) => {
        if (!name || files.has(name.toString())) changed(); // no name: the platform could not tell which
      });
      watcher.on('error', (error) => options.onError?.(error));
      watchers.push(watcher);
    } catch (error) {
      options.onError?.(error as Error);
    }
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
