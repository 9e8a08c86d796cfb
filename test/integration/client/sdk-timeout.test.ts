// Issue 22, defect 9: the SDK's own timeout is DEADLINE_EXCEEDED (as its README promises) for unary calls, lists
// and watches, including when a stream already delivered items before the time ran out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, ServerError, Status, type Server } from 'nice-grpc';
import { delay } from 'abort-controller-x';
import { LocationServiceDefinition } from '../../../src/gen/oaktree/v1/location.ts';
import { ComputeServiceDefinition } from '../../../src/gen/oaktree/v1/compute.ts';
import { connect, type OaktreeError } from '../../../src/client/index.ts';

const LOCATION = { cloud: 'c', region: 'r', zone: '', project: undefined };

function unimplemented(definition: { methods: Record<string, unknown> }) {
  return Object.fromEntries(
    Object.keys(definition.methods).map((name) => [
      name,
      () => {
        throw new ServerError(Status.UNIMPLEMENTED, name);
      },
    ]),
  );
}

/** A node that answers one item of every stream and then never finishes; unary calls never answer. */
async function hangingNode(): Promise<{ server: Server; address: string }> {
  const server = createServer();
  const forever = (signal: AbortSignal) => delay(signal, 3_600_000);
  server.add(LocationServiceDefinition, {
    ...unimplemented(LocationServiceDefinition),
    async *listLocations(_req: unknown, ctx: { signal: AbortSignal }) {
      yield { item: { $case: 'location', value: LOCATION } };
      await forever(ctx.signal);
    },
  } as any);
  server.add(ComputeServiceDefinition, {
    ...unimplemented(ComputeServiceDefinition),
    async getServer(_req: unknown, ctx: { signal: AbortSignal }) {
      await forever(ctx.signal);
      return {};
    },
    async *watchServers(_req: unknown, ctx: { signal: AbortSignal }) {
      yield {
        resumeToken: 't',
        item: { $case: 'event', value: { type: 1, server: { location: LOCATION, id: 's', name: 's' } } },
      };
      await forever(ctx.signal);
    },
  } as any);
  const port = await server.listen('127.0.0.1:0');
  return { server, address: `127.0.0.1:${port}` };
}

const deadlineExceeded = (error: OaktreeError) => {
  assert.equal(error.codeName, 'DEADLINE_EXCEEDED', `${error.codeName}: ${error.message}`);
  return true;
};

test('the SDK reports its own timeout as DEADLINE_EXCEEDED for unary calls, lists and watches', {
  timeout: 30_000,
}, async () => {
  const { server, address } = await hangingNode();
  const client = connect(address);
  try {
    await assert.rejects(client.getServer('s', { cloud: 'c' }, { timeoutMs: 200 }), deadlineExceeded);
    await assert.rejects(client.listLocations(undefined, { timeoutMs: 200 }).toArray(), deadlineExceeded);
    await assert.rejects(async () => {
      for await (const _ of client.watchServers(undefined, { timeoutMs: 200 })) {
        /* the first event arrives, then the time runs out */
      }
    }, deadlineExceeded);
  } finally {
    client.close();
    await server.shutdown();
  }
});
