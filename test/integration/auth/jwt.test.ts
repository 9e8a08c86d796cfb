// JWT mode with keys made by jose: a JWKS file, and the same set served over HTTP from 127.0.0.1:0.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { JwtVerifier, type JwtSettings } from '../../../src/auth/jwt.ts';

let dir: string;
let key: CryptoKey;
let otherKey: CryptoKey;
let jwksFile: string;
let server: Server;
let jwksUrl: string;
const base = {
  issuer: 'https://idp.test',
  audience: 'oaktree',
  clockSkewSeconds: 30,
  groupsClaim: 'groups',
  projectClaim: 'tenant',
};

function sign(
  claims: Record<string, unknown>,
  opts: { key?: CryptoKey; kid?: string; exp?: number | string; iss?: string; aud?: string } = {},
) {
  return new SignJWT({ groups: ['ops'], tenant: 'project2', preferred_username: 'alice', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? 'k1' })
    .setSubject('user-123')
    .setIssuer(opts.iss ?? base.issuer)
    .setAudience(opts.aud ?? base.audience)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(opts.key ?? key);
}

const failsWith = (pattern: RegExp, token: string) => (err: any) =>
  err.code === 16 && pattern.test(err.details) && !err.details.includes(token);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oaktree-auth-jwt-'));
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = pair.privateKey;
  ({ privateKey: otherKey } = await generateKeyPair('ES256')); // signs forgeries: not in the JWKS
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  jwksFile = join(dir, 'jwks.json');
  await writeFile(jwksFile, JSON.stringify(jwks));
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  jwksUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

for (const source of ['file', 'url'] as const) {
  describe(`JWT verification, JWKS from a ${source}`, () => {
    const verifier = () =>
      JwtVerifier.create({ ...base, ...(source === 'file' ? { jwksFile } : { jwksUrl }) } as JwtSettings);

    it('a valid token gives sub, groups and the project claim', async () => {
      const id = await (await verifier()).authenticate(await sign({}));
      assert.deepEqual(
        [id.method, id.subject, id.user?.id, id.user?.name, id.project?.name, id.groups],
        ['jwt', 'jwt user-123', 'user-123', 'alice', 'project2', ['ops']],
      );
    });

    it('each failed check is UNAUTHENTICATED naming the check', async () => {
      const v = await verifier();
      const expired = await sign({}, { exp: Math.floor(Date.now() / 1000) - 120 });
      await assert.rejects(v.authenticate(expired), failsWith(/^the JWT has expired$/, expired));
      const withinSkew = await sign({}, { exp: Math.floor(Date.now() / 1000) - 10 });
      assert.equal((await v.authenticate(withinSkew)).user?.id, 'user-123', 'clock skew tolerates 30 s');
      const audience = await sign({}, { aud: 'someone-else' });
      await assert.rejects(v.authenticate(audience), failsWith(/wrong audience/, audience));
      const issuer = await sign({}, { iss: 'https://evil.test' });
      await assert.rejects(v.authenticate(issuer), failsWith(/wrong issuer/, issuer));
      const forged = await sign({}, { key: otherKey });
      await assert.rejects(v.authenticate(forged), failsWith(/bad signature/, forged));
      const good = await sign({});
      const [h, p, s] = good.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, groups: ['admins'] })).toString('base64url')}.${s}`;
      await assert.rejects(v.authenticate(tampered), failsWith(/bad signature/, tampered));
      const unknownKid = await sign({}, { key: otherKey, kid: 'k9' });
      await assert.rejects(v.authenticate(unknownKid), failsWith(/not in the JWKS/, unknownKid));
      await assert.rejects(v.authenticate('a.b.c'), failsWith(/malformed/, 'a.b.c'));
    });
  });
}

describe('JWKS problems', () => {
  it('an unreachable JWKS URL is UNAVAILABLE; an unreadable JWKS file fails at start', async () => {
    const v = await JwtVerifier.create({ ...base, jwksUrl: 'http://127.0.0.1:1/jwks.json' });
    await assert.rejects(
      v.authenticate(await sign({})),
      (err: any) => err.code === 14 && /JWKS at http:\/\/127\.0\.0\.1:1/.test(err.details),
    );
    await assert.rejects(
      JwtVerifier.create({ ...base, jwksFile: join(dir, 'missing.json') }),
      /missing\.json: cannot read the JWKS/,
    );
  });
});
