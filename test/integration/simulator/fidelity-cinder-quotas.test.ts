// Cinder quota sets on the simulator (the real tier compares them in test/real/fidelity-cinder-quotas.test.ts).
import { defineFidelitySuite } from '../../support/fidelity.ts';
import { cinderQuotaCases } from './fidelity-cinder-quotas.cases.ts';

defineFidelitySuite('cinder quotas', cinderQuotaCases, { real: false });
