// The authorization policy: which identities may read or write which locations. Default deny.
//
//   grants:
//     - who: {user: alice}                   # all given keys must match; {} matches every authenticated caller
//       locations: [{cloud: sim-alpha, region: RegionOne}, {cloud: sim-beta}]   # [] or {} = everywhere
//       actions: [read, write]
//     - who: {role: admin, method: keystone}
//       locations: []
//       actions: [read]
//
// `who` keys (each a string or a list meaning "any of"):
//   user        user id or name            project  project id or name (Keystone scope, JWT project claim)
//   role        a Keystone role            group    an entry of the JWT groups claim
//   token       a static token's name      certificate  the client certificate's CN or a SAN ("URI:spiffe://x" or "spiffe://x")
//   method      keystone | jwt | static-token | certificate
// A location selector matches on cloud, region and project (id or name); a missing key matches anything.
import { readFile } from 'node:fs/promises';
import { isMap, isSeq } from 'yaml';
import type { Location } from '../gen/oaktree/v1/location.ts';
import type { Action } from '../core/methods.ts';
import { certificateNames, type AuthMethodName, type Identity } from './identity.ts';
import { parseYamlFile, readers, type Fail, type YamlNode } from '../config/yaml-file.ts';
import { AuthConfigError } from './errors.ts';

const WHO_KEYS = ['user', 'project', 'role', 'group', 'token', 'certificate', 'method'] as const;
type WhoKey = (typeof WHO_KEYS)[number];
const METHODS: AuthMethodName[] = ['keystone', 'jwt', 'static-token', 'certificate'];
const ACTIONS: Action[] = ['read', 'write'];

export interface LocationGrantSelector {
  cloud?: string;
  region?: string;
  project?: string;
}

export interface Grant {
  who: Partial<Record<WhoKey, string[]>>;
  /** Empty: every location. */
  locations: LocationGrantSelector[];
  actions: Action[];
}

export class Policy {
  readonly grants: readonly Grant[];

  constructor(grants: Grant[]) {
    this.grants = grants;
  }

  static parse(text: string, file: string): Policy {
    const { root, fail } = parseYamlFile(text, file, (message) => new AuthConfigError(message));
    const r = readers(fail);
    const grants: Grant[] = [];
    if (root === null) return new Policy(grants);
    for (const top of r.entries(root, '', ['grants'])) {
      r.list(top.value, top.path).forEach((item, index) => grants.push(parseGrant(item, `grants[${index}]`, r, fail)));
    }
    return new Policy(grants);
  }

  static async load(file: string): Promise<Policy> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new AuthConfigError(`${file}: cannot read the policy: ${(error as Error).message}`);
    }
    return Policy.parse(text, file);
  }

  grantsFor(identity: Identity): Grant[] {
    return this.grants.filter((grant) => whoMatches(grant.who, identity));
  }

  /** What one call may do: built once per call by the middleware. */
  authorize(identity: Identity): Authorization {
    return new Authorization(identity, this.grantsFor(identity));
  }
}

type Readers = ReturnType<typeof readers>;

function parseGrant(node: YamlNode, key: string, r: Readers, fail: Fail): Grant {
  const grant: Partial<Grant> = {};
  for (const entry of r.entries(node, key, ['who', 'locations', 'actions'])) {
    if (entry.name === 'who') {
      grant.who = {};
      for (const w of r.entries(entry.value, entry.path, [...WHO_KEYS])) {
        const values = isSeq(w.value) ? r.strList(w.value, w.path) : [r.str(w.value, w.path)];
        if (w.name === 'method') {
          for (const m of values)
            if (!METHODS.includes(m as AuthMethodName))
              fail(w.value, w.path, `unknown method "${m}"; expected one of: ${METHODS.join(', ')}`);
        }
        grant.who[w.name as WhoKey] = values;
      }
    } else if (entry.name === 'locations') {
      // `{}` is the documented spelling of "everywhere", like `[]`.
      const everywhere = isMap(entry.value) && entry.value.items.length === 0;
      grant.locations = everywhere
        ? []
        : r.list(entry.value, entry.path).map((item, index) => {
            const selector: LocationGrantSelector = {};
            for (const s of r.entries(item, `${entry.path}[${index}]`, ['cloud', 'region', 'project']))
              selector[s.name as keyof LocationGrantSelector] = r.str(s.value, s.path);
            return selector;
          });
    } else {
      const actions = r.strList(entry.value, entry.path);
      actions.forEach((a, i) => {
        if (!ACTIONS.includes(a as Action))
          fail(
            r.list(entry.value, entry.path)[i],
            `${entry.path}[${i}]`,
            `unknown action "${a}"; expected read or write`,
          );
      });
      if (actions.length === 0) fail(entry.value, entry.path, 'a grant needs at least one action (read, write)');
      grant.actions = actions as Action[];
    }
  }
  for (const required of ['who', 'locations', 'actions'] as const) {
    if (grant[required] === undefined) fail(node, `${key}.${required}`, `every grant needs "${required}"`);
  }
  return grant as Grant;
}

function whoMatches(who: Grant['who'], id: Identity): boolean {
  const any = (wanted: string[] | undefined, actual: (string | undefined)[]) =>
    wanted === undefined || wanted.some((w) => actual.includes(w));
  const certNames = id.certificate ? certificateNames(id.certificate) : [];
  return (
    any(who.user, [id.user?.id, id.user?.name]) &&
    any(who.project, [id.project?.id, id.project?.name]) &&
    any(who.role, id.roles) &&
    any(who.group, id.groups) &&
    any(who.token, [id.tokenName]) &&
    any(who.certificate, certNames) &&
    any(who.method, [id.method])
  );
}

function selectorMatches(selector: LocationGrantSelector, location: Location): boolean {
  return (
    (selector.cloud === undefined || selector.cloud === location.cloud) &&
    (selector.region === undefined || selector.region === location.region) &&
    (selector.project === undefined ||
      selector.project === location.project?.id ||
      selector.project === location.project?.name)
  );
}

/** The grants of one caller, asked per location by the router and the handlers. */
export class Authorization {
  constructor(
    readonly identity: Identity,
    readonly grants: readonly Grant[],
  ) {}

  can(action: Action, location: Location): boolean {
    return this.grants.some(
      (g) =>
        g.actions.includes(action) &&
        (g.locations.length === 0 || g.locations.some((s) => selectorMatches(s, location))),
    );
  }

  canRead(location: Location): boolean {
    return this.can('read', location);
  }

  canWrite(location: Location): boolean {
    return this.can('write', location);
  }

  /** The locations this caller may see (or act on), in their order. */
  filterLocations<T extends Location>(locations: Iterable<T>, action: Action = 'read'): T[] {
    return [...locations].filter((location) => this.can(action, location));
  }
}
