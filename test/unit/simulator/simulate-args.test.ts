import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSimulateArgs } from '../../../src/simulator/main.ts';

test('--cloud NAME:REGIONS is repeatable and common flags apply to each cloud', () => {
  const parsed = parseSimulateArgs([
    '--cloud',
    'a:R1,R2',
    '--cloud',
    'b',
    '--seed-servers',
    '3',
    '--control-port',
    '0',
  ]);
  assert.deepEqual(
    parsed.clouds.map((c) => [c.name, c.regions, c.seedServers]),
    [
      ['a', ['R1', 'R2'], 3],
      ['b', undefined, 3],
    ],
  );
  assert.equal(parsed.controlPort, 0);
});

test('--clouds N names clouds sim-1..N and bad numbers are rejected', () => {
  assert.deepEqual(
    parseSimulateArgs(['--clouds', '3']).clouds.map((c) => c.name),
    ['sim-1', 'sim-2', 'sim-3'],
  );
  assert.throws(() => parseSimulateArgs(['--clouds', 'x']));
});

test("--cloud NAME:REGIONS@PORT fixes that cloud's port; a bad port is refused", () => {
  const parsed = parseSimulateArgs(['--cloud', 'a:R1@5123', '--cloud', 'b@5124', '--cloud', 'c']);
  assert.deepEqual(
    parsed.clouds.map((c) => [c.name, c.regions, c.port]),
    [
      ['a', ['R1'], 5123],
      ['b', undefined, 5124],
      ['c', undefined, undefined],
    ],
  );
  assert.throws(() => parseSimulateArgs(['--cloud', 'a@http']), /non-negative integer/);
  assert.throws(() => parseSimulateArgs(['--cloud', 'a@70000']), /no port 70000/);
});
