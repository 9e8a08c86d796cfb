// `oaktree-ready`: waits until a node's gRPC health check answers SERVING (the systemd unit's readiness step,
// a deployment script's "is it up"). Exit 0 when it is, 1 when the timeout passes first, 2 on bad arguments.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChannelCredentials, createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { checkHostPort } from './config.ts';

const SERVING = 1; // grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING

/** Resolves true once `address` answers SERVING, false when `timeoutMs` passes first. */
export async function waitUntilServing(
  address: string,
  options: { timeoutMs: number; ca?: Buffer; everyMs?: number },
): Promise<boolean> {
  const credentials = options.ca ? ChannelCredentials.createSsl(options.ca) : undefined;
  const channel = createChannel(`${options.ca ? 'https' : 'http'}://${address}`, credentials);
  const client = createClient(HealthDefinition, channel);
  const until = Date.now() + options.timeoutMs;
  try {
    while (Date.now() < until) {
      const left = until - Date.now();
      const status = await client
        .check({ service: '' }, { signal: AbortSignal.timeout(Math.max(1, Math.min(2000, left))) })
        .then((answer) => answer.status)
        .catch(() => undefined);
      if (status === SERVING) return true;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(options.everyMs ?? 250, Math.max(0, until - Date.now()))),
      );
    }
    return false;
  } finally {
    channel.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  let values: { endpoint?: string; timeout?: string; ca?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { endpoint: { type: 'string' }, timeout: { type: 'string' }, ca: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`oaktree-ready: ${(error as Error).message}\n`);
    return 2;
  }
  const endpoint = values.endpoint ?? '127.0.0.1:50051';
  const seconds = Number(values.timeout ?? '60');
  if (!checkHostPort(endpoint) || !(seconds > 0)) {
    process.stderr.write('usage: oaktree-ready [--endpoint host:port] [--timeout seconds] [--ca ca.pem]\n');
    return 2;
  }
  const ca = values.ca ? readFileSync(values.ca) : undefined;
  if (await waitUntilServing(endpoint, { timeoutMs: seconds * 1000, ca })) return 0;
  process.stderr.write(`oaktree-ready: ${endpoint} did not answer SERVING within ${seconds} s\n`);
  return 1;
}
