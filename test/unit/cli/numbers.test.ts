// Every numeric option goes through the one checked parser: a wrong value is a usage error (exit 2) naming the
// option and what it takes, never NaN sent on (INTERNAL, UNKNOWN, a raw RangeError or a silent wrong answer).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command, InvalidArgumentError, type Option } from 'commander';
import { registerClientCommands } from '../../../src/cli/commands/index.ts';
import { checkedNumber, describeNumber } from '../../../src/cli/commands/numbers.ts';
import { registerNodeCommands } from '../../../src/cli/node-commands.ts';
import { runCli } from '../../integration/cli/run-cli.ts';

interface Row {
  /** The command line up to the option (positionals included, so only the option can be wrong). */
  argv: string[];
  flag: string;
  bad: string[];
  good: Array<[string, unknown]>;
}

const ROWS: Row[] = [
  { argv: ['flavor', 'list'], flag: '--timeout', bad: ['x', '0', '-1', '1e3', '9999999'], good: [['1.5', 1.5]] },
  {
    argv: ['flavor', 'list'],
    flag: '--min-ram',
    bad: ['abc', '-1', '1.5', ''],
    good: [
      ['0', 0],
      ['512', 512],
    ],
  },
  { argv: ['flavor', 'list'], flag: '--min-vcpus', bad: ['abc', '-2'], good: [['2', 2]] },
  { argv: ['image', 'upload', 'f'], flag: '--min-disk', bad: ['abc', '1.5'], good: [['0', 0]] },
  { argv: ['image', 'upload', 'f'], flag: '--min-ram', bad: ['abc', '0x10'], good: [['64', 64]] },
  { argv: ['image', 'set', 'i'], flag: '--min-disk', bad: ['abc', '-1'], good: [['1', 1]] },
  { argv: ['image', 'set', 'i'], flag: '--min-ram', bad: ['abc', '2147483648'], good: [['2147483647', 2147483647]] },
  { argv: ['network', 'create', 'n'], flag: '--mtu', bad: ['abc', '67', '65536'], good: [['1500', 1500]] },
  { argv: ['network', 'create', 'n'], flag: '--provider-segment', bad: ['abc', '-1'], good: [['100', 100]] },
  { argv: ['network', 'set', 'n'], flag: '--mtu', bad: ['abc'], good: [['9000', 9000]] },
  { argv: ['object', 'list', 'c'], flag: '--limit', bad: ['abc', '0'], good: [['5', 5]] },
  { argv: ['object', 'upload', 'c', 'f'], flag: '--delete-after', bad: ['x', '0', '1.5'], good: [['60', 60]] },
  {
    argv: ['object', 'upload', 'c', 'f'],
    flag: '--segment-size',
    bad: ['x', '0', '5T', '512MiBs', '99999999999G'],
    good: [
      ['1024', 1024],
      ['512K', 524288],
      ['512MiB', 536870912],
      ['2GB', 2147483648],
    ],
  },
  { argv: ['object', 'download', 'c', 'o'], flag: '--offset', bad: ['abc', '-1'], good: [['0', 0]] },
  { argv: ['object', 'download', 'c', 'o'], flag: '--length', bad: ['abc', '0'], good: [['10', 10]] },
  { argv: ['object', 'url', 'c', 'o'], flag: '--expires', bad: ['1.5', '0', '604801'], good: [['3600', 3600]] },
  {
    argv: ['security-group-rule', 'create', 'g'],
    flag: '--dst-port',
    bad: ['x', '70000', '90:80', '22:', '1:2:3'],
    good: [
      ['22', { portRangeMin: 22, portRangeMax: 22 }],
      ['8000:8080', { portRangeMin: 8000, portRangeMax: 8080 }],
    ],
  },
  { argv: ['server', 'create', 's'], flag: '--volume-size', bad: ['x', '0'], good: [['20', 20]] },
  {
    argv: ['server', 'create', 's'],
    flag: '--block-device',
    bad: ['size=x', 'size=0', 'size=1.5'],
    good: [['size=10', [{ sizeGb: 10, deleteOnTermination: false }]]],
  },
  { argv: ['server', 'group', 'create', 'g'], flag: '--max-server-per-host', bad: ['x', '0'], good: [['2', 2]] },
  { argv: ['subnet', 'create', 's'], flag: '--ip-version', bad: ['5', 'x'], good: [['6', 6]] },
  { argv: ['subnet', 'create', 's'], flag: '--prefix-length', bad: ['129', 'x'], good: [['24', 24]] },
  { argv: ['topology', 'up', 't.yaml'], flag: '--base-port', bad: ['x', '-1', '65536'], good: [['0', 0]] },
  { argv: ['topology', 'down', 't.yaml'], flag: '--base-port', bad: ['x'], good: [['7000', 7000]] },
  { argv: ['volume', 'create', 'v'], flag: '--size', bad: ['x', '0', '1.5', '2147483648'], good: [['10', 10]] },
  { argv: ['volume', 'set', 'v'], flag: '--size', bad: ['x', '0'], good: [['20', 20]] },
];

/** Placeholders that mean a number; --provider-segment's <id> is one too. */
const NUMERIC = /<(n|port|port\[:port\]|seconds|bytes|size|GiB|MiB|4\|6)>|--provider-segment|size=GiB/;

function program(): Command {
  const root = new Command().name('oaktree');
  registerNodeCommands(root);
  registerClientCommands(root);
  return root;
}

function* options(command: Command, path: string[] = []): Generator<[string[], Option]> {
  for (const option of command.options) yield [path, option];
  for (const sub of command.commands) yield* options(sub, [...path, sub.name()]);
}

function optionAt(root: Command, path: string[], flag: string): Option {
  let command = root;
  for (const name of path.filter((part) => !part.includes('.') && part.length > 1)) {
    const sub = command.commands.find((c) => c.name() === name);
    if (!sub) break;
    command = sub;
  }
  const option = command.options.find((o) => o.long === flag);
  assert.ok(option, `${path.join(' ')} has no ${flag}`);
  return option;
}

describe('the checked number parser', { timeout: 60_000 }, () => {
  it('takes whole numbers, fractions only where allowed, within bounds; says what it takes', () => {
    assert.equal(checkedNumber(' 42 ', { min: 0 }), 42);
    assert.equal(checkedNumber('0.5', { fractions: true, above: 0 }), 0.5);
    for (const text of ['', 'abc', '1.5', '1e3', '0x10', 'Infinity', 'NaN', '9007199254740993'])
      assert.equal(checkedNumber(text, {}), undefined, text);
    assert.equal(checkedNumber('0', { fractions: true, above: 0 }), undefined);
    assert.equal(checkedNumber('5', { only: [4, 6] }), undefined);
    assert.equal(describeNumber({ unit: 'GiB', min: 1 }), 'a whole number of GiB, 1 or more');
    assert.equal(describeNumber({ unit: 'seconds', fractions: true, above: 0 }), 'a number of seconds above 0');
    assert.equal(describeNumber({ min: 0, max: 65535 }), 'a whole number from 0 to 65535');
    assert.equal(describeNumber({ only: [4, 6] }), 'one of 4, 6');
  });

  it('covers every numeric option of the CLI', () => {
    const covered = new Set(
      ROWS.map((row) => `${row.argv.filter((a) => /^[a-z-]+$/.test(a) && a.length > 1).join(' ')} ${row.flag}`),
    );
    const all = [...options(program())];
    // --timeout comes from withCommonOptions on every client command: one parser, checked on one command here.
    const timeouts = new Set(all.filter(([, o]) => o.long === '--timeout').map(([, o]) => o.parseArg));
    assert.equal(timeouts.size, 1, 'every --timeout has the same parser');
    const numeric = all
      .filter(([, option]) => NUMERIC.test(option.flags) && option.long !== '--timeout')
      .map(([path, option]) => `${path.join(' ')} ${option.long}`);
    assert.ok(numeric.length >= 20, `found only ${numeric.length} numeric options`);
    const missing = numeric.filter((name) => !covered.has(name));
    assert.deepEqual(missing, [], 'numeric options the table does not check');
  });

  it('every numeric option refuses bad values and parses good ones', () => {
    const root = program();
    for (const row of ROWS) {
      const option = optionAt(root, row.argv, row.flag);
      assert.ok(option.parseArg, `${row.flag} has no parser`);
      for (const text of row.bad)
        assert.throws(
          () => option.parseArg!(text, undefined),
          InvalidArgumentError,
          `${row.argv.join(' ')} ${row.flag} ${JSON.stringify(text)}`,
        );
      for (const [text, value] of row.good) assert.deepEqual(option.parseArg!(text, undefined), value, text);
    }
  });

  it('a bad value exits 2 with one line naming the option and what it takes, before any call', async () => {
    for (const row of ROWS.filter((r) => r.argv[0] !== 'topology')) {
      const bad = row.bad[0]!;
      const ran = await runCli([...row.argv, row.flag, bad, '--endpoint', '127.0.0.1:1']);
      assert.equal(ran.code, 2, `${row.argv.join(' ')} ${row.flag} ${bad}: ${ran.stderr}`);
      const [first] = ran.stderr.split('\n');
      assert.match(first!, new RegExp(`^error: option '${row.flag} [^']*' argument '${bad}' is invalid\\. \\S`));
      assert.doesNotMatch(ran.stderr, /NaN|RangeError|INTERNAL|UNKNOWN|cannot reach/);
    }
  });
});
