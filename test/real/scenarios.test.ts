// The contract scenarios against a real OpenStack (test/real/devcloud), run by `npm run test:real`.
import { defineScenarios } from '../scenarios/scenarios.ts';
import { useRealTarget } from './real-target.ts';

defineScenarios('the real cloud', useRealTarget());
