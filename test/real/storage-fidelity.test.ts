// Cinder and Glance fidelity on the real tier: the same raw requests to the simulator and to the real cloud
// (Debian 12's Zed on loopback), every answer compared with ids and times blanked.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { REAL_CLOUDS_YAML } from '../support/fidelity.ts';
import { STORAGE_FIELDS, simulatorStorageAnswers, storageAnswers } from '../support/storage-fidelity.ts';

describe('cinder and glance fidelity (simulator vs real cloud)', { timeout: 180_000 }, () => {
  const answers: Record<string, Record<string, unknown>> = {};
  before(async () => {
    const prefix = `storage-fid-${Date.now().toString(36)}`;
    answers.simulator = await simulatorStorageAnswers(prefix);
    answers.real = await storageAnswers('real', REAL_CLOUDS_YAML, 'devcloud', 'devcloud-admin', prefix);
  });
  for (const field of STORAGE_FIELDS) {
    test(`${field}: the simulator answers as the real cloud`, () => {
      assert.deepEqual(answers.simulator[field], answers.real[field]);
    });
  }
});
