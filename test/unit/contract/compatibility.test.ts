// The contract's gate, for the user API (oaktree.v1) and the mesh's own package (oaktree.mesh.v1): lint clean, no
// breaking change against the committed baseline, generated code current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BUF = join(ROOT, 'node_modules/.bin/buf');
const BASELINE = 'proto/baseline/oaktree-v1.binpb';

function buf(args: string[], cwd = ROOT) {
  return spawnSync(BUF, args, { cwd, encoding: 'utf8' });
}

const PACKAGES = ['oaktree/v1', 'oaktree/mesh/v1'];

test('buf lint passes with the STANDARD rules', () => {
  const result = buf(['lint']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('both packages are in the module the gate checks, and in the baseline', () => {
  const files = buf(['ls-files']).stdout;
  const baseline = buf(['ls-files', BASELINE]).stdout;
  for (const dir of PACKAGES) {
    assert.match(files, new RegExp(`^(proto/)?${dir}/\\w+\\.proto$`, 'm'), `${dir} is linted and checked`);
    assert.match(baseline, new RegExp(`^(proto/)?${dir}/\\w+\\.proto$`, 'm'), `${dir} is in the baseline`);
  }
});

test('the contract has no breaking change against the committed baseline', () => {
  const result = buf(['breaking', '--against', BASELINE]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

/** Runs buf breaking on a copy of the contract with one edit; returns buf's result. */
async function breakingAfter(path: string, from: string, to: string) {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-breaking-'));
  await cp(join(ROOT, 'proto'), join(dir, 'proto'), { recursive: true });
  await cp(join(ROOT, 'buf.yaml'), join(dir, 'buf.yaml'));
  const file = join(dir, path);
  const text = await readFile(file, 'utf8');
  const broken = text.replace(from, to);
  assert.notEqual(broken, text, `${from} exists in ${path}`);
  await writeFile(file, broken);
  return buf(['breaking', '--against', join(ROOT, BASELINE), '--error-format=json'], dir);
}

test('a deliberately broken copy of the user API is caught', async () => {
  const result = await breakingAfter(
    'proto/oaktree/v1/compute.proto',
    'string request_id = 17;',
    'string request_id = 18;',
  );
  assert.equal(result.status, 100, result.stdout + result.stderr);
  assert.match(result.stdout, /FIELD_NO_DELETE|FIELD_SAME/);
});

test('a deliberately broken routing header (the mesh wire contract) is caught', async () => {
  const result = await breakingAfter(
    'proto/oaktree/mesh/v1/routing.proto',
    'repeated string via = 1;',
    'repeated string via = 4;',
  );
  assert.equal(result.status, 100, result.stdout + result.stderr);
  assert.match(result.stdout, /FIELD_NO_DELETE|FIELD_SAME/);
});

test('the generated code is current with the protos (never edited by hand)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-gen-'));
  const template = (await readFile(join(ROOT, 'buf.gen.yaml'), 'utf8'))
    .replace('out: src/gen', `out: ${join(dir, 'gen')}`)
    .replace('./node_modules/.bin/protoc-gen-ts_proto', join(ROOT, 'node_modules/.bin/protoc-gen-ts_proto'));
  await writeFile(join(dir, 'buf.gen.yaml'), template);
  const result = buf(['generate', '--template', join(dir, 'buf.gen.yaml')]);
  assert.equal(result.status, 0, result.stderr);
  for (const pkg of PACKAGES) {
    const fresh = await readdir(join(dir, 'gen', pkg));
    assert.deepEqual(
      (await readdir(join(ROOT, 'src/gen', pkg))).sort(),
      fresh.sort(),
      `src/gen/${pkg} has the files buf generates`,
    );
    for (const name of fresh) {
      const committed = await readFile(join(ROOT, 'src/gen', pkg, name), 'utf8');
      assert.equal(
        committed,
        await readFile(join(dir, 'gen', pkg, name), 'utf8'),
        `src/gen/${pkg}/${name} is stale: run npm run gen`,
      );
    }
  }
});
