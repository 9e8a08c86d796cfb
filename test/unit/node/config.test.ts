import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeConfig, NodeConfigError } from '../../../src/node/config.ts';

test('a full config parses', () => {
  const config = parseNodeConfig(
    [
      'node_id: edge-1',
      'listen: 0.0.0.0:50052',
      'clouds:',
      '  file: /etc/openstack/clouds.yaml',
      '  only: [a, b]',
      'peers:',
      '  - address: hub.example:50051',
      'simulate:',
      '  - name: sim-a',
      '    regions: [R1, R2]',
      '    seed_servers: 10',
      'redis: redis://127.0.0.1:6379',
      'log_level: debug',
      'max_hops: 4',
    ].join('\n'),
    'node.yaml',
  );
  assert.equal(config.nodeId, 'edge-1');
  assert.equal(config.listen, '0.0.0.0:50052');
  assert.deepEqual(config.clouds, { file: '/etc/openstack/clouds.yaml', only: ['a', 'b'] });
  assert.deepEqual(config.peers, [{ address: 'hub.example:50051' }]);
  assert.equal(config.simulate?.[0].regions[1], 'R2');
  assert.equal(config.simulate?.[0].seedServers, 10);
  assert.equal(config.maxHops, 4);
});

test('an empty file gives the defaults', () => {
  const config = parseNodeConfig('', 'node.yaml');
  assert.equal(config.listen, '127.0.0.1:50051');
  assert.deepEqual(config.peers, []);
});

const cases: Array<[string, string, RegExp]> = [
  [
    'unknown key',
    'listen: 127.0.0.1:1\nlisten_addr: x\n',
    /node\.yaml:2: listen_addr: unknown key; expected one of: node_id, listen/,
  ],
  ['bad listen', 'listen: localhost\n', /node\.yaml:1: listen: expected host:port/],
  ['bad port', 'listen: 127.0.0.1:99999\n', /listen: expected host:port/],
  [
    'peer without address',
    'peers:\n  - name: hub\n',
    /node\.yaml:2: peers\[0\]\.name: unknown key; expected one of: address/,
  ],
  ['peers not a list', 'peers: hub:1\n', /node\.yaml:1: peers: expected a list of peers, got "hub:1"/],
  ['bad yaml', 'listen: [\n', /node\.yaml(:\d+)?: not valid YAML/],
  ['bad log level', 'log_level: loud\n', /log_level: expected one of trace, debug/],
  ['bad redis', 'redis: 127.0.0.1:6379\n', /redis: expected a redis:\/\/ URL/],
  [
    'simulate without name',
    'simulate:\n  - regions: [R1]\n',
    /node\.yaml:2: simulate\[0\]\.name: every simulated cloud needs a name/,
  ],
  [
    'negative number',
    'simulate:\n  - name: a\n    seed_servers: -1\n',
    /node\.yaml:3: simulate\[0\]\.seed_servers: expected an integer >= 0, got -1/,
  ],
  ['bad node id', 'node_id: "a b"\n', /node_id: "a b" may only use/],
];
for (const [name, text, expected] of cases) {
  test(`config error: ${name}`, () => {
    assert.throws(
      () => parseNodeConfig(text, 'node.yaml'),
      (error: Error) => {
        assert.ok(error instanceof NodeConfigError);
        assert.match(error.message, expected);
        return true;
      },
    );
  });
}
