// Keystone identity administration on the simulator: the fidelity cases' expected answers (the real tier compares
// them with the real cloud in test/real/fidelity-keystone.test.ts).
import { defineFidelitySuite } from '../../support/fidelity.ts';
import { keystoneCases } from './fidelity-keystone.cases.ts';

defineFidelitySuite('keystone', keystoneCases, { real: false });
