// Cinder quota sets, simulator vs the real devcloud; changes only an s3-sim-* project's quotas and deletes it.
import { defineFidelitySuite } from '../support/fidelity.ts';
import { cinderQuotaCases } from '../integration/simulator/fidelity-cinder-quotas.cases.ts';

defineFidelitySuite('cinder quotas', cinderQuotaCases, { real: true });
