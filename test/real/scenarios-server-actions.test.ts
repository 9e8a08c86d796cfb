// Server actions (reboot, resize, snapshot ...) against a real OpenStack (test/real/devcloud), run by `npm run test:real`.
import { defineServerActionScenarios } from '../scenarios/server-actions.ts';
import { useRealTarget } from './real-target.ts';

defineServerActionScenarios('the real cloud', useRealTarget());
