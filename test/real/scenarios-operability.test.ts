// Metrics, traces and rate limits of calls to a real OpenStack (test/real/devcloud), run by `npm run test:real`.
import { defineOperabilityScenarios } from '../scenarios/operability.ts';
import { useRealTarget } from './real-target.ts';

defineOperabilityScenarios('the real cloud', useRealTarget());
