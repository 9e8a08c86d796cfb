// The node's operator listener (node config `metrics.listen`), plain HTTP and separate from the gRPC port:
// GET /metrics is the Prometheus exposition; other pages (the status page) register a route here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.ts';
import type { NodeMetrics } from '../observability/metrics.ts';

export type Route = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

export interface MetricsServer {
  /** host:port with the real port. */
  readonly address: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  listen: string;
  metrics: NodeMetrics;
  logger: Logger;
  /** More pages by path (e.g. "/" for the status page). */
  routes?: Record<string, Route>;
}): Promise<MetricsServer> {
  const routes: Record<string, Route> = {
    ...options.routes,
    '/metrics': async (_request, response) => {
      const { contentType, body } = await options.metrics.exposition();
      response.writeHead(200, { 'content-type': contentType }).end(body);
    },
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const route = routes[path];
    if (request.method !== 'GET' || !route) {
      response.writeHead(request.method === 'GET' ? 404 : 405, { 'content-type': 'text/plain' }).end('not here\n');
      return;
    }
    Promise.resolve(route(request, response)).catch((error) => {
      options.logger.warn({ path, err: (error as Error).message }, 'metrics listener: page failed');
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('failed\n');
    });
  });
  server.keepAliveTimeout = 5000;
  const split = options.listen.lastIndexOf(':');
  const host = options.listen.slice(0, split).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(options.listen.slice(split + 1)), host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const address = `${options.listen.slice(0, split)}:${port}`;
  options.logger.info({ address }, 'metrics listener serving /metrics and the status page');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
