/** Where a bad value came from, so the message can point at it. */
export interface ConfigErrorLocation {
  file?: string;
  line?: number;
  cloud?: string;
  key?: string;
}

/**
 * A clouds.yaml / secure.yaml / clouds-public.yaml problem. The message names the file
 * (and line when known), the cloud and the key, and never carries a secret value.
 */
export class CloudsConfigError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly cloud?: string;
  readonly key?: string;

  constructor(problem: string, where: ConfigErrorLocation = {}) {
    super(formatMessage(problem, where));
    this.name = 'CloudsConfigError';
    this.file = where.file;
    this.line = where.line;
    this.cloud = where.cloud;
    this.key = where.key;
  }
}

function formatMessage(problem: string, where: ConfigErrorLocation): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.line ? `${where.file}:${where.line}` : where.file);
  if (where.cloud !== undefined) parts.push(`cloud "${where.cloud}"`);
  if (where.key) parts.push(`key "${where.key}"`);
  return parts.length ? `${parts.join(', ')}: ${problem}` : problem;
}
