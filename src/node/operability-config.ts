// The operability sections of the node config: `metrics` (the Prometheus and status-page listener), `tracing`
// (OTLP export) and `limits` (per-cloud and per-region request rate and concurrency). Mistakes are reported with
// file:line:key like the rest of the node config.
import { isScalar } from 'yaml';
import { describe, readers, type Fail, type YamlNode } from '../config/yaml-file.ts';
import type { CloudLimitSettings, LimitSettings } from '../backends/openstack/transport/limits.ts';

export interface MetricsConfig {
  /** host:port of the HTTP listener serving /metrics and the status page; port 0 picks a free one. */
  listen: string;
}

export interface TracingConfig {
  /** OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  otlpEndpoint: string;
  /** The service.name resource attribute (default "oaktree"). */
  serviceName?: string;
}

export interface ReloadConfig {
  /** Reload when the config file or clouds.yaml changes, as well as on SIGHUP. */
  watch: boolean;
  /** Quiet time after the last change before the reload (an editor writes a file in several steps). */
  debounceMs: number;
}

export const DEFAULT_RELOAD_DEBOUNCE_MS = 500;

/** Limits per cloud name (as in clouds.yaml). */
export type LimitsConfig = Record<string, CloudLimitSettings>;

export function parseMetricsSection(
  node: YamlNode | null | undefined,
  path: string,
  fail: Fail,
  checkHostPort: (value: string) => boolean,
): MetricsConfig {
  const { str, entries } = readers(fail);
  let listen = '';
  for (const entry of entries(node, path, ['listen'])) {
    listen = str(entry.value, entry.path);
    if (!checkHostPort(listen))
      fail(entry.value, entry.path, `expected host:port (e.g. 127.0.0.1:9464), got "${listen}"`);
  }
  if (!listen) fail(node, `${path}.listen`, 'the metrics listener needs an address (host:port)');
  return { listen };
}

export function parseTracingSection(node: YamlNode | null | undefined, path: string, fail: Fail): TracingConfig {
  const { str, entries } = readers(fail);
  const config: TracingConfig = { otlpEndpoint: '' };
  for (const entry of entries(node, path, ['otlp_endpoint', 'service_name'])) {
    if (entry.name === 'service_name') config.serviceName = str(entry.value, entry.path);
    else {
      const url = str(entry.value, entry.path);
      if (!/^https?:\/\/[^/\s]+/.test(url)) fail(entry.value, entry.path, 'expected an http:// or https:// URL');
      config.otlpEndpoint = url;
    }
  }
  if (!config.otlpEndpoint) fail(node, `${path}.otlp_endpoint`, 'tracing needs the OTLP/HTTP endpoint to export to');
  return config;
}

export function parseReloadSection(node: YamlNode | null | undefined, path: string, fail: Fail): ReloadConfig {
  const { bool, int, entries } = readers(fail);
  const config: ReloadConfig = { watch: false, debounceMs: DEFAULT_RELOAD_DEBOUNCE_MS };
  for (const entry of entries(node, path, ['watch', 'debounce_ms'])) {
    if (entry.name === 'watch') config.watch = bool(entry.value, entry.path);
    else config.debounceMs = int(entry.value, entry.path, 0);
  }
  return config;
}

export function parseLimitsSection(node: YamlNode | null | undefined, path: string, fail: Fail): LimitsConfig {
  const { int, entries } = readers(fail);
  const limits: LimitsConfig = {};
  const limit = (settings: LimitSettings, entry: { name: string; path: string; value: YamlNode | null }) => {
    if (entry.name === 'concurrency') settings.concurrency = int(entry.value, entry.path, 1);
    else settings.rate = rate(entry.value, entry.path, fail);
  };
  for (const cloud of entries(node, path, [])) {
    const settings: CloudLimitSettings = {};
    for (const entry of entries(cloud.value, cloud.path, ['rate', 'concurrency', 'regions'])) {
      if (entry.name !== 'regions') limit(settings, entry);
      else {
        settings.regions = {};
        for (const region of entries(entry.value, entry.path, [])) {
          const regionSettings: LimitSettings = {};
          for (const regionEntry of entries(region.value, region.path, ['rate', 'concurrency']))
            limit(regionSettings, regionEntry);
          settings.regions[region.name] = regionSettings;
        }
      }
    }
    limits[cloud.name] = settings;
  }
  return limits;
}

/** Requests per second: a positive number (0.5 is one request every two seconds). */
function rate(node: YamlNode | null, path: string, fail: Fail): number {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(node, path, `expected a number of requests per second > 0, got ${describe(node)}`);
  return value as number;
}
