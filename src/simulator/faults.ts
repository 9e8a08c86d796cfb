// Fault knobs: latency, forced status codes, hangs, keystone outages, token expiry, failing builds.
// Shared by every cloud of a simulator; reachable in-process and over the control endpoint.
import type { FaultControl, FaultInfo, FaultSpec, FaultTarget, ServiceName } from './types.ts';
import { ApiError } from './util.ts';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'hang' }
  | { kind: 'drop' };

interface RequestTarget {
  cloud: string;
  service: ServiceName | 'unknown';
  region: string;
  /** Method and route template, e.g. `GET /servers/{id}`. */
  route: string;
}

const SERVICES = new Set(['identity', 'compute', 'image', 'network', 'volume']);

export class FaultRegistry implements FaultControl {
  private readonly rules = new Map<string, FaultInfo>();
  private nextId = 1;

  /** Called to invalidate every token of a cloud (all clouds when undefined). */
  constructor(private readonly invalidateTokens: (cloud?: string) => void) {}

  add(spec: FaultSpec): FaultInfo {
    validate(spec);
    const info = { ...spec, id: `fault-${this.nextId++}` } as FaultInfo;
    if ('count' in spec && spec.count !== undefined) info.remaining = spec.count;
    if (spec.kind === 'expire-tokens') {
      if (!spec.afterRequests) {
        this.invalidateTokens(spec.cloud);
        return info; // one-shot, already done
      }
      info.remaining = spec.afterRequests;
    }
    this.rules.set(info.id, info);
    return info;
  }

  remove(id: string): boolean {
    return this.rules.delete(id);
  }

  clear(): void {
    this.rules.clear();
  }

  list(): FaultInfo[] {
    return [...this.rules.values()].map((r) => ({ ...r }));
  }

  expireTokens(cloud?: string, afterRequests?: number): FaultInfo {
    return this.add({ kind: 'expire-tokens', cloud, afterRequests });
  }

  /** Extra latency for one request. */
  latencyFor(t: RequestTarget): number {
    let ms = 0;
    for (const rule of this.rules.values()) if (rule.kind === 'latency' && matches(rule, t)) ms += rule.ms;
    return ms;
  }

  /** What to do with one request, consuming counted rules. */
  decide(t: RequestTarget): FaultDecision {
    for (const rule of this.rules.values()) {
      if (rule.kind === 'expire-tokens' && (!rule.cloud || rule.cloud === t.cloud)) {
        if (--rule.remaining! <= 0) {
          this.rules.delete(rule.id);
          this.invalidateTokens(rule.cloud);
        }
      }
    }
    for (const rule of this.rules.values()) {
      if (rule.kind === 'keystone-down' && t.service === 'identity' && (!rule.cloud || rule.cloud === t.cloud)) {
        return rule.mode === '503' ? { kind: 'status', status: 503 } : { kind: 'drop' };
      }
      if (rule.kind === 'hang' && matches(rule, t) && this.consume(rule)) return { kind: 'hang' };
      if (rule.kind === 'status' && matches(rule, t)) {
        if (rule.fraction !== undefined && Math.random() >= rule.fraction) continue;
        if (!this.consume(rule)) continue;
        return {
          kind: 'status',
          status: rule.status,
          retryAfterSeconds: rule.retryAfterSeconds ?? (rule.status === 429 ? 1 : undefined),
        };
      }
    }
    return { kind: 'none' };
  }

  /** Fault message when a new server's build must end in ERROR. */
  serverFailure(cloud: string, region: string, name: string): string | undefined {
    for (const rule of this.rules.values()) {
      if (rule.kind !== 'server-error') continue;
      if ((rule.cloud && rule.cloud !== cloud) || (rule.region && rule.region !== region)) continue;
      if (rule.namePattern !== undefined && !new RegExp(rule.namePattern).test(name)) continue;
      if (!this.consume(rule)) continue;
      return rule.message ?? 'No valid host was found. There are not enough hosts available.';
    }
    return undefined;
  }

  /** Takes one use of a counted rule; false when it is used up. */
  private consume(rule: FaultInfo): boolean {
    if (rule.remaining === undefined) return true;
    if (rule.remaining <= 0) return false;
    if (--rule.remaining === 0) this.rules.delete(rule.id);
    return true;
  }
}

function matches(rule: FaultTarget, t: RequestTarget): boolean {
  return (
    (!rule.cloud || rule.cloud === t.cloud) &&
    (!rule.service || rule.service === t.service) &&
    (!rule.region || rule.region === t.region) &&
    (!rule.route || rule.route === t.route)
  );
}

function validate(spec: FaultSpec): void {
  const bad = (msg: string) => new ApiError(400, msg);
  if (!spec || typeof spec !== 'object') throw bad('fault must be an object');
  if ('service' in spec && spec.service !== undefined && !SERVICES.has(spec.service))
    throw bad(`unknown service ${spec.service}`);
  if ('route' in spec && spec.route !== undefined && !/^[A-Z]+ \/\S*$/.test(spec.route))
    throw bad(`route must be a method and a path template, like "GET /servers/{id}": got ${spec.route}`);
  switch (spec.kind) {
    case 'latency':
      if (typeof spec.ms !== 'number' || spec.ms < 0) throw bad('latency needs ms >= 0');
      return;
    case 'status':
      if (typeof spec.status !== 'number' || spec.status < 400 || spec.status > 599)
        throw bad('status needs a 4xx/5xx status');
      if (spec.count === undefined && spec.fraction === undefined) throw bad('status needs count or fraction');
      return;
    case 'server-error':
      if (spec.namePattern !== undefined) new RegExp(spec.namePattern);
      if (spec.count === undefined && spec.namePattern === undefined)
        throw bad('server-error needs count or namePattern');
      return;
    case 'hang':
    case 'keystone-down':
    case 'expire-tokens':
      return;
    default:
      throw bad(`unknown fault kind ${(spec as { kind?: string }).kind}`);
  }
}
