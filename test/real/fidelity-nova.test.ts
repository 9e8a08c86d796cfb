// Nova's admin APIs, simulator vs the real devcloud, compared field by field. Creates only s3-sim-* flavors,
// aggregates and projects and deletes them; never touches the m1.* flavors or the demo project's quotas.
import { defineFidelitySuite } from '../support/fidelity.ts';
import { novaCases } from '../integration/simulator/fidelity-nova.cases.ts';

defineFidelitySuite('nova admin', novaCases, { real: true });
