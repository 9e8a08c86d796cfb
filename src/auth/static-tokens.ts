// Static API tokens for service accounts. The file holds only hashes, never a token:
//
//   tokens:
//     ci-deployer: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//     backup-job:  sha256:...
//
// `oaktree token create NAME` prints a new token once and the line to paste here.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { STATIC_TOKEN_PREFIX } from './credentials.ts';
import { unauthenticated } from './errors.ts';
import type { Identity } from './identity.ts';
import { parseYamlFile, readers } from '../config/yaml-file.ts';
import { AuthConfigError } from './errors.ts';

const HASH_FORM = /^sha256:([0-9a-f]{64})$/;
const NAME_FORM = /^[A-Za-z0-9._:@-]+$/;

export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** A new random token (256 bits) and the line for the tokens file. */
export function createStaticToken(name: string): { token: string; line: string } {
  if (!NAME_FORM.test(name))
    throw new AuthConfigError(`token name "${name}" may only use letters, digits and . _ : @ -`);
  const token = `${STATIC_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, line: `  ${name}: ${hashToken(token)}` };
}

export class StaticTokens {
  readonly #entries: { name: string; digest: Buffer }[];

  constructor(hashes: Record<string, string>) {
    this.#entries = Object.entries(hashes).map(([name, hash]) => ({
      name,
      digest: Buffer.from(hash.slice('sha256:'.length), 'hex'),
    }));
  }

  static parse(text: string, file: string): StaticTokens {
    const { root, fail } = parseYamlFile(text, file, (message) => new AuthConfigError(message));
    const r = readers(fail);
    const hashes: Record<string, string> = {};
    if (root === null) return new StaticTokens(hashes);
    for (const top of r.entries(root, '', ['tokens'])) {
      for (const entry of r.entries(top.value, top.path, [])) {
        if (!NAME_FORM.test(entry.name))
          fail(entry.node, entry.path, 'token names may only use letters, digits and . _ : @ -');
        const hash = r.str(entry.value, entry.path);
        // A plaintext token here would be a leak waiting to happen: refuse it and say what belongs here.
        if (hash.startsWith(STATIC_TOKEN_PREFIX))
          fail(
            entry.value,
            entry.path,
            'this looks like a token itself; store only its hash (oaktree token create prints the line)',
          );
        if (!HASH_FORM.test(hash)) fail(entry.value, entry.path, 'expected sha256:<64 lowercase hex digits>');
        hashes[entry.name] = hash;
      }
    }
    return new StaticTokens(hashes);
  }

  static async load(file: string): Promise<StaticTokens> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new AuthConfigError(`${file}: cannot read the static tokens file: ${(error as Error).message}`);
    }
    return StaticTokens.parse(text, file);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The identity of a token; every entry is compared in constant time, so timing tells nothing about near misses. */
  authenticate(token: string): Identity {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: string | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.name;
    }
    if (found === undefined) throw unauthenticated('the static API token is not known to this node');
    return { method: 'static-token', subject: `token ${found}`, tokenName: found, roles: [], groups: [] };
  }
}
