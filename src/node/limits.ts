// Builds the per-cloud limiters from the node config's `limits` section and reports what they do: wait times and
// the pace in force to the metrics, a lowered pace (after a 429) and its recovery to the log. With Redis the limits
// are shared by the node's replicas; losing Redis shows in a gauge per cloud-region (and is logged once). Every
// served cloud gets a limiter, limited or not, so a reload can give it limits without restarting its backend.
import { CloudLimiter, type CloudLimitSettings } from '../backends/openstack/transport/limits.ts';
import type { SharedLimits } from '../cache/redis/shared-limits.ts';
import type { Logger } from '../observability/logger.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { LimitsConfig } from './operability-config.ts';

/** A limiter for each of `cloudNames` (callers warn about limits of clouds not served: warnUnserved). */
export function buildLimiters(
  limits: LimitsConfig | undefined,
  cloudNames: readonly string[],
  logger: Logger,
  metrics?: NodeMetrics,
  shared?: SharedLimits,
): Map<string, CloudLimiter> {
  const limiters = new Map<string, CloudLimiter>();
  for (const cloud of cloudNames) {
    const limiter = new CloudLimiter(
      cloud,
      {},
      {
        shared,
        events: {
          waited: ({ cloud, region, seconds }) => metrics?.rateLimitWait.observe({ cloud, region }, seconds),
          rateChanged: ({ cloud, region, rate, configured, reason }) => {
            metrics?.rateLimit.set({ cloud, region }, rate);
            if (rate < configured) metrics?.rateLimitLowered.inc({ cloud, region });
            logger.warn({ cloud, region, rate, configured, reason }, 'request rate to the cloud changed');
          },
          // The log line is the node's, once per outage (src/cache/node-shared.ts); the gauge is per cloud-region.
          sharedChanged: ({ cloud, region, shared }) => metrics?.rateLimitShared.set({ cloud, region }, shared ? 1 : 0),
        },
      },
    );
    applyLimits(limiter, limits?.[cloud] ?? {}, metrics);
    limiters.set(cloud, limiter);
  }
  return limiters;
}

/** New limits for a running cloud (a reload): in force for its next requests, shown by the gauges at once. */
export function applyLimits(limiter: CloudLimiter, settings: CloudLimitSettings, metrics?: NodeMetrics): void {
  const cloud = limiter.cloud;
  for (const [region] of limiter.rates()) metrics?.rateLimit.remove({ cloud, region });
  for (const [region] of limiter.sharing()) metrics?.rateLimitShared.remove({ cloud, region });
  limiter.update(settings);
  for (const [region, rate] of limiter.rates()) metrics?.rateLimit.set({ cloud, region }, rate);
  for (const [region, on] of limiter.sharing()) metrics?.rateLimitShared.set({ cloud, region }, on ? 1 : 0);
}

export function warnUnserved(limits: LimitsConfig | undefined, cloudNames: readonly string[], logger: Logger): void {
  for (const cloud of Object.keys(limits ?? {}))
    if (!cloudNames.includes(cloud))
      logger.warn({ cloud }, 'limits name a cloud this node does not serve; they apply to nothing');
}
