// The `auth:` section of the node config:
//
//   auth:
//     keystone: {cloud: NAME, revalidate_seconds: 60}      # NAME: the identity cloud's clouds.yaml entry (service credentials)
//     jwt: {jwks_file: PATH | jwks_url: URL, issuer: ..., audience: ..., clock_skew_seconds: 30, groups_claim: groups, project_claim: ...}
//     static_tokens: {file: PATH}                         # name -> sha256:<hex>, see static-tokens.ts
//     certificates: true                                  # identity from verified client certificates (mTLS)
//     policy: PATH                                        # grants, see policy.ts; required: once auth is on, default deny
//     peers: [spiffe://oaktree/hub, DNS:edge.example]     # trusted peer nodes by client certificate name (see peers.ts)
import type { JwtSettings } from './jwt.ts';
import { peerNameProblem } from './peers.ts';
import { readers, type Fail, type YamlNode } from '../config/yaml-file.ts';

export interface AuthConfig {
  keystone?: { cloud: string; revalidateSeconds: number };
  jwt?: JwtSettings;
  staticTokens?: { file: string };
  certificates: boolean;
  policy: string;
  /** Certificate names of the nodes whose routing metadata and forwarded callers this node honors. */
  peers: string[];
}

export const DEFAULT_REVALIDATE_SECONDS = 60;
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

/** Parses `auth:`; `fail` is the node config's, so errors read `node.yaml:12: auth.jwt.issuer: ...`. */
export function parseAuthSection(node: YamlNode | null | undefined, path: string, fail: Fail): AuthConfig {
  const r = readers(fail);
  const config: Partial<AuthConfig> & { certificates: boolean; peers: string[] } = { certificates: false, peers: [] };
  for (const entry of r.entries(node, path, ['keystone', 'jwt', 'static_tokens', 'certificates', 'policy', 'peers'])) {
    switch (entry.name) {
      case 'keystone': {
        const keystone = { cloud: '', revalidateSeconds: DEFAULT_REVALIDATE_SECONDS };
        for (const k of r.entries(entry.value, entry.path, ['cloud', 'revalidate_seconds'])) {
          if (k.name === 'cloud') keystone.cloud = r.str(k.value, k.path);
          else keystone.revalidateSeconds = r.int(k.value, k.path, 1);
        }
        if (!keystone.cloud)
          fail(entry.value, `${entry.path}.cloud`, 'name the clouds.yaml entry of the identity cloud');
        config.keystone = keystone;
        break;
      }
      case 'jwt':
        config.jwt = parseJwt(entry.value, entry.path, fail);
        break;
      case 'static_tokens':
        for (const k of r.entries(entry.value, entry.path, ['file']))
          config.staticTokens = { file: r.str(k.value, k.path) };
        if (!config.staticTokens) fail(entry.value, `${entry.path}.file`, 'name the file of token hashes');
        break;
      case 'certificates':
        config.certificates = r.bool(entry.value, entry.path);
        break;
      case 'policy':
        config.policy = r.str(entry.value, entry.path);
        break;
      case 'peers':
        config.peers = r.strList(entry.value, entry.path);
        config.peers.forEach((name, i) => {
          const problem = peerNameProblem(name);
          if (problem) fail(r.list(entry.value, entry.path)[i], `${entry.path}[${i}]`, problem);
        });
        break;
    }
  }
  if (!config.keystone && !config.jwt && !config.staticTokens && !config.certificates) {
    fail(node, path, 'configure at least one of keystone, jwt, static_tokens, certificates');
  }
  if (!config.policy)
    fail(
      node,
      `${path}.policy`,
      'a policy file is required: with auth on, every caller is denied what no grant allows',
    );
  return config as AuthConfig;
}

function parseJwt(node: YamlNode | null, path: string, fail: Fail): JwtSettings {
  const r = readers(fail);
  const jwt: Partial<JwtSettings> = { clockSkewSeconds: DEFAULT_CLOCK_SKEW_SECONDS, groupsClaim: 'groups' };
  for (const k of r.entries(node, path, [
    'jwks_file',
    'jwks_url',
    'issuer',
    'audience',
    'clock_skew_seconds',
    'groups_claim',
    'project_claim',
  ])) {
    switch (k.name) {
      case 'jwks_file':
        jwt.jwksFile = r.str(k.value, k.path);
        break;
      case 'jwks_url': {
        const url = r.str(k.value, k.path);
        if (!/^https?:\/\/\S+$/.test(url)) fail(k.value, k.path, `expected an http(s) URL, got "${url}"`);
        jwt.jwksUrl = url;
        break;
      }
      case 'issuer':
        jwt.issuer = r.str(k.value, k.path);
        break;
      case 'audience':
        jwt.audience = r.str(k.value, k.path);
        break;
      case 'clock_skew_seconds':
        jwt.clockSkewSeconds = r.int(k.value, k.path, 0);
        break;
      case 'groups_claim':
        jwt.groupsClaim = r.str(k.value, k.path);
        break;
      case 'project_claim':
        jwt.projectClaim = r.str(k.value, k.path);
        break;
    }
  }
  if ((jwt.jwksFile === undefined) === (jwt.jwksUrl === undefined))
    fail(node, path, 'give exactly one of jwks_file, jwks_url');
  if (!jwt.issuer) fail(node, `${path}.issuer`, 'the expected issuer (iss) is required');
  if (!jwt.audience) fail(node, `${path}.audience`, 'the expected audience (aud) is required');
  return jwt as JwtSettings;
}
