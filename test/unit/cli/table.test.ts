// The hand-written table and record formatters, and the CLI's option parsers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyValue } from '../../../src/cli/commands/context.ts';
import { formatBytes } from '../../../src/cli/commands/output.ts';
import { formatRecord, formatTable } from '../../../src/cli/commands/table.ts';

describe('CLI formatting', () => {
  it('pads columns to the widest cell, shows - for empty cells, keeps one line per row', () => {
    const rows = [
      { name: 'web-1', ip: '10.0.0.5', note: '' },
      { name: 'a', ip: '', note: 'two\nlines' },
    ];
    const text = formatTable(rows, [
      { header: 'NAME', value: (r) => r.name },
      { header: 'ADDRESS', value: (r) => r.ip },
      { header: 'NOTE', value: (r) => r.note },
    ]);
    assert.equal(text, 'NAME   ADDRESS   NOTE\nweb-1  10.0.0.5  -\na      -         two, lines\n');
  });

  it('a record flattens nested objects and lists into dotted keys', () => {
    const text = formatRecord({
      location: { cloud: 'c', region: 'r' },
      tags: ['a', 'b'],
      addresses: [{ address: '1.2.3.4' }],
      gone: undefined,
    });
    assert.equal(
      text,
      'location.cloud        c\nlocation.region       r\ntags                  a, b\naddresses[0].address  1.2.3.4\n',
    );
  });

  it('sizes in binary units; key=value options accumulate and reject a missing =', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
    assert.equal(formatBytes(5n * 1024n ** 3n), '5.0 GiB');
    assert.deepEqual(keyValue('b=2=3', { a: '1' }), { a: '1', b: '2=3' });
    assert.throws(() => keyValue('novalue'), /expected key=value/);
  });
});
