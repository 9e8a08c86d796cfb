// What nova records from a create request beyond the basics (config_drive, user_data, reservation id) and the
// server attributes only admins see (OS-EXT-SRV-ATTR:*, host_status), per microversion.
import type { Ctx } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { Server } from '../store.ts';
import { badRequest } from '../util.ts';

/** The one compute host of every simulated region (also named by os-hypervisors and os-availability-zone). */
export const COMPUTE_HOST = 'sim-compute-1';

export interface ServerExtras {
  configDrive: boolean;
  userData: string | null;
  reservationId: string;
}

const TRUE = ['true', 'yes', 'on', '1', 't', 'y'];
const FALSE = ['false', 'no', 'off', '0', 'f', 'n', ''];

/** nova's boolean parameter type: JSON booleans or their usual spellings. */
function flag(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).toLowerCase();
  if (TRUE.includes(text)) return true;
  if (FALSE.includes(text)) return false;
  throw badRequest(`Invalid input for field/attribute ${field}. Value: ${String(value).slice(0, 40)}.`);
}

/** Reads config_drive and user_data of a create request (400 before anything is created). */
export function parseCreateExtras(spec: Record<string, unknown>): ServerExtras {
  const configDrive =
    spec.config_drive === undefined || spec.config_drive === null ? false : flag(spec.config_drive, 'config_drive');
  const userData = typeof spec.user_data === 'string' ? spec.user_data : null;
  if (spec.user_data !== undefined && spec.user_data !== null && userData === null)
    throw badRequest('Invalid input for field/attribute user_data.');
  if (userData !== null && !/^[A-Za-z0-9+/=\s]*$/.test(userData))
    throw badRequest('Invalid input for field/attribute user_data. Value: (not base64).');
  return { configDrive, userData, reservationId: `r-${Math.random().toString(36).slice(2, 10).padEnd(8, '0')}` };
}

/** "True" when the request asked for a config drive, "" otherwise, as nova reports it. */
export const configDriveOf = (s: Server): string => (s.extras?.configDrive ? 'True' : '');

const hostnameOf = (s: Server) =>
  s.name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'server';

/** OS-EXT-SRV-ATTR:* for admins (2.3 adds the rest, 2.90 shows the hostname to everyone) and host_status (2.16). */
export function extendedServerAttributes(ctx: Ctx, s: Server): Record<string, unknown> {
  const mv = ctx.microversion;
  const out: Record<string, unknown> = {};
  if (ctx.user?.isAdmin) {
    const placed = s.status !== 'DELETED' && s.status !== 'ERROR';
    out['OS-EXT-SRV-ATTR:host'] = placed ? COMPUTE_HOST : null;
    out['OS-EXT-SRV-ATTR:instance_name'] = `instance-${s.id.slice(0, 8)}`;
    out['OS-EXT-SRV-ATTR:hypervisor_hostname'] = placed ? COMPUTE_HOST : null;
    if (atLeast(mv, 2, 3)) {
      Object.assign(out, {
        'OS-EXT-SRV-ATTR:reservation_id': s.extras?.reservationId ?? `r-${s.id.slice(0, 8)}`,
        'OS-EXT-SRV-ATTR:launch_index': 0,
        'OS-EXT-SRV-ATTR:hostname': hostnameOf(s),
        'OS-EXT-SRV-ATTR:kernel_id': '',
        'OS-EXT-SRV-ATTR:ramdisk_id': '',
        'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
        'OS-EXT-SRV-ATTR:user_data': s.extras?.userData ?? null,
      });
    }
    if (atLeast(mv, 2, 16)) out.host_status = placed ? 'UP' : '';
  } else if (atLeast(mv, 2, 90)) {
    out['OS-EXT-SRV-ATTR:hostname'] = hostnameOf(s);
  }
  return out;
}
