// Network writes (networks, subnets, routers, ports, security groups, floating IPs) against a real OpenStack (test/real/devcloud), run by `npm run test:real`.
import { defineNetworkWriteScenarios } from '../scenarios/network-writes.ts';
import { useRealTarget } from './real-target.ts';

defineNetworkWriteScenarios('the real cloud', useRealTarget());
