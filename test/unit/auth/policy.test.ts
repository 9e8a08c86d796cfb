import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from '../../../src/auth/identity.ts';
import { Policy } from '../../../src/auth/policy.ts';
import type { Location } from '../../../src/gen/oaktree/v1/location.ts';

const loc = (cloud: string, region: string, project = 'demo'): Location => ({
  cloud,
  region,
  zone: '',
  project: { id: `id-${project}`, name: project, domainId: 'default', domainName: 'Default' },
});
const who = (over: Partial<Identity>): Identity => ({
  method: 'keystone',
  subject: 'test',
  roles: [],
  groups: [],
  ...over,
});

const POLICY = `grants:
  - who: {user: alice}
    locations: [{cloud: sim-alpha, region: RegionOne}, {cloud: sim-beta}]
    actions: [read, write]
  - who: {role: reader, method: keystone}
    locations: []
    actions: [read]
  - who: {group: [ops, sre]}
    locations: {}
    actions: [read, write]
  - who: {project: id-project2}
    locations: [{project: project2}]
    actions: [read, write]
  - who: {token: ci}
    locations: [{cloud: sim-beta, region: RegionOne}]
    actions: [write]
  - who: {certificate: spiffe://mesh/edge-1}
    locations: [{cloud: sim-alpha}]
    actions: [read]
`;

describe('policy file', () => {
  it('reports mistakes with file, line and key', () => {
    const cases: [string, RegExp][] = [
      [
        'grants:\n  - who: {user: a}\n    locations: []\n    actions: [read, delete]\n',
        /p\.yaml:4: grants\[0\]\.actions\[1\]: unknown action "delete"/,
      ],
      [
        'grants:\n  - who: {usr: a}\n    locations: []\n    actions: [read]\n',
        /p\.yaml:2: grants\[0\]\.who\.usr: unknown key; expected one of: user, project/,
      ],
      [
        'grants:\n  - who: {user: a}\n    actions: [read]\n',
        /p\.yaml:2: grants\[0\]\.locations: every grant needs "locations"/,
      ],
      [
        'grants:\n  - who: {user: a}\n    locations: [{cloud: x, zone: z}]\n    actions: [read]\n',
        /p\.yaml:3: grants\[0\]\.locations\[0\]\.zone: unknown key/,
      ],
      [
        'grants:\n  - who: {method: password}\n    locations: []\n    actions: [read]\n',
        /p\.yaml:2: grants\[0\]\.who\.method: unknown method "password"/,
      ],
      [
        'grants:\n  - who: {user: a}\n    locations: []\n    actions: []\n',
        /p\.yaml:4: grants\[0\]\.actions: a grant needs at least one action/,
      ],
      ['grant: []\n', /p\.yaml:1: grant: unknown key; expected one of: grants/],
      ['grants: [\n', /p\.yaml:\d+: not valid YAML/],
    ];
    for (const [text, expected] of cases) assert.throws(() => Policy.parse(text, 'p.yaml'), expected, text);
  });

  it('an empty policy denies everything', () => {
    const auth = Policy.parse('', 'p.yaml').authorize(who({ user: { name: 'alice' } }));
    assert.equal(auth.canRead(loc('sim-alpha', 'RegionOne')), false);
  });

  it('grants by user, role, group, project, token and certificate; all keys of a who must match', () => {
    const policy = Policy.parse(POLICY, 'p.yaml');
    const alice = policy.authorize(who({ user: { id: 'u1', name: 'alice' } }));
    assert.equal(alice.canWrite(loc('sim-alpha', 'RegionOne')), true);
    assert.equal(alice.canWrite(loc('sim-alpha', 'RegionTwo')), false);
    assert.equal(alice.canRead(loc('sim-beta', 'RegionOne')), true);
    assert.deepEqual(
      alice
        .filterLocations([loc('sim-alpha', 'RegionOne'), loc('sim-alpha', 'RegionTwo'), loc('sim-beta', 'RegionOne')])
        .map((l) => `${l.cloud}/${l.region}`),
      ['sim-alpha/RegionOne', 'sim-beta/RegionOne'],
    );

    const reader = policy.authorize(who({ roles: ['reader'] }));
    assert.equal(reader.canRead(loc('anything', 'R')), true);
    assert.equal(reader.canWrite(loc('anything', 'R')), false);
    // role matches but method does not: the grant does not apply
    assert.equal(policy.authorize(who({ method: 'jwt', roles: ['reader'] })).canRead(loc('anything', 'R')), false);

    assert.equal(policy.authorize(who({ method: 'jwt', groups: ['sre'] })).canWrite(loc('x', 'y')), true);

    const tenant2 = policy.authorize(who({ project: { id: 'id-project2', name: 'project2' } }));
    assert.equal(tenant2.canWrite(loc('sim-alpha', 'RegionTwo', 'project2')), true);
    assert.equal(tenant2.canRead(loc('sim-alpha', 'RegionTwo', 'demo')), false);

    const ci = policy.authorize(who({ method: 'static-token', tokenName: 'ci' }));
    assert.equal(ci.canWrite(loc('sim-beta', 'RegionOne')), true);
    assert.equal(ci.canRead(loc('sim-beta', 'RegionOne')), false, 'actions are not implied: write does not give read');

    const edge = policy.authorize(
      who({ method: 'certificate', certificate: { cn: 'edge', sans: ['URI:spiffe://mesh/edge-1'] } }),
    );
    assert.equal(edge.canRead(loc('sim-alpha', 'RegionOne')), true);
    assert.equal(
      policy
        .authorize(who({ method: 'certificate', certificate: { cn: 'edge', sans: ['URI:spiffe://mesh/edge-2'] } }))
        .canRead(loc('sim-alpha', 'RegionOne')),
      false,
    );

    assert.equal(policy.grantsFor(who({ user: { name: 'mallory' } })).length, 0);
  });
});
