import type { ServiceType } from './catalog.ts';

/** What a service's version document says about the major version oaktree will use. */
export interface VersionInfo {
  /** "v2.1", "v2", "v2.0", "v3" ... */
  id: string;
  status?: string;
  /** Base URL for this version; request paths are appended to it. */
  url: string;
  /** Microversion range, when the service has microversions (nova, cinder, placement). */
  minMicroversion?: string;
  maxMicroversion?: string;
  /** false when discovery failed and the URL is a best guess. */
  discovered: boolean;
}

/** Major versions oaktree speaks per service, best first. */
export const SUPPORTED_MAJOR_VERSIONS: Record<ServiceType, readonly string[]> = {
  identity: ['v3'],
  compute: ['v2.1'],
  image: ['v2'],
  network: ['v2.0'],
  'block-storage': ['v3'],
  'object-store': ['v1'],
  placement: ['v1.0'],
  dns: ['v2'],
  'load-balancer': ['v2.0'],
  orchestration: ['v1'],
};

type Fetch = (url: URL, signal?: AbortSignal) => Promise<{ status: number; body: unknown }>;

interface RawVersion {
  id?: unknown;
  status?: unknown;
  version?: unknown;
  max_version?: unknown;
  min_version?: unknown;
  links?: unknown;
}

const VERSION_SEGMENT = /\/v\d+(\.\d+)?(?=\/|$)/;

/**
 * Does version `id` from a document satisfy the wanted version? A wanted "v2.1" (nova)
 * needs exactly 2.1, because nova lists the legacy v2.0 beside it; a wanted "v3" or
 * "v2.0" takes any minor of that major (glance lists v2.0 … v2.9, keystone v3.14).
 */
function sameMajor(id: string, wanted: string): boolean {
  const parse = (s: string) => s.replace(/^v/i, '').split('.').map(Number);
  const [im, imin = 0] = parse(id);
  const [wm, wmin = 0] = parse(wanted);
  return im === wm && (wmin === 0 || imin === wmin);
}

function versionNumber(id: string): number {
  const [major = 0, minor = 0] = id.replace(/^v/i, '').split('.').map(Number);
  return major * 1000 + minor;
}

function rawVersions(body: unknown): RawVersion[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as { version?: unknown; versions?: unknown };
  if (b.version && typeof b.version === 'object') return [b.version as RawVersion];
  if (Array.isArray(b.versions)) return b.versions as RawVersion[];
  // keystone: {"versions": {"values": [...]}}
  const values = (b.versions as { values?: unknown } | undefined)?.values;
  return Array.isArray(values) ? (values as RawVersion[]) : [];
}

function selfLink(v: RawVersion): string | undefined {
  if (!Array.isArray(v.links)) return undefined;
  const link = (v.links as { rel?: string; href?: string }[]).find(
    (l) => l.rel === 'self' && typeof l.href === 'string',
  );
  return link?.href;
}

/**
 * Picks oaktree's preferred major version from a version document (`{version}`,
 * `{versions: [...]}` or keystone's `{versions: {values}}`). The endpoint URL is kept when it
 * already names that version (it may carry a project id); otherwise the self link is used,
 * with its origin replaced by the endpoint's, because clouds behind proxies often
 * advertise an internal host name there.
 */
export function chooseVersion(service: ServiceType, endpoint: URL, body: unknown): VersionInfo | undefined {
  const versions = rawVersions(body);
  for (const wanted of SUPPORTED_MAJOR_VERSIONS[service]) {
    const candidates = versions.filter((v) => typeof v.id === 'string' && sameMajor(v.id, wanted));
    candidates.sort((a, b) => versionNumber(b.id as string) - versionNumber(a.id as string));
    const v = candidates.find((c) => /current|stable/i.test(String(c.status ?? ''))) ?? candidates[0];
    if (!v) continue;
    const id = v.id as string;
    const max =
      typeof v.version === 'string' && v.version
        ? v.version
        : typeof v.max_version === 'string' && v.max_version
          ? v.max_version
          : undefined;
    const min = typeof v.min_version === 'string' && v.min_version ? v.min_version : undefined;
    let url: string;
    const endpointVersion = endpoint.pathname.match(VERSION_SEGMENT)?.[0].slice(1);
    if (endpointVersion && sameMajor(id, endpointVersion)) url = endpoint.href;
    else {
      const href = selfLink(v);
      if (href) {
        const link = new URL(href, endpoint);
        url = new URL(link.pathname + link.search, endpoint.origin).href;
      } else {
        url = joinUrl(endpoint.href, wanted);
      }
    }
    return {
      id,
      status: typeof v.status === 'string' ? v.status : undefined,
      url: stripSlash(url),
      minMicroversion: min,
      maxMicroversion: max,
      discovered: true,
    };
  }
  return undefined;
}

export function joinUrl(base: string, path: string): string {
  return `${stripSlash(base)}/${path.replace(/^\/+/, '')}`;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Version discovery with one cached answer per (service, endpoint) and one request in
 * flight per key. Order of attempts, like keystoneauth's discover.py:
 * the endpoint itself; for a versioned endpoint, its URL cut after the version segment;
 * for an unversioned one, `<endpoint>/versions` (glance). If every attempt fails the
 * preferred major version is appended (or the versioned endpoint used as is).
 */
export class VersionDiscovery {
  readonly #cache = new Map<string, Promise<VersionInfo>>();
  readonly #fetch: Fetch;

  constructor(fetch: Fetch) {
    this.#fetch = fetch;
  }

  discover(service: ServiceType, endpointUrl: string, signal?: AbortSignal): Promise<VersionInfo> {
    const key = `${service} ${endpointUrl}`;
    let pending = this.#cache.get(key);
    if (!pending) {
      pending = this.#discover(service, new URL(endpointUrl)).catch((err: unknown) => {
        this.#cache.delete(key); // do not remember transient failures
        throw err;
      });
      this.#cache.set(key, pending);
    }
    if (!signal) return pending;
    return raceAbort(pending, signal);
  }

  /** Forget everything (e.g. after a cloud upgrade). */
  clear(): void {
    this.#cache.clear();
  }

  async #discover(service: ServiceType, endpoint: URL): Promise<VersionInfo> {
    const versionMatch = endpoint.pathname.match(VERSION_SEGMENT);
    const attempts: URL[] = [endpoint];
    if (versionMatch) {
      // The version root with its trailing slash: cinder answers ".../v3" with a 302 to ".../v3/", and its
      // project-scoped endpoint (".../v3/<project_id>") with 404.
      const cut = new URL(endpoint.href);
      cut.pathname = `${endpoint.pathname.slice(0, versionMatch.index! + versionMatch[0].length)}/`;
      if (stripSlash(cut.href) !== stripSlash(endpoint.href)) attempts.push(cut);
    } else {
      attempts.push(new URL(joinUrl(endpoint.href, 'versions')));
    }
    for (const url of attempts) {
      let res: { status: number; body: unknown };
      try {
        res = await this.#fetch(url);
      } catch (err) {
        if (err instanceof Error && err.name === 'AbortError') throw err;
        continue;
      }
      // 300 Multiple Choices is how glance and others answer on their root.
      if ((res.status >= 200 && res.status < 300) || res.status === 300) {
        const chosen = chooseVersion(service, endpoint, res.body);
        if (chosen) return chosen;
      }
    }
    const preferred = SUPPORTED_MAJOR_VERSIONS[service][0];
    if (versionMatch) return { id: versionMatch[0].slice(1), url: stripSlash(endpoint.href), discovered: false };
    return { id: preferred, url: joinUrl(endpoint.href, preferred), discovered: false };
  }
}

/** Rejects when the signal fires, without cancelling the shared work behind the promise. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signalError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signalError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function signalError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const err = new Error('the operation was aborted');
  err.name = 'AbortError';
  return err;
}
