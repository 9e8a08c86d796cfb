// A setup step the oaktree API has no call for, done on the cloud under test directly: logs in with the target's
// clouds.yaml entry (password auth) and calls one service. Used only to prepare objects for a scenario.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { ScenarioTarget } from './target.ts';

export async function cloudRest(t: ScenarioTarget) {
  const entry = parse(await readFile(t.cloudsYaml, 'utf8')).clouds[t.cloud];
  const auth = entry.auth;
  const res = await fetch(`${String(auth.auth_url).replace(/\/v3\/?$/, '')}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: auth.username,
              domain: { name: auth.user_domain_name ?? 'Default' },
              password: auth.password,
            },
          },
        },
        scope: { project: { name: auth.project_name, domain: { name: auth.project_domain_name ?? 'Default' } } },
      },
    }),
  });
  if (!res.ok) throw new Error(`login to ${t.cloud} failed with HTTP ${res.status}`);
  const token = res.headers.get('x-subject-token')!;
  const catalog = ((await res.json()) as any).token.catalog as any[];
  const endpoint = (type: string) =>
    catalog
      .find((s) => s.type === type)
      ?.endpoints.find((e: any) => e.interface === 'public' && (!t.region || e.region === t.region))?.url as string;
  return {
    /** POST a JSON body to a service path and returns the answer's JSON (if any); throws on a non-2xx answer. */
    async post(type: string, path: string, body: unknown): Promise<any> {
      const answer = await fetch(`${endpoint(type)}${path}`, {
        method: 'POST',
        headers: { 'x-auth-token': token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!answer.ok) throw new Error(`POST ${type} ${path} on ${t.cloud}: HTTP ${answer.status}`);
      const text = await answer.text();
      return text ? JSON.parse(text) : undefined;
    },
  };
}
