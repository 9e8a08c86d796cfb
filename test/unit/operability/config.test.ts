// The operability sections of the node config: metrics, tracing and limits, and their mistakes with file:line:key.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NodeConfigError, parseNodeConfig } from '../../../src/node/config.ts';

const refused = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof NodeConfigError, String(error));
  assert.match(error.message, pattern);
  return true;
};

describe('node config: metrics, tracing, limits', () => {
  it('reads all three', () => {
    const config = parseNodeConfig(
      [
        'metrics:',
        '  listen: 127.0.0.1:9464',
        'tracing:',
        '  otlp_endpoint: http://127.0.0.1:4318/v1/traces',
        '  service_name: gateway',
        'limits:',
        '  prod:',
        '    rate: 10',
        '    concurrency: 8',
        '    regions:',
        '      RegionOne: { rate: 2.5 }',
      ].join('\n'),
      'node.yaml',
    );
    assert.deepEqual(config.metrics, { listen: '127.0.0.1:9464' });
    assert.deepEqual(config.tracing, { otlpEndpoint: 'http://127.0.0.1:4318/v1/traces', serviceName: 'gateway' });
    assert.deepEqual(config.limits, { prod: { rate: 10, concurrency: 8, regions: { RegionOne: { rate: 2.5 } } } });
  });

  for (const [text, pattern] of [
    [
      'limits:\n  prod:\n    rate: 0\n',
      /^node\.yaml:3: limits\.prod\.rate: expected a number of requests per second > 0, got 0$/,
    ],
    ['limits:\n  prod:\n    rate: -5\n', /^node\.yaml:3: limits\.prod\.rate: .* got -5$/],
    [
      'limits:\n  prod:\n    regions:\n      R: { rate: "fast" }\n',
      /^node\.yaml:4: limits\.prod\.regions\.R\.rate: .* got "fast"$/,
    ],
    [
      'limits:\n  prod:\n    concurrency: 0\n',
      /^node\.yaml:3: limits\.prod\.concurrency: expected an integer >= 1, got 0$/,
    ],
    [
      'limits:\n  prod:\n    burst: 3\n',
      /^node\.yaml:3: limits\.prod\.burst: unknown key; expected one of: rate, concurrency, regions$/,
    ],
    ['metrics:\n  listen: nowhere\n', /^node\.yaml:2: metrics\.listen: expected host:port/],
    ['metrics: {}\n', /^node\.yaml:1: metrics\.listen: the metrics listener needs an address/],
    [
      'tracing:\n  otlp_endpoint: 127.0.0.1:4318\n',
      /^node\.yaml:2: tracing\.otlp_endpoint: expected an http:\/\/ or https:\/\/ URL$/,
    ],
  ] as const) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseNodeConfig(text, 'node.yaml'), refused(pattern));
    });
  }
});
