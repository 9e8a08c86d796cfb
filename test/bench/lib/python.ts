// openstacksdk as the comparison: Debian's python3-openstacksdk under /usr/bin/python3 (the python3 first on
// PATH is another interpreter without it). Installed with apt-get when missing.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './procs.ts';

export const PYTHON = '/usr/bin/python3';

export function ensureOpenstackSdk(): string {
  const version = () =>
    execFileSync(PYTHON, ['-c', 'import openstack.version as v; print(v.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    return version();
  } catch {
    process.stderr.write('bench: installing python3-openstacksdk with apt-get\n');
    execFileSync('apt-get', ['install', '-y', 'python3-openstacksdk'], { stdio: ['ignore', 'ignore', 'inherit'] });
    return version();
  }
}

/** Runs test/bench/sdk/<script> with the simulator's clouds.yaml; resolves with its last stdout line as JSON. */
export function runSdkScript<T>(script: string, args: string[], cloudsYaml: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [join(ROOT, 'test/bench/sdk', script), ...args], {
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloudsYaml, PYTHONWARNINGS: 'ignore' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0)
        return reject(new Error(`${script} exited with ${code}: ${err.trim().split('\n').slice(-5).join('\n')}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON: ${last}`));
      }
    });
  });
}
