// Rendering for the openstack CLI's habits: value and csv, -c, --long, --sort-column, enum words, properties as JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completionScript } from '../../../src/cli/commands/completion.ts';
import { normalizeEndpoint } from '../../../src/cli/commands/endpoint.ts';
import { enumWord } from '../../../src/cli/commands/enum-words.ts';
import { renderList, renderOne, type View } from '../../../src/cli/commands/output.ts';
import { Command } from 'commander';

interface Thing {
  name: string;
  ramMb: number;
  status: string;
  properties: Record<string, string>;
}

const view: View<Thing> = {
  columns: [
    { header: 'NAME', value: (t) => t.name },
    { header: 'RAM', value: (t) => `${t.ramMb / 1024} GiB`, sortKey: (t) => t.ramMb },
  ],
  long: [{ header: 'STATUS', value: (t) => enumWord(t.status) }],
  toJSON: (t) => ({ ...t }),
};

const things: Thing[] = [
  { name: 'big, "quoted"', ramMb: 16384, status: 'SERVER_STATUS_ACTIVE', properties: { tags: '["a","b"]' } },
  { name: 'small', ramMb: 2048, status: 'SERVER_STATUS_BUILDING', properties: { note: '[not json' } },
];

describe('CLI output', () => {
  it('value prints cells only; csv quotes every field and doubles quotes', () => {
    assert.equal(renderList(things, view, 'value', { columns: ['name'] }), 'big, "quoted"\nsmall\n');
    assert.equal(renderList(things, view, 'csv'), '"NAME","RAM"\n"big, ""quoted""","16 GiB"\n"small","2 GiB"\n');
  });

  it("--long adds the view's extra columns; -c names them in its order, by header or JSON field", () => {
    assert.match(renderList(things, view, 'table', { long: true }), /^NAME +RAM +STATUS\n.*ACTIVE\n.*BUILDING\n$/);
    assert.equal(renderList(things, view, 'value', { columns: ['status', 'ramMb'] }), 'ACTIVE 16384\nBUILDING 2048\n');
    assert.throws(() => renderList(things, view, 'table', { columns: ['nope'] }), RangeError);
  });

  it('--sort-column compares sort keys (sizes by number, not by their text), descending on request', () => {
    const names = (descending: boolean) =>
      renderList(things, view, 'value', { columns: ['name'], sortColumns: ['RAM'], descending });
    assert.equal(names(false), 'small\nbig, "quoted"\n');
    assert.equal(names(true), 'big, "quoted"\nsmall\n');
  });

  it('JSON keeps proto3 enum names, the table words; properties holding JSON become values', () => {
    const json = JSON.parse(renderOne(things[0], view, 'json'));
    assert.equal(json.status, 'SERVER_STATUS_ACTIVE');
    assert.deepEqual(json.properties.tags, ['a', 'b']);
    assert.equal(JSON.parse(renderOne(things[1], view, 'json')).properties.note, '[not json');
    assert.match(renderOne(things[0], view, 'table'), /^status +ACTIVE$/m);
    assert.equal(renderOne(things[0], view, 'value', { columns: ['status'] }), 'ACTIVE\n');
  });

  it('HOST alone gets port 50051; a port or a scheme is kept', () => {
    assert.equal(normalizeEndpoint('node.example'), 'node.example:50051');
    assert.equal(normalizeEndpoint('node.example:7000'), 'node.example:7000');
    assert.equal(normalizeEndpoint('https://node.example'), 'https://node.example:50051');
    assert.equal(normalizeEndpoint('[::1]'), '[::1]:50051');
    assert.equal(normalizeEndpoint('[::1]:9'), '[::1]:9');
  });

  it('the completion script lists visible subcommands and options of each command path', () => {
    const program = new Command('oaktree');
    program.command('server').command('list').option('--long');
    program.command('hidden', { hidden: true });
    const script = completionScript(program, 'bash');
    assert.match(script, /^ {4}''\) echo 'server --help' ;;$/m);
    assert.match(script, /^ {4}'server list'\) echo '--long --help' ;;$/m);
    assert.match(completionScript(program, 'zsh'), /^autoload -U \+X bashcompinit && bashcompinit$/m);
  });
});
