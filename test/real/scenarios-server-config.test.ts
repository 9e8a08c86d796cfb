// Server metadata, tags, filters, groups and create options against a real OpenStack (test/real/devcloud), run by `npm run test:real`.
import { defineServerConfigScenarios } from '../scenarios/server-config.ts';
import { useRealTarget } from './real-target.ts';

defineServerConfigScenarios('the real cloud', useRealTarget());
