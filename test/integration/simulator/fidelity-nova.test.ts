// Nova's admin APIs on the simulator: the fidelity cases' expected answers (the real tier compares them with the
// real cloud in test/real/fidelity-nova.test.ts).
import { defineFidelitySuite } from '../../support/fidelity.ts';
import { novaCases } from './fidelity-nova.cases.ts';

defineFidelitySuite('nova admin', novaCases, { real: false });
