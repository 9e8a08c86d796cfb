// The real `oaktree` command in a child process (src/cli/main.ts, as `npm start`/the bin runs it): what scripts
// rely on — stdout, one-line errors on stderr, and exit codes 0, 1, 2 and 3.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startFakeClouds, type FakeClouds } from '../client/fake-clouds.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

function oaktree(args: string[], endpoint: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { cwd: ROOT, env: { ...process.env, OAKTREE_ENDPOINT: endpoint }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('oaktree CLI process', () => {
  let clouds: FakeClouds;
  before(async () => {
    clouds = await startFakeClouds({ failRegion: 'alpha/RegionTwo' });
  });
  after(() => clouds.close());

  it('exit codes: 0 ok, 3 partial, 1 error, 2 usage; errors are one line starting with oaktree: CODE', async () => {
    const [ok, partial, error, usage] = await Promise.all([
      oaktree(['location', 'list'], clouds.address),
      oaktree(['flavor', 'list', '-f', 'json'], clouds.address),
      oaktree(['server', 'show', 'nope', '--cloud', 'beta'], clouds.address),
      oaktree(['server', 'list', '--bogus'], clouds.address),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^CLOUD\s+REGION\s+PROJECT\s+DOMAIN\nalpha\s+RegionOne\s+demo\s+Default\n/);
    assert.equal(partial.code, 3, partial.stderr);
    assert.equal(JSON.parse(partial.stdout).length, 4);
    assert.match(partial.stderr, /^oaktree: warning: UNAVAILABLE: \[alpha\/RegionTwo\] /);
    assert.equal(error.code, 1);
    assert.match(error.stderr, /^oaktree: NOT_FOUND: [^\n]+\n$/);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown option '--bogus'/);
  });
});
