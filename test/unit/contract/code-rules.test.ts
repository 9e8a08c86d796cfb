// The shape of the code, checked like the contract: layers point down (dependency-cruiser), the linter is clean and
// the formatter has nothing to change (Biome).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../../../', import.meta.url).pathname;
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

function run(command: string, args: string[], cwd = ROOT) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
}

test('every import points down the layers: cli → node → api → mesh → backends → cache → core', () => {
  const result = run(bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('an import that points up is caught by the layer rule', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-layers-'));
  try {
    await cp(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    await cp(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    await mkdir(join(dir, 'src/core'), { recursive: true });
    await mkdir(join(dir, 'src/api'), { recursive: true });
    await writeFile(join(dir, 'src/api/handler.ts'), "export const handler = 'api';\n");
    await writeFile(
      join(dir, 'src/core/vocabulary.ts'),
      "import { handler } from '../api/handler.ts';\nexport const x = handler;\n",
    );
    const result = run(bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs'], dir);
    assert.notEqual(result.status, 0, 'the upward import must fail the rule');
    assert.match(result.stdout, /core-points-up/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the linter finds nothing and every file is formatted (npx biome check --write fixes the format)', () => {
  const result = run(bin('biome'), ['check', '--max-diagnostics=20']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
