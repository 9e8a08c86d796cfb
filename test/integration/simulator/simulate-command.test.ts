// `oaktree simulate` run standalone: writes clouds.yaml, prints the export line, exits 0 on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

test('simulate writes clouds.yaml and stops cleanly on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sim-cmd-'));
  const out = join(dir, 'clouds.yaml');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/simulator/main.ts',
      '--cloud',
      'one:R1,R2',
      '--cloud',
      'two',
      '--control-port',
      '0',
      '--out',
      out,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('export OS_CLIENT_CONFIG_FILE=')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)));
    });
    assert.match(stdout, new RegExp(`export OS_CLIENT_CONFIG_FILE=${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const yaml = parse(await readFile(out, 'utf8'));
    assert.deepEqual(yaml.clouds.one.regions, ['R1', 'R2']);
    assert.equal(yaml.clouds.two.region_name, 'RegionOne');
    const disc = await fetch(yaml.clouds.two.auth.auth_url);
    assert.equal(disc.status, 300);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
