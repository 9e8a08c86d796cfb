import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeConfig } from '../../../src/node/config.ts';

describe('auth section of the node config', () => {
  it('parses every method with its defaults', () => {
    const config = parseNodeConfig(
      `listen: 0.0.0.0:50051
auth:
  keystone: {cloud: identity}
  jwt: {jwks_url: "https://idp.example/jwks.json", issuer: "https://idp.example", audience: oaktree, project_claim: tenant}
  static_tokens: {file: tokens.yaml}
  certificates: true
  policy: policy.yaml
  peers: [spiffe://oaktree/hub, "DNS:edge.example"]
`,
      'node.yaml',
    );
    assert.deepEqual(config.auth, {
      certificates: true,
      keystone: { cloud: 'identity', revalidateSeconds: 60 },
      jwt: {
        clockSkewSeconds: 30,
        groupsClaim: 'groups',
        jwksUrl: 'https://idp.example/jwks.json',
        issuer: 'https://idp.example',
        audience: 'oaktree',
        projectClaim: 'tenant',
      },
      staticTokens: { file: 'tokens.yaml' },
      policy: 'policy.yaml',
      peers: ['spiffe://oaktree/hub', 'DNS:edge.example'],
    });
    assert.equal(parseNodeConfig('listen: 127.0.0.1:1\n', 'n.yaml').auth, undefined);
  });

  it('reports mistakes with file, line and key', () => {
    const cases: [string, RegExp][] = [
      ['auth:\n  certificates: true\n', /node\.yaml:2: auth\.policy: a policy file is required/],
      ['auth:\n  policy: p.yaml\n', /node\.yaml:2: auth: configure at least one of keystone, jwt/],
      [
        'auth:\n  policy: p.yaml\n  keystone: {revalidate_seconds: 0, cloud: x}\n',
        /node\.yaml:3: auth\.keystone\.revalidate_seconds: expected an integer >= 1/,
      ],
      [
        'auth:\n  policy: p.yaml\n  jwt:\n    jwks_file: k.json\n    jwks_url: https://x/k\n    issuer: i\n    audience: a\n',
        /node\.yaml:4: auth\.jwt: give exactly one of jwks_file, jwks_url/,
      ],
      [
        'auth:\n  policy: p.yaml\n  jwt:\n    jwks_file: k.json\n    audience: a\n',
        /node\.yaml:4: auth\.jwt\.issuer: the expected issuer/,
      ],
      [
        'auth:\n  policy: p.yaml\n  certificates: yes please\n',
        /node\.yaml:3: auth\.certificates: expected true or false/,
      ],
      [
        'auth:\n  policy: p.yaml\n  certificates: true\n  peers: [hub, "DNS:"]\n',
        /node\.yaml:4: auth\.peers\[1\]: "DNS:" names no certificate/,
      ],
      [
        'auth:\n  policy: p.yaml\n  certificates: true\n  peers: spiffe://hub\n',
        /node\.yaml:4: auth\.peers: expected a list/,
      ],
      [
        'auth:\n  policy: p.yaml\n  ldap: {}\n',
        /node\.yaml:3: auth\.ldap: unknown key; expected one of: keystone, jwt/,
      ],
    ];
    for (const [text, expected] of cases) assert.throws(() => parseNodeConfig(text, 'node.yaml'), expected, text);
  });
});
