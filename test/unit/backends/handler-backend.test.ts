// HandlerBackend's list batches: what a handler yields together reaches the router together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import { HandlerBackend } from '../../../src/backends/handler-backend.ts';
import { Methods } from '../../../src/core/methods.ts';
import { Flavor, ListFlavorsRequest } from '../../../src/gen/oaktree/v1/compute.ts';
import { location } from '../../support/fixed-backend.ts';
import { whole, WholeListResponse } from '../../../src/wire/message-encoding.ts';

const here = location('a');
const flavor = (id: string) => Flavor.fromPartial({ location: here, id, name: id });

function backendYielding(...values: Array<Flavor | Flavor[] | Error>): HandlerBackend {
  return new HandlerBackend({
    id: 'cloud:a',
    locations: () => [here],
    handlers: {
      async *listFlavors() {
        for (const value of values) {
          if (value instanceof Error) throw value;
          yield value;
        }
      },
    },
  });
}

async function batchesOf(backend: HandlerBackend) {
  const batches: string[][] = [];
  const ctx = { signal: new AbortController().signal, via: ['me'] };
  for await (const batch of backend.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), [here], ctx))
    batches.push(
      batch.map((response) =>
        response.item?.$case === 'flavor' ? response.item.value.id : `error:${Status[response.item!.value.code]}`,
      ),
    );
  return batches;
}

test('an array a handler yields is one batch, an object a batch of one, an empty array nothing', {
  timeout: 5000,
}, async () => {
  const backend = backendYielding([flavor('1'), flavor('2')], [], flavor('3'));
  assert.deepEqual(await batchesOf(backend), [['1', '2'], ['3']]);
});

test("a handler's failure after a batch comes as a batch of one error item", { timeout: 5000 }, async () => {
  const backend = backendYielding([flavor('1')], new ServerError(Status.UNAVAILABLE, 'down'));
  assert.deepEqual(await batchesOf(backend), [['1'], ['error:UNAVAILABLE']]);
});

test('a batch built whole becomes responses built whole; any other batch does not', { timeout: 5000 }, async () => {
  const backend = backendYielding(whole([flavor('1'), flavor('2')]), [flavor('3')]);
  const ctx = { signal: new AbortController().signal, via: ['me'] };
  const batches = [];
  for await (const batch of backend.list(Methods.listFlavors, ListFlavorsRequest.fromPartial({}), [here], ctx))
    batches.push(batch.map((response) => response instanceof WholeListResponse));
  assert.deepEqual(batches, [[true, true], [false]]);
});
