// Keystone identity administration, simulator vs the real devcloud: the same requests, the answers compared field
// by field (status, keys, types, named values). Creates only s3-sim-* records and deletes them.
import { defineFidelitySuite } from '../support/fidelity.ts';
import { keystoneCases } from '../integration/simulator/fidelity-keystone.cases.ts';

defineFidelitySuite('keystone', keystoneCases, { real: true });
