// Object storage (Swift containers, objects, TempURLs) against a real OpenStack (test/real/devcloud), run by `npm run test:real`.
import { defineObjectStoreScenarios } from '../scenarios/object-store.ts';
import { useRealTarget } from './real-target.ts';

defineObjectStoreScenarios('the real cloud', useRealTarget());
