// The fidelity case runner: the same HTTP requests sent to the simulator and to a real OpenStack, answers compared
// field by field. A case drives one cloud through a `FidelityTarget` and returns what it saw as `Observation`s;
// on the simulator tier each observation's expected status is checked, on the real tier the simulator's and the
// real cloud's observations are compared too (status, key sets, value types, and named values).
// Add an area by writing a `FidelityCase[]` module and calling `defineFidelitySuite` from a test file per tier.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A token of one user on one project, with its catalog. */
export interface Session {
  token: string;
  userId: string;
  projectId: string;
  projectName: string;
  /** Public endpoint of a service type ("identity" is the /v3 root). */
  endpoint(type: string): string;
}

export interface FidelityTarget {
  label: 'simulator' | 'real';
  /** A member of its project (the devcloud's demo user). */
  member: Session;
  /** An admin (role admin on its project). */
  admin: Session;
  /** Prefix every name a case creates with this (shared real cloud). */
  prefix: string;
  /** Authenticates a user by name and password, scoped to a project id. */
  login(username: string, password: string, projectId: string): Promise<Session | number>;
  call(
    who: Session,
    type: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  /** Runs after the case, newest first, even when it failed. */
  cleanup(step: () => Promise<unknown>): void;
}

/** One answer to compare, with what must hold on both clouds. */
export interface Observation {
  label: string;
  answer: Answer;
  /** The status both clouds must answer. */
  status: number;
  /** Paths (dot-separated, `[]` for "every element") whose values must be equal on both clouds. */
  same?: string[];
  /** Like `same`, in any order: lists whose order is the cloud's insertion order (which service registered first). */
  sameInAnyOrder?: string[];
  /** Paths whose keys and types are not compared (a known, accepted difference, or data that varies). */
  ignore?: string[];
}

export interface FidelityCase {
  name: string;
  run(t: FidelityTarget): Promise<Observation[]>;
}

/** A value's type, the way JSON tells them apart. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const ignored = (path: string, ignore: string[]) => ignore.some((p) => path === p || path.startsWith(`${p}.`));

/** Differences of keys and types between two JSON values; arrays compare their first elements. */
export function shapeDiff(sim: unknown, real: unknown, ignore: string[] = [], path = '', depth = 8): string[] {
  if (ignored(path, ignore) || depth === 0) return [];
  const a = kind(sim);
  const b = kind(real);
  // A nullable field may be null on one cloud and set on the other.
  if (a !== b)
    return a === 'null' || b === 'null' ? [] : [`${path || '<body>'}: ${a} on the simulator, ${b} on the real cloud`];
  if (a === 'array') {
    const [x, y] = [union(sim as unknown[]), union(real as unknown[])];
    return x === undefined || y === undefined ? [] : shapeDiff(x, y, ignore, `${path}[]`, depth - 1);
  }
  if (a !== 'object') return [];
  const s = sim as Record<string, unknown>;
  const r = real as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(s), ...Object.keys(r)])) {
    const sub = path ? `${path}.${key}` : key;
    if (ignored(sub, ignore)) continue;
    if (!(key in s)) out.push(`${sub}: missing on the simulator`);
    else if (!(key in r)) out.push(`${sub}: only on the simulator`);
    else out.push(...shapeDiff(s[key], r[key], ignore, sub, depth - 1));
  }
  return out;
}

/** One element standing for all of an array's: objects merged key by key (list order differs between clouds). */
function union(items: unknown[]): unknown {
  if (items.length === 0) return undefined;
  if (!items.every((i) => kind(i) === 'object')) return items[0];
  const merged: Record<string, unknown> = {};
  for (const item of items as Record<string, unknown>[])
    for (const [k, v] of Object.entries(item)) {
      if (kind(merged[k]) === 'object' && kind(v) === 'object') merged[k] = union([merged[k], v]);
      else if (merged[k] === undefined || merged[k] === null) merged[k] = v;
    }
  return merged;
}

/** The values at a path; `[]` fans out over array elements. */
export function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const part of path.split('.')) {
    const fan = part.endsWith('[]');
    const key = fan ? part.slice(0, -2) : part;
    current = current.flatMap((v) => {
      const next = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return fan ? (Array.isArray(next) ? next : []) : [next];
    });
  }
  return current;
}

export function compareObservations(sim: Observation[], real: Observation[]): string[] {
  const problems: string[] = [];
  assert.deepEqual(
    sim.map((o) => o.label),
    real.map((o) => o.label),
    'both clouds went through the same steps',
  );
  sim.forEach((s, i) => {
    const r = real[i];
    const where = `[${s.label}]`;
    if (s.answer.status !== r.answer.status)
      problems.push(`${where} status ${s.answer.status} on the simulator, ${r.answer.status} on the real cloud`);
    const ignore = [...(s.ignore ?? []), ...(r.ignore ?? [])];
    for (const diff of shapeDiff(s.answer.body, r.answer.body, ignore)) problems.push(`${where} ${diff}`);
    const paths = [
      ...(s.same ?? []).map((p) => ({ p, sorted: false })),
      ...(s.sameInAnyOrder ?? []).map((p) => ({ p, sorted: true })),
    ];
    for (const { p: path, sorted } of paths) {
      const values = (body: unknown) => {
        const found = valuesAt(body, path);
        return sorted ? found.map((v) => JSON.stringify(v)).sort() : found;
      };
      const a = values(s.answer.body);
      const b = values(r.answer.body);
      if (JSON.stringify(a) !== JSON.stringify(b))
        problems.push(
          `${where} ${path}: ${JSON.stringify(a)} on the simulator, ${JSON.stringify(b)} on the real cloud`,
        );
    }
  });
  return problems;
}

function checkExpectations(target: FidelityTarget, observations: Observation[]): void {
  for (const o of observations)
    assert.equal(
      o.answer.status,
      o.status,
      `${target.label} [${o.label}] answered ${o.answer.status}: ${String(JSON.stringify(o.answer.body)).slice(0, 300)}`,
    );
}

// --- targets --------------------------------------------------------------------------------------------------

interface Credentials {
  authUrl: string;
  username: string;
  password: string;
  project: { id?: string; name?: string };
}

async function authenticate(authUrl: string, identity: object, scope: object): Promise<Session | number> {
  const res = await fetch(`${authUrl.replace(/\/v3\/?$/, '')}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity, scope } }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as any;
  if (res.status !== 201) return res.status;
  const catalog = body.token.catalog as Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }>;
  return {
    token: res.headers.get('x-subject-token') as string,
    userId: body.token.user.id,
    projectId: body.token.project.id,
    projectName: body.token.project.name,
    endpoint(type: string) {
      if (type === 'identity') return `${authUrl.replace(/\/v3\/?$/, '')}/v3`;
      const entry = catalog.find((s) => s.type === type)?.endpoints.find((e) => e.interface === 'public');
      if (!entry) throw new Error(`no public ${type} endpoint in the catalog`);
      return entry.url.replace(/\/$/, '');
    },
  };
}

function passwordLogin(c: Credentials): Promise<Session | number> {
  return authenticate(
    c.authUrl,
    {
      methods: ['password'],
      password: { user: { name: c.username, domain: { id: 'default' }, password: c.password } },
    },
    { project: c.project.id ? { id: c.project.id } : { name: c.project.name, domain: { id: 'default' } } },
  );
}

async function session(c: Credentials): Promise<Session> {
  const s = await passwordLogin(c);
  if (typeof s === 'number') throw new Error(`${c.username} could not log in to ${c.authUrl}: ${s}`);
  return s;
}

/** One prefix per run, the same on both clouds, so created names compare equal. */
const RUN_PREFIX = `s3-sim-${Math.random().toString(36).slice(2, 8)}`;

function makeTarget(
  label: FidelityTarget['label'],
  authUrl: string,
  member: Session,
  admin: Session,
  steps: Array<() => Promise<unknown>>,
): FidelityTarget {
  return {
    label,
    member,
    admin,
    prefix: RUN_PREFIX,
    login: (username, password, projectId) =>
      passwordLogin({ authUrl, username, password, project: { id: projectId } }),
    async call(who, type, method, path, body, headers = {}) {
      const res = await fetch(`${who.endpoint(type)}${path}`, {
        method,
        headers: {
          'x-auth-token': who.token,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // glance and some 404s answer HTML or plain text; kept as the string
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    cleanup(step) {
      steps.push(step);
    },
  };
}

async function runCleanup(steps: Array<() => Promise<unknown>>): Promise<void> {
  for (const step of steps.splice(0).reverse()) await step().catch(() => undefined);
}

export async function simulatorTarget(): Promise<{
  target: FidelityTarget;
  sim: Simulator;
  cleanup: () => Promise<void>;
}> {
  const sim = await startSimulator({ clouds: [{ name: 'fidelity', regions: ['RegionOne'], bootDelayMs: 0 }] });
  const cloud = sim.clouds[0];
  const authUrl = cloud.authUrl;
  const member = await session({
    authUrl,
    username: cloud.username,
    password: cloud.password,
    project: { name: 'demo' },
  });
  const admin = await session({
    authUrl,
    username: cloud.adminUsername,
    password: cloud.adminPassword,
    project: { name: 'admin' },
  });
  const steps: Array<() => Promise<unknown>> = [];
  return { target: makeTarget('simulator', authUrl, member, admin, steps), sim, cleanup: () => runCleanup(steps) };
}

export const REAL_CLOUDS_YAML = process.env.OAKTREE_REAL_CLOUDS_YAML ?? '/var/tmp/oaktree-devcloud/clouds.yaml';

export async function realTarget(): Promise<{ target: FidelityTarget; cleanup: () => Promise<void> }> {
  const clouds = (parse(readFileSync(REAL_CLOUDS_YAML, 'utf8')) as any).clouds;
  const creds = (entry: any): Credentials => ({
    authUrl: entry.auth.auth_url,
    username: entry.auth.username,
    password: entry.auth.password,
    project: { name: entry.auth.project_name },
  });
  const member = await session(creds(clouds.devcloud));
  const admin = await session(creds(clouds['devcloud-admin']));
  const steps: Array<() => Promise<unknown>> = [];
  return {
    target: makeTarget('real', clouds.devcloud.auth.auth_url, member, admin, steps),
    cleanup: () => runCleanup(steps),
  };
}

/**
 * Defines one test per case. On the simulator tier (`real: false`) the case runs on the simulator and its
 * expected statuses are checked; on the real tier it runs on both clouds and the answers are compared.
 */
export function defineFidelitySuite(area: string, cases: FidelityCase[], opts: { real: boolean }): void {
  describe(`fidelity: ${area} (${opts.real ? 'simulator vs real cloud' : 'simulator'})`, () => {
    let sim: Awaited<ReturnType<typeof simulatorTarget>>;
    let real: Awaited<ReturnType<typeof realTarget>> | undefined;
    before(async () => {
      sim = await simulatorTarget();
      if (opts.real) real = await realTarget();
    });
    after(async () => {
      await sim?.cleanup();
      await sim?.sim.close();
      await real?.cleanup();
    });
    for (const c of cases)
      it(c.name, { timeout: 120_000 }, async () => {
        let simObs: Observation[];
        try {
          simObs = await c.run(sim.target);
        } finally {
          await sim.cleanup();
        }
        checkExpectations(sim.target, simObs);
        if (!real) return;
        let realObs: Observation[];
        try {
          realObs = await c.run(real.target);
        } finally {
          await real.cleanup();
        }
        checkExpectations(real.target, realObs);
        const problems = compareObservations(simObs, realObs);
        assert.deepEqual(problems, [], `the simulator differs from the real cloud:\n${problems.join('\n')}`);
      });
  });
}

/** Sends one request and wraps the answer as an observation; `microversion` sets OpenStack-API-Version. */
export async function observe(
  t: FidelityTarget,
  who: Session,
  type: string,
  label: string,
  status: number,
  request: { method?: string; path: string; body?: unknown; microversion?: string },
  extra: Partial<Observation> = {},
): Promise<Observation> {
  const headers: Record<string, string> = request.microversion
    ? { 'openstack-api-version': `${type} ${request.microversion}` }
    : {};
  const answer = await t.call(who, type, request.method ?? 'GET', request.path, request.body, headers);
  return { label, answer, status, ...extra };
}
