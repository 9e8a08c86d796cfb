// The contract's gate: lint clean, no breaking change against the committed baseline, generated code current.
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

test('buf lint passes with the STANDARD rules', () => {
  const result = buf(['lint']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('the contract has no breaking change against the committed baseline', () => {
  const result = buf(['breaking', '--against', BASELINE]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('a deliberately broken copy of the contract is caught', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oaktree-breaking-'));
  await cp(join(ROOT, 'proto'), join(dir, 'proto'), { recursive: true });
  await cp(join(ROOT, 'buf.yaml'), join(dir, 'buf.yaml'));
  const file = join(dir, 'proto/oaktree/v1/compute.proto');
  const text = await readFile(file, 'utf8');
  const broken = text.replace('string request_id = 17;', 'string request_id = 18;');
  assert.notEqual(broken, text, 'the field to renumber exists');
  await writeFile(file, broken);
  const result = buf(['breaking', '--against', join(ROOT, BASELINE), '--error-format=json'], dir);
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
  for (const name of await readdir(join(dir, 'gen/oaktree/v1'))) {
    const fresh = await readFile(join(dir, 'gen/oaktree/v1', name), 'utf8');
    const committed = await readFile(join(ROOT, 'src/gen/oaktree/v1', name), 'utf8');
    assert.equal(committed, fresh, `src/gen/oaktree/v1/${name} is stale: run npm run gen`);
  }
});
