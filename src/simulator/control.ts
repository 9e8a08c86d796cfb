// The control HTTP endpoint: stats and fault knobs as JSON, for tests and benchmarks in other processes.
import { createServer, type Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultRegistry } from './faults.ts';
import { readBody, send } from './http.ts';
import type { StatsRecorder } from './stats.ts';
import type { SimCloudInfo } from './types.ts';
import { ApiError } from './util.ts';

export interface ControlDeps {
  faults: FaultRegistry;
  stats: StatsRecorder;
  clouds: () => SimCloudInfo[];
  cloudsYaml: () => string;
}

export async function startControlServer(
  host: string,
  port: number,
  deps: ControlDeps,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: HttpServer = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
      const route = `${req.method} ${path}`;
      if (route === 'GET /stats') {
        const { reset: _reset, ...snapshot } = deps.stats.snapshot();
        return send(res, { status: 200, body: snapshot });
      }
      if (route === 'POST /stats/reset') {
        deps.stats.reset();
        return send(res, { status: 204 });
      }
      if (route === 'GET /faults') return send(res, { status: 200, body: { faults: deps.faults.list() } });
      if (route === 'POST /faults') {
        let spec: unknown;
        try {
          spec = JSON.parse((await readBody(req)).toString('utf8'));
        } catch {
          throw new ApiError(400, 'body must be JSON');
        }
        return send(res, { status: 201, body: { fault: deps.faults.add(spec as never) } });
      }
      if (route === 'DELETE /faults') {
        deps.faults.clear();
        return send(res, { status: 204 });
      }
      const one = /^DELETE \/faults\/([^/]+)$/.exec(route);
      if (one)
        return send(
          res,
          deps.faults.remove(one[1]) ? { status: 204 } : { status: 404, body: { error: `no fault ${one[1]}` } },
        );
      if (route === 'GET /clouds') return send(res, { status: 200, body: { clouds: deps.clouds() } });
      if (route === 'GET /clouds.yaml')
        return send(res, { status: 200, body: deps.cloudsYaml(), headers: { 'Content-Type': 'application/yaml' } });
      send(res, { status: 404, body: { error: `unknown control route ${route}` } });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 400;
      send(res, { status, body: { error: err instanceof Error ? err.message : String(err) } });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://${host}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
