// Volume, snapshot, backup, image and identity scenarios against a real OpenStack (test/real/devcloud), run by `npm run test:real`.
import { defineStorageScenarios } from '../scenarios/storage-writes.ts';
import { useRealTarget } from './real-target.ts';

defineStorageScenarios('the real cloud', useRealTarget());
