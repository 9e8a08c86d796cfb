import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStaticToken, hashToken, StaticTokens } from '../../../src/auth/static-tokens.ts';

describe('static API tokens', () => {
  it('a created token authenticates as its name; the file line holds only its hash', () => {
    const { token, line } = createStaticToken('ci-deployer');
    assert.match(token, /^oaktree_[A-Za-z0-9_-]{43}$/);
    assert.ok(!line.includes(token));
    assert.equal(line, `  ci-deployer: ${hashToken(token)}`);
    const other = createStaticToken('backup');
    const tokens = StaticTokens.parse(`tokens:\n${line}\n${other.line}\n`, 't.yaml');
    assert.equal(tokens.size, 2);
    const id = tokens.authenticate(token);
    assert.deepEqual([id.method, id.tokenName, id.subject], ['static-token', 'ci-deployer', 'token ci-deployer']);
    assert.equal(tokens.authenticate(other.token).tokenName, 'backup');
  });

  it('an unknown or altered token is UNAUTHENTICATED without echoing it', () => {
    const { token, line } = createStaticToken('ci');
    const tokens = StaticTokens.parse(`tokens:\n${line}\n`, 't.yaml');
    const altered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    assert.throws(
      () => tokens.authenticate(altered),
      (err: any) => err.code === 16 && !err.details.includes(altered) && /not known/.test(err.details),
    );
  });

  it('refuses plaintext tokens and malformed hashes with file:line', () => {
    const { token } = createStaticToken('ci');
    assert.throws(
      () => StaticTokens.parse(`tokens:\n  ci: ${token}\n`, 't.yaml'),
      (err: Error) =>
        /^t\.yaml:2: tokens\.ci: this looks like a token itself/.test(err.message) && !err.message.includes(token),
    );
    assert.throws(
      () => StaticTokens.parse('tokens:\n  ci: sha256:abc\n', 't.yaml'),
      /t\.yaml:2: tokens\.ci: expected sha256:<64 lowercase hex digits>/,
    );
    assert.throws(() => StaticTokens.parse('tokenz: {}\n', 't.yaml'), /t\.yaml:1: tokenz: unknown key/);
    assert.throws(() => createStaticToken('no spaces'), /may only use/);
  });
});
