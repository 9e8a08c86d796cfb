// Configurable simulated users and projects: the simulator options, `oaktree simulate --user/--project` and the
// node config's `simulate[].users`, with the defaults unchanged when nothing is given.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseNodeConfig } from '../../../src/node/config.ts';
import { startSimulator } from '../../../src/simulator/index.ts';
import { parseSimulateArgs, parseUserSpec } from '../../../src/simulator/main.ts';

const TIMEOUT = { timeout: 30_000 };

async function login(authUrl: string, name: string, password: string, project: string) {
  const res = await fetch(`${authUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name, domain: { id: 'default' }, password } } },
        scope: { project: { name: project, domain: { id: 'default' } } },
      },
    }),
  });
  const body = (await res.json()) as { token?: { roles: Array<{ name: string }> } };
  return { status: res.status, token: res.headers.get('x-subject-token') ?? '', roles: body.token?.roles ?? [] };
}

const get = (url: string, token: string) => fetch(url, { headers: { 'x-auth-token': token } });

describe('simulated users', () => {
  it('without options: the four default users and one clouds.yaml entry per cloud', TIMEOUT, async () => {
    const sim = await startSimulator({ clouds: [{ name: 'plain' }] });
    after(() => sim.close());
    const [cloud] = sim.clouds;
    assert.deepEqual(cloud.users, []);
    assert.deepEqual(Object.keys(parse(sim.cloudsYaml()).clouds), ['plain']);
    for (const [name, project] of [
      ['demo', 'demo'],
      ['admin', 'admin'],
      ['demo2', 'project2'],
      ['oaktree-service', 'admin'],
    ])
      assert.equal((await login(cloud.authUrl, name, 'secret', project)).status, 201, name);
    const admin = await login(cloud.authUrl, 'admin', 'secret', 'admin');
    const users = (await (await get(`${cloud.authUrl}/v3/users`, admin.token)).json()) as { users: unknown[] };
    assert.equal(users.users.length, 4);
  });

  it('configured users get their projects and roles; an existing name gets a new password', TIMEOUT, async () => {
    const sim = await startSimulator({
      clouds: [
        {
          name: 'teams',
          users: [
            { name: 'alice', password: 'alice-pw', projects: ['team-a', 'team-b'] },
            { name: 'ops', password: 'ops-pw', projects: ['team-a'], roles: ['reader'], admin: true },
            { name: 'demo', password: 'changed' },
          ],
        },
      ],
    });
    after(() => sim.close());
    const [cloud] = sim.clouds;
    assert.deepEqual(
      cloud.users.map((u) => [u.username, u.project.name]),
      [
        ['alice', 'team-a'],
        ['ops', 'team-a'],
        ['demo', 'demo'],
      ],
    );
    const yaml = parse(sim.cloudsYaml()).clouds;
    assert.equal(yaml['teams-alice'].auth.project_name, 'team-a');
    assert.equal(yaml.teams.auth.password, 'changed', "the base entry follows the demo user's new password");

    const alice = await login(cloud.authUrl, 'alice', 'alice-pw', 'team-b');
    assert.equal(alice.status, 201);
    assert.deepEqual(alice.roles.map((r) => r.name).sort(), ['member', 'reader']);
    const projects = (await (await get(`${cloud.authUrl}/v3/auth/projects`, alice.token)).json()) as {
      projects: Array<{ name: string }>;
    };
    assert.deepEqual(projects.projects.map((p) => p.name).sort(), ['team-a', 'team-b']);
    assert.equal((await get(`${cloud.authUrl}/v3/users`, alice.token)).status, 403);
    assert.equal((await login(cloud.authUrl, 'alice', 'alice-pw', 'demo')).status, 401, 'not a member of demo');

    const ops = await login(cloud.authUrl, 'ops', 'ops-pw', 'team-a');
    assert.deepEqual(ops.roles.map((r) => r.name).sort(), ['admin', 'member', 'reader']);
    assert.equal((await get(`${cloud.authUrl}/v3/users`, ops.token)).status, 200);

    assert.equal((await login(cloud.authUrl, 'demo', 'secret', 'demo')).status, 401);
    assert.equal((await login(cloud.authUrl, 'demo', 'changed', 'demo')).status, 201);
  });

  it('oaktree simulate --user and --project', () => {
    const { clouds } = parseSimulateArgs(['--clouds', '1', '--project', 'p1', '--user', 'bob:pw:p1,p2:member,creator']);
    assert.deepEqual(clouds[0].projects, ['p1']);
    assert.deepEqual(clouds[0].users, [
      { name: 'bob', password: 'pw', projects: ['p1', 'p2'], roles: ['member', 'creator'] },
    ]);
    assert.deepEqual(parseUserSpec('carol'), { name: 'carol' });
    assert.throws(() => parseUserSpec('a:b:c:d:e'), /--user needs NAME/);
    assert.throws(() => parseUserSpec(':pw'), /--user needs NAME/);
    assert.throws(() => parseSimulateArgs(['--project', '']), /--project needs a name/);
  });

  it("the node config's simulate entries take projects and users", () => {
    const config = parseNodeConfig(
      [
        'simulate:',
        '  - name: lab',
        '    projects: [dev, prod]',
        '    users:',
        '      - { name: alice, password: pw, projects: [dev], roles: [member] }',
        '      - { name: root, admin: true }',
      ].join('\n'),
      'node.yaml',
    );
    assert.deepEqual(config.simulate?.[0].projects, ['dev', 'prod']);
    assert.deepEqual(config.simulate?.[0].users, [
      { name: 'alice', password: 'pw', projects: ['dev'], roles: ['member'] },
      { name: 'root', admin: true },
    ]);
    assert.throws(
      () => parseNodeConfig('simulate:\n  - name: lab\n    users:\n      - { password: pw }\n', 'node.yaml'),
      /every simulated user needs a name/,
    );
    assert.throws(
      () =>
        parseNodeConfig('simulate:\n  - name: lab\n    users:\n      - { name: x, admin: yes-please }\n', 'node.yaml'),
      /admin/,
    );
  });
});
