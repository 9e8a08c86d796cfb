// Tests that need a real system program (Debian's openstack CLI, redis-server ...). In CI a missing program
// fails the run; on a developer's machine those tests are skipped, with the package to install as the reason.
import { existsSync } from 'node:fs';

/** The skip reason for node:test, or false when every program is there (or in CI, where missing ones must fail). */
export function skipUnlessInstalled(programs: string[], install: string): string | false {
  const missing = programs.filter((program) => !existsSync(program));
  if (missing.length === 0 || process.env.CI) return false;
  return `${missing.join(', ')} not installed: ${install}`;
}
