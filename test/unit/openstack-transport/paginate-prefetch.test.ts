// The pager asks for the next page before handing out the current one: the cloud's latency overlaps the work
// on each page, and no more than one page is ever ahead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paginate, type PageRequest } from '../../../src/backends/openstack/transport/paginate.ts';
import { UnparsedBody } from '../../../src/core/unparsed-body.ts';

const NOVA_PAGES_OF_10 = { itemsKey: 'servers', baseUrl: 'http://nova/v2.1', path: '/servers/detail', limit: 10 };

function cloud(pages: number, perPage: number) {
  const asked: string[] = [];
  const fetchPage = async (req: PageRequest) => {
    asked.push(req.query.marker ?? 'first');
    const start = req.query.marker ? Number(req.query.marker) + 1 : 0;
    const count = Math.max(0, Math.min(perPage, pages * perPage - start));
    return { servers: Array.from({ length: count }, (_, i) => ({ id: String(start + i) })) };
  };
  return { asked, fetchPage };
}

test('page n+1 is already asked for while page n is processed, and never more than one ahead', async () => {
  const { asked, fetchPage } = cloud(4, 10);
  const seenWhileProcessing: number[] = [];
  let items = 0;
  for await (const page of paginate(fetchPage, NOVA_PAGES_OF_10)) {
    seenWhileProcessing.push(asked.length);
    items += page.length;
  }
  assert.equal(items, 40);
  assert.deepEqual(seenWhileProcessing, [2, 3, 4, 5], 'while page k is handed out, page k+1 has been asked for');
});

test('a consumer that stops early leaves at most one page asked for in vain', async () => {
  const { asked, fetchPage } = cloud(100, 10);
  for await (const _ of paginate(fetchPage, NOVA_PAGES_OF_10)) break;
  assert.equal(asked.length, 2);
});

test('a page fetched ahead as bytes is parsed only when its turn comes', async () => {
  const parsedWhenHandedOut: number[] = [];
  let parses = 0;
  let asked = 0;
  const fetchPage = async (req: PageRequest) => {
    asked++;
    const start = req.query.marker ? Number(req.query.marker) + 1 : 0;
    const count = Math.max(0, Math.min(10, 30 - start));
    const body = new UnparsedBody(
      Buffer.from(JSON.stringify({ servers: Array.from({ length: count }, (_, i) => ({ id: String(start + i) })) })),
      'application/json',
    );
    const parse = body.parse.bind(body);
    body.parse = () => {
      parses++;
      return parse();
    };
    return body;
  };
  let items = 0;
  for await (const page of paginate(fetchPage, NOVA_PAGES_OF_10)) {
    // Let the page fetched ahead arrive: it waits unparsed while this one is worked on.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(asked, parses + 1, 'the next page has been fetched, not parsed');
    parsedWhenHandedOut.push(parses);
    items += page.length;
  }
  assert.equal(items, 30);
  assert.deepEqual(parsedWhenHandedOut, [1, 2, 3]);
});
