// Block storage discovery the way a real cinder answers (seen on Zed): the project-scoped catalog URL is 404,
// the version root without its slash is a 302, and only ".../v3/" has the version document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VersionDiscovery } from '../../../src/backends/openstack/transport/discovery.ts';

const CINDER_V3 = { versions: [{ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0' }] };

test('cinder: the version document is found at the version root with its trailing slash', async () => {
  const asked: string[] = [];
  const discovery = new VersionDiscovery(async (url: URL) => {
    asked.push(url.pathname);
    if (url.pathname === '/v3/') return { status: 200, body: CINDER_V3 };
    if (url.pathname === '/v3') return { status: 302, body: undefined };
    return { status: 404, body: { message: 'not found' } };
  });
  const info = await discovery.discover(
    'block-storage',
    'http://cinder.example:8776/v3/2e5b3e78a24f4ef8971c6d0eb8506617',
  );
  assert.equal(info.discovered, true);
  assert.equal(info.minMicroversion, '3.0');
  assert.equal(info.maxMicroversion, '3.70');
  assert.equal(
    info.url,
    'http://cinder.example:8776/v3/2e5b3e78a24f4ef8971c6d0eb8506617',
    'requests keep the project-scoped URL',
  );
  assert.deepEqual(asked, ['/v3/2e5b3e78a24f4ef8971c6d0eb8506617', '/v3/']);
});
