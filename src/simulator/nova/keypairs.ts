// Nova keypairs: import a public key or have one generated (RSA, like nova did before 2.92).
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readJson, type Ctx, type Reply } from '../http.ts';
import { atLeast } from '../microversion.ts';
import type { RouteTable } from '../router.ts';
import type { Keypair } from '../store.ts';
import { ApiError, badRequest, isoSeconds } from '../util.ts';

function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

function sshMpint(base64url: string): Buffer {
  let bytes = Buffer.from(base64url, 'base64url');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return sshString(bytes);
}

/** An RSA key pair: OpenSSH public key and PEM private key. */
function generateRsa(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(jwk.e as string), sshMpint(jwk.n as string)]);
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  };
}

/** nova's MD5 fingerprint of an OpenSSH public key; undefined when the key does not parse. */
function fingerprint(publicKey: string): string | undefined {
  const parts = publicKey.trim().split(/\s+/);
  if (parts.length < 2 || !/^(ssh-|ecdsa-)/.test(parts[0])) return undefined;
  const blob = Buffer.from(parts[1], 'base64');
  if (
    blob.length < 8 ||
    blob.readUInt32BE(0) !== parts[0].length ||
    blob.subarray(4, 4 + parts[0].length).toString() !== parts[0]
  )
    return undefined;
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
}

function keypairsOf(ctx: Ctx): Map<string, Keypair> {
  const userId = ctx.token!.userId;
  let map = ctx.region.keypairs.get(userId);
  if (!map) ctx.region.keypairs.set(userId, (map = new Map()));
  return map;
}

function view(ctx: Ctx, kp: Keypair, full: boolean) {
  const out: Record<string, unknown> = { name: kp.name, public_key: kp.publicKey, fingerprint: kp.fingerprint };
  if (atLeast(ctx.microversion, 2, 2)) out.type = kp.type;
  if (full)
    Object.assign(out, {
      user_id: kp.userId,
      created_at: isoSeconds(kp.createdAt).replace('Z', '.000000'),
      deleted: false,
      deleted_at: null,
      updated_at: null,
      id: 1,
    });
  return out;
}

async function createKeypair(ctx: Ctx): Promise<Reply> {
  const spec = (await readJson(ctx)).keypair;
  if (!spec || typeof spec !== 'object')
    throw badRequest("Invalid input for field/attribute keypair. 'keypair' is a required property");
  const name = spec.name;
  if (typeof name !== 'string' || !/^[a-zA-Z0-9 _.@-]{1,255}$/.test(name))
    throw badRequest(`Invalid input for field/attribute name. Value: ${JSON.stringify(name)}.`);
  const type = spec.type ?? 'ssh';
  if (type !== 'ssh' && type !== 'x509') throw badRequest(`Invalid input for field/attribute type. Value: ${type}.`);
  const map = keypairsOf(ctx);
  if (map.has(name)) throw new ApiError(409, `Key pair '${name}' already exists.`);
  let publicKey: string = spec.public_key;
  let privateKey: string | undefined;
  if (publicKey === undefined) {
    if (atLeast(ctx.microversion, 2, 92))
      throw badRequest("Invalid input for field/attribute keypair. 'public_key' is a required property");
    ({ publicKey, privateKey } = generateRsa());
  }
  const fp = typeof publicKey === 'string' ? fingerprint(publicKey) : undefined;
  if (!fp) throw badRequest('Keypair data is invalid: failed to generate fingerprint');
  const kp: Keypair = {
    name,
    userId: ctx.token!.userId,
    publicKey: publicKey.trim(),
    fingerprint: fp,
    type,
    createdAt: Date.now(),
  };
  map.set(name, kp);
  const body = { ...view(ctx, kp, false), user_id: kp.userId, ...(privateKey ? { private_key: privateKey } : {}) };
  return { status: atLeast(ctx.microversion, 2, 2) ? 201 : 200, body: { keypair: body } };
}

function getKeypair(ctx: Ctx): Keypair {
  const kp = keypairsOf(ctx).get(ctx.params.name);
  if (!kp) throw new ApiError(404, `Keypair ${ctx.params.name} not found for user ${ctx.token!.userId}`);
  return kp;
}

export function registerKeypairRoutes(routes: RouteTable): void {
  routes
    .add('GET', '/os-keypairs', (ctx) => ({
      status: 200,
      body: { keypairs: [...keypairsOf(ctx).values()].map((kp) => ({ keypair: view(ctx, kp, false) })) },
    }))
    .add('POST', '/os-keypairs', createKeypair)
    .add('GET', '/os-keypairs/{name}', (ctx) => ({ status: 200, body: { keypair: view(ctx, getKeypair(ctx), true) } }))
    .add('DELETE', '/os-keypairs/{name}', (ctx) => {
      keypairsOf(ctx).delete(getKeypair(ctx).name);
      return { status: atLeast(ctx.microversion, 2, 2) ? 204 : 202 };
    });
}
