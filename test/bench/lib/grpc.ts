// gRPC clients for the benchmarks (nice-grpc, as any TypeScript user of oaktree would).
import { createChannel, createClient, type Channel } from 'nice-grpc';
import { ComputeServiceDefinition } from '../../../src/gen/oaktree/v1/compute.ts';

export function computeClient(address: string) {
  const channel: Channel = createChannel(address, undefined, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  return { channel, compute: createClient(ComputeServiceDefinition, channel), close: () => channel.close() };
}

export async function timeMs<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}
