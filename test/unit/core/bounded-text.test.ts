import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bounded, echo, MAX_STATUS_MESSAGE_LENGTH } from '../../../src/core/bounded-text.ts';

test('bounded keeps short text and cuts long text to the limit with an ellipsis', () => {
  assert.equal(bounded('short'), 'short');
  const cut = bounded('a'.repeat(80_000));
  assert.equal(cut.length, MAX_STATUS_MESSAGE_LENGTH);
  assert.ok(cut.endsWith('…'));
  assert.equal(bounded('abcdef', 4), 'abc…');
});

test('bounded never leaves half a surrogate pair', () => {
  const cut = bounded(`ab${'😀'.repeat(10)}`, 4);
  assert.equal(cut, 'ab…');
  assert.doesNotThrow(() => encodeURIComponent(cut));
});

test('echo bounds a quoted value and says how long it was', () => {
  assert.equal(echo('web-1'), 'web-1');
  assert.equal(echo('x'.repeat(1000), 8), 'xxxxxxx… (1000 characters)');
});
