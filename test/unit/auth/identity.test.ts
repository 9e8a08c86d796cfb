import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata } from 'nice-grpc-common';
import { classifyBearer, readCredentials } from '../../../src/auth/credentials.ts';
import { FailedAuthLog, sourceAddress } from '../../../src/auth/failed-auth-log.ts';
import { identityFromCertificate, PEER_CERT_HEADER } from '../../../src/auth/identity.ts';

describe('credentials from metadata', () => {
  it('tells static tokens, JWTs and Keystone tokens apart', () => {
    assert.equal(classifyBearer('oaktree_abc').kind, 'static-token');
    assert.equal(classifyBearer('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln').kind, 'jwt');
    assert.equal(classifyBearer('gAAAAABk-fernet_token').kind, 'keystone');
    assert.deepEqual(readCredentials(Metadata({ 'x-auth-token': 'gAAAA1' })).token, {
      kind: 'keystone',
      token: 'gAAAA1',
    });
    assert.deepEqual(readCredentials(Metadata({ authorization: 'Bearer oaktree_x', 'x-auth-token': 'k' })).token, {
      kind: 'static-token',
      token: 'oaktree_x',
    });
    assert.match(readCredentials(Metadata({ authorization: 'Basic dXNlcjpwYXNz' })).malformed ?? '', /Bearer <token>/);
    assert.deepEqual(readCredentials(Metadata({})), { certificate: undefined });
  });

  it('reads the peer certificate the TLS interceptor put in internal metadata', () => {
    const md = Metadata({
      [PEER_CERT_HEADER]: JSON.stringify({
        cn: 'edge-1',
        sans: ['DNS:edge-1.example', 'URI:spiffe://mesh/edge-1'],
        fingerprint256: 'AB:CD',
      }),
    });
    const cert = readCredentials(md).certificate!;
    const id = identityFromCertificate(cert);
    assert.equal(id.method, 'certificate');
    assert.equal(id.subject, 'certificate URI:spiffe://mesh/edge-1');
    assert.deepEqual(id.certificate, { cn: 'edge-1', sans: ['DNS:edge-1.example', 'URI:spiffe://mesh/edge-1'] });
    assert.equal(identityFromCertificate({ cn: 'only-cn', sans: [] }).subject, 'certificate CN=only-cn');
    assert.equal(readCredentials(Metadata({ [PEER_CERT_HEADER]: 'not json' })).certificate, undefined);
    assert.throws(() => identityFromCertificate({ sans: [] }), /neither|without CN or SAN/);
  });
});

describe('failed authentication log', () => {
  it('writes at most one line per source per 10 s, with the count of failures it stands for', () => {
    const lines: any[] = [];
    let now = 1_000_000;
    const log = new FailedAuthLog({ warn: (obj: object) => lines.push(obj) } as any, { now: () => now });
    for (let i = 0; i < 5; i++) log.record(`ipv4:10.0.0.1:4000${i}`, '/x/Y', 'the JWT has expired');
    log.record('ipv6:[::1]:5000', '/x/Y', 'the JWT has expired');
    assert.deepEqual(
      lines.map((l) => [l.source, l.failures]),
      [
        ['10.0.0.1', 1],
        ['::1', 1],
      ],
    );
    now += 9_999;
    log.record('ipv4:10.0.0.1:4100', '/x/Y', 'r');
    assert.equal(lines.length, 2);
    now += 1;
    log.record('ipv4:10.0.0.1:4200', '/x/Y', 'r');
    assert.equal(lines.length, 3);
    assert.equal(lines[2].failures, 6, 'the line after the quiet period counts the 5 failures it swallowed and itself');
    assert.equal(sourceAddress('ipv4:127.0.0.1:1'), '127.0.0.1');
  });
});
