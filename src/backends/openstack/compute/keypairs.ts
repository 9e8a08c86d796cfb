// Keypairs: list, create (import or generate), delete. Keypairs belong to the user, not the project.
import { generateKeyPairSync } from 'node:crypto';
import type { CallContext } from '../../../core/call-context.ts';
import type {
  CreateKeypairRequest,
  CreateKeypairResponse,
  DeleteKeypairRequest,
  DeleteKeypairResponse,
  Keypair,
  ListKeypairsRequest,
} from '../../../gen/oaktree/v1/compute.ts';
import type { Location } from '../../../gen/oaktree/v1/location.ts';
import { OaktreeError } from '../../../core/errors.ts';
import { describeLocation } from '../../../core/location.ts';
import { normalizeKeypair } from '../normalize/keypair.ts';
import type { RegionResolver } from '../region.ts';
import { GrpcStatus } from '../transport/index.ts';
import { getOrUndefined, isNotFound, microversion, mvAtLeast, type Raw } from './nova.ts';
import { echo } from '../../../core/bounded-text.ts';

export function listKeypairsHandler(resolve: RegionResolver) {
  return async function* listKeypairs(
    request: ListKeypairsRequest,
    target: Location,
    call: CallContext,
  ): AsyncGenerator<Keypair> {
    const ctx = await resolve(target);
    if (request.nameOrId) {
      const raw = await getOrUndefined(
        ctx,
        `/os-keypairs/${encodeURIComponent(request.nameOrId)}`,
        'keypair',
        call.signal,
      );
      if (raw) yield normalizeKeypair(raw, ctx.location);
      return;
    }
    // Nova pages keypairs from 2.35 on; earlier it returns them all (the paginator handles both).
    for await (const page of ctx.session.paginate('compute', ctx.region, '/os-keypairs', 'keypairs', {
      signal: call.signal,
      markerField: 'name',
    })) {
      for (const raw of page) yield normalizeKeypair(raw, ctx.location);
    }
  };
}

/** An OpenSSH public key line for an RSA public key (what `ssh-keygen -y` prints). */
function opensshPublicKey(publicDer: { e: string; n: string }, comment: string): string {
  const b64 = (s: string) => Buffer.from(s, 'base64url');
  const mpint = (buf: Buffer) => (buf[0] & 0x80 ? Buffer.concat([Buffer.from([0]), buf]) : buf);
  const field = (buf: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    return Buffer.concat([len, buf]);
  };
  const blob = Buffer.concat([
    field(Buffer.from('ssh-rsa')),
    field(mpint(b64(publicDer.e))),
    field(mpint(b64(publicDer.n))),
  ]);
  return `ssh-rsa ${blob.toString('base64')} ${comment}`;
}

/** A new RSA keypair: nova stopped generating keys at 2.92, so oaktree makes them itself. */
export function generateSshKeypair(comment: string): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jwk = publicKey.export({ format: 'jwk' }) as { e: string; n: string };
  return {
    publicKey: opensshPublicKey(jwk, comment),
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
  };
}

export function createKeypairHandler(resolve: RegionResolver) {
  return async function createKeypair(
    request: CreateKeypairRequest,
    target: Location,
    call: CallContext,
  ): Promise<CreateKeypairResponse> {
    const ctx = await resolve(target);
    const signal = call.signal;
    const existing = await getOrUndefined(ctx, `/os-keypairs/${encodeURIComponent(request.name)}`, 'keypair', signal);
    if (existing) {
      throw new OaktreeError(
        GrpcStatus.ALREADY_EXISTS,
        `a keypair named "${echo(request.name)}" already exists in ${describeLocation(ctx.location)}; pick another name or delete it first`,
      );
    }
    const mv = await microversion(ctx, signal);
    let publicKey: string | undefined = request.publicKey.trim() || undefined;
    let privateKey = '';
    // Nova generates keys before 2.92 (as openstacksdk lets it); from 2.92 on oaktree has to.
    if (!publicKey && mvAtLeast(mv, 2, 92)) ({ publicKey, privateKey } = generateSshKeypair(`oaktree-${request.name}`));
    const keypair: Raw = { name: request.name, ...(publicKey ? { public_key: publicKey } : {}) };
    if (mvAtLeast(mv, 2, 2)) keypair.type = 'ssh';
    const res = await ctx.session.request('compute', ctx.region, {
      method: 'POST',
      path: '/os-keypairs',
      body: { keypair },
      signal,
    });
    const created: Raw = (res.body as Raw).keypair ?? {};
    if (typeof created.private_key === 'string') privateKey = created.private_key;
    return { keypair: normalizeKeypair(created, ctx.location), privateKey };
  };
}

export function deleteKeypairHandler(resolve: RegionResolver) {
  return async function deleteKeypair(
    request: DeleteKeypairRequest,
    target: Location,
    call: CallContext,
  ): Promise<DeleteKeypairResponse> {
    const ctx = await resolve(target);
    try {
      await ctx.session.request('compute', ctx.region, {
        method: 'DELETE',
        path: `/os-keypairs/${encodeURIComponent(request.name)}`,
        signal: call.signal,
      });
    } catch (error) {
      if (isNotFound(error)) {
        throw new OaktreeError(
          GrpcStatus.NOT_FOUND,
          `no keypair named "${echo(request.name)}" in ${describeLocation(ctx.location)}`,
        );
      }
      throw error;
    }
    return { location: ctx.location };
  };
}
