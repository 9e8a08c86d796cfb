// docs/operating.md's generated parts: the committed page is current, and the config reference it is made from
// describes exactly the keys the parser accepts in every section (probed with an unknown key).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NODE_CONFIG_REFERENCE } from '../../../src/node/config-reference.ts';
import { NodeConfigError, parseNodeConfig } from '../../../src/node/config.ts';
import { OPERATING_DOC, renderOperatingDoc } from '../../../src/tools/operating-docs.ts';

describe('docs/operating.md', () => {
  it('is current (npm run docs:operating)', () => {
    const committed = readFileSync(OPERATING_DOC, 'utf8');
    assert.equal(committed, renderOperatingDoc(committed), 'stale: run npm run docs:operating and commit the page');
  });

  for (const section of NODE_CONFIG_REFERENCE) {
    it(`describes every key the parser accepts in ${section.path || 'the top level'}, and no other`, () => {
      let accepted: string[] | undefined;
      try {
        parseNodeConfig(section.probe, 'probe.yaml');
      } catch (error) {
        assert.ok(error instanceof NodeConfigError, String(error));
        const match = /\bzzz: unknown key; expected one of: (.*)$/.exec(error.message);
        assert.ok(match, `the probe fails on zzz: ${error.message}`);
        accepted = match[1].split(', ');
      }
      assert.ok(accepted, 'the probe is refused');
      assert.deepEqual(
        section.settings.map((s) => s.key).sort(),
        accepted.sort(),
        `src/node/config-reference.ts section ${section.path || '(top level)'}`,
      );
    });
  }
});
