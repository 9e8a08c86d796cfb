// Behaviours the simulator copies from the real cloud (Debian 12's Zed on loopback), each found by running the
// contract scenarios on both and comparing what the clouds answered.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../src/simulator/index.ts';

const sim = await startSimulator({ clouds: [{ name: 'fid', regions: ['RegionOne'], bootDelayMs: 0 }] });
after(() => sim.close());
const cloud = sim.clouds[0];

async function token(): Promise<{ token: string; catalog: any[]; projectId: string }> {
  const res = await fetch(`${cloud.authUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'demo', domain: { id: 'default' }, password: 'secret' } },
        },
        scope: { project: { name: 'demo', domain: { id: 'default' } } },
      },
    }),
  });
  const body = (await res.json()) as any;
  return { token: res.headers.get('x-subject-token')!, catalog: body.token.catalog, projectId: body.token.project.id };
}
const auth = await token();
const endpoint = (type: string) =>
  auth.catalog.find((s) => s.type === type).endpoints.find((e: any) => e.interface === 'public').url as string;
const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers: { 'x-auth-token': auth.token, ...headers }, redirect: 'manual' });

test('cinder: the project-scoped endpoint has no version document; ".../v3" redirects to ".../v3/"', async () => {
  const scoped = endpoint('volumev3');
  assert.match(scoped, new RegExp(`/v3/${auth.projectId}$`));
  assert.equal((await get(`${scoped}/`)).status, 404);
  const root = scoped.slice(0, scoped.lastIndexOf('/'));
  const redirect = await get(root);
  assert.equal(redirect.status, 302);
  assert.ok(redirect.headers.get('location')!.endsWith('/v3/'));
  const doc = (await (await get(`${root}/`)).json()) as any;
  assert.equal(doc.versions[0].min_version, '3.0');
});

test('neutron: a member sees the external network but not its subnets', async () => {
  const network = endpoint('network');
  const networks = ((await (await get(`${network}/v2.0/networks`)).json()) as any).networks;
  assert.ok(networks.some((n: any) => n['router:external']));
  const subnets = ((await (await get(`${network}/v2.0/subnets`)).json()) as any).subnets;
  assert.deepEqual(
    subnets.map((s: any) => s.name),
    ['private-subnet'],
  );
});

test('nova: limits at 2.79 have no image metadata limit; an ACTIVE server shows progress 0', async () => {
  const compute = endpoint('compute');
  const limits = ((await (await get(`${compute}/limits`, { 'openstack-api-version': 'compute 2.79' })).json()) as any)
    .limits.absolute;
  assert.equal('maxImageMeta' in limits, false);
  const old = ((await (await get(`${compute}/limits`, { 'openstack-api-version': 'compute 2.1' })).json()) as any)
    .limits.absolute;
  assert.equal(old.maxImageMeta, 128);
});

test('neutron: a bound floating IP carries port_details; cinder hides admin-only attributes from a member', async () => {
  const network = endpoint('network');
  const net = ((await (await get(`${network}/v2.0/networks?name=public`)).json()) as any).networks[0];
  const port = ((await (await get(`${network}/v2.0/ports`)).json()) as any).ports[0];
  const created = await fetch(`${network}/v2.0/floatingips`, {
    method: 'POST',
    headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' },
    body: JSON.stringify({ floatingip: { floating_network_id: net.id, ...(port ? { port_id: port.id } : {}) } }),
  });
  const fip = ((await created.json()) as any).floatingip;
  assert.ok('port_details' in fip);
  if (port) assert.equal(fip.port_details.network_id, port.network_id);

  const volume = endpoint('volumev3');
  const made = await fetch(`${volume}/volumes`, {
    method: 'POST',
    headers: { 'x-auth-token': auth.token, 'content-type': 'application/json' },
    body: JSON.stringify({ volume: { size: 1, name: 'fid' } }),
  });
  const id = ((await made.json()) as any).volume.id;
  const shown = ((await (await get(`${volume}/volumes/${id}`)).json()) as any).volume;
  assert.equal('os-vol-mig-status-attr:migstat' in shown, false);
});
