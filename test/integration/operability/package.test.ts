// The package an operator installs: `npm pack` makes a tarball that installs globally on a clean prefix and runs
// (`oaktree --version`, `oaktree serve` on the built-in simulated clouds, `oaktree-ready` for readiness), and the
// systemd unit passes `systemd-analyze verify` pointing at that install.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { clients, collect, ROOT } from '../../support/node.ts';
import { within } from '../../support/wait.ts';

const run = promisify(execFile);
let dir: string;
let prefix: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oaktree-package-'));
  prefix = join(dir, 'prefix');
  // A clean environment: no clouds.yaml anywhere it looks, no npm settings from a surrounding `npm test`.
  env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|OS_|OAKTREE_)/i.test(key)),
  ) as NodeJS.ProcessEnv;
  env.HOME = dir;
  await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
  const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  await run(
    'npm',
    ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)],
    { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 },
  );
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the npm package', { timeout: 300_000 }, () => {
  it('oaktree --version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const { stdout } = await run(join(prefix, 'bin/oaktree'), ['--version'], { cwd: dir, env });
    assert.equal(stdout.trim(), version);
  });

  it('oaktree serve runs on the simulated default, and oaktree-ready sees it serving', async () => {
    const child = spawn(join(prefix, 'bin/oaktree'), ['serve', '--listen', '127.0.0.1:0'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const line = await within(
        new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)),
        60_000,
        'oaktree serve prints its address',
      );
      const address = /serving on (\S+)/.exec(line)?.[1];
      assert.ok(address, line);
      await run(join(prefix, 'bin/oaktree-ready'), ['--endpoint', address, '--timeout', '20'], { env });
      const api = clients(address);
      try {
        const locations = await collect(api.location.listLocations({}));
        assert.deepEqual(locations.map((l) => (l.item?.$case === 'location' ? l.item.value.cloud : '')).sort(), [
          'sim-alpha',
          'sim-alpha',
          'sim-beta',
        ]);
      } finally {
        api.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await within(exited, 20_000, 'oaktree serve stops on SIGTERM'), 0);
  });

  it('oaktree-ready gives up with exit 1 when nothing answers', async () => {
    await assert.rejects(
      run(join(prefix, 'bin/oaktree-ready'), ['--endpoint', '127.0.0.1:9', '--timeout', '1'], { env }),
      (error: { code?: number; stderr?: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr ?? '', /127\.0\.0\.1:9 did not answer SERVING within 1 s/);
        return true;
      },
    );
  });

  it('the systemd unit passes systemd-analyze verify against the installed commands', async () => {
    const unit = (await readFile(join(ROOT, 'packaging/oaktree.service'), 'utf8')).replaceAll(
      '/usr/local/bin/',
      `${prefix}/bin/`,
    );
    for (const wanted of ['User=oaktree', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'Restart=on-failure'])
      assert.ok(unit.includes(`\n${wanted}\n`), wanted);
    const file = join(dir, 'oaktree.service');
    await writeFile(file, unit);
    // verify exits 0 on a value it cannot parse and only warns: any output is a failure here.
    const { stdout, stderr } = await run('systemd-analyze', ['verify', file], {
      env: { ...env, SYSTEMD_LOG_LEVEL: 'notice' },
    });
    assert.equal(`${stdout}${stderr}`.trim(), '');
  });
});
