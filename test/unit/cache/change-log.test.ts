import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeLog } from '../../../src/cache/poller/change-log.ts';

test('change log: classify dedupes by content, sequences grow, the ring keeps the last changes', () => {
  const log = new ChangeLog({ capacity: 16 });
  const s = (status: string, updated = '2026-01-01T00:00:00Z') => ({ id: 'a', status, updated });
  assert.equal(log.classify('a', s('BUILD')), 'ADDED');
  log.append('ADDED', 'a', s('BUILD'));
  assert.equal(log.classify('a', s('BUILD')), undefined, 'the same server again (poll overlap) is no change');
  assert.equal(log.classify('a', s('ACTIVE')), 'MODIFIED');
  log.append('MODIFIED', 'a', s('ACTIVE'));
  assert.equal(log.classify('a', { id: 'a', status: 'DELETED' }), 'DELETED');
  assert.equal(log.classify('zz', { id: 'zz', status: 'DELETED' }), undefined, 'an unknown deleted server is no event');
  log.append('DELETED', 'a', s('DELETED'));
  assert.equal(log.size, 0);
  const since = log.since(1);
  assert.ok('changes' in since && since.changes.map((c) => c.seq).join() === '2,3');
  for (let i = 0; i < 40; i++) log.append('ADDED', `x${i}`, { id: `x${i}` });
  assert.ok('expired' in log.since(1), 'older than the ring');
  assert.ok('changes' in log.since(log.seq - 16));
  assert.ok('expired' in log.since(log.seq + 1), 'ahead of the log');
  assert.throws(() => log.append('ADDED', 'y', {}, log.seq + 5), /expected seq/);
});

test('change log: reset makes earlier positions unresumable', () => {
  const log = new ChangeLog({ capacity: 100 });
  log.append('ADDED', 'a', { id: 'a' });
  log.reset(50, [['b', { id: 'b' }]]);
  assert.ok('expired' in log.since(1));
  assert.ok('changes' in log.since(50));
  assert.deepEqual([...log.ids()], ['b']);
});
