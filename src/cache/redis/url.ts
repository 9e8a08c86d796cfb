// Redis URLs carry the password (redis://:PASSWORD@host): what may be shown of them, and telling a refused or
// missing password from other connection errors.

/** The URL with its password replaced by ***, for logs and errors. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/** What to fix when Redis turned the connection's credentials down (AUTH or HELLO ... AUTH), else undefined. */
export function credentialsProblem(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message;
  if (typeof message !== 'string') return undefined;
  if (/^NOAUTH\b/.test(message)) return 'it requires a password: give it in the URL, redis://:PASSWORD@host:port';
  if (/^WRONGPASS\b|invalid password/i.test(message)) return 'it refused the password in the redis: URL';
  return undefined;
}
