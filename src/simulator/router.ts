// Path-template routing: "/servers/{id}/action" -> handler, with 405 when only the method is wrong.
import type { Handler } from './http.ts';

interface CompiledRoute {
  method: string;
  template: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export type RouteMatch =
  | { kind: 'found'; template: string; params: Record<string, string>; handler: Handler }
  | { kind: 'method-not-allowed'; template: string; allowed: string[] }
  | { kind: 'not-found' };

export class RouteTable {
  private readonly routes: CompiledRoute[] = [];

  add(method: string, template: string, handler: Handler): this {
    const keys: string[] = [];
    const source = template.replace(/\{(\w+)\}/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, template, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    let template = '';
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET' && !this.hasExact('HEAD', path))) {
        const params: Record<string, string> = {};
        route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1])));
        return { kind: 'found', template: route.template, params, handler: route.handler };
      }
      allowed.push(route.method);
      template = route.template;
    }
    return allowed.length ? { kind: 'method-not-allowed', template, allowed } : { kind: 'not-found' };
  }

  private hasExact(method: string, path: string): boolean {
    return this.routes.some((r) => r.method === method && r.pattern.test(path));
  }
}
