// Builds the per-cloud limiters from the node config's `limits` section and reports what they do: wait times and
// the pace in force to the metrics, a lowered pace (after a 429) and its recovery to the log. With Redis the limits
// are shared by the node's replicas; losing Redis is logged once (and its return), and shown by a gauge.
import { CloudLimiter } from '../backends/openstack/transport/limits.ts';
import type { SharedLimits } from '../cache/redis/shared-limits.ts';
import type { Logger } from '../observability/logger.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { LimitsConfig } from './operability-config.ts';

export function buildLimiters(
  limits: LimitsConfig | undefined,
  cloudNames: readonly string[],
  logger: Logger,
  metrics?: NodeMetrics,
  shared?: SharedLimits,
): Map<string, CloudLimiter> {
  const limiters = new Map<string, CloudLimiter>();
  for (const [cloud, settings] of Object.entries(limits ?? {})) {
    if (!cloudNames.includes(cloud)) {
      logger.warn({ cloud }, 'limits name a cloud this node does not serve; they apply to nothing');
      continue;
    }
    const limiter = new CloudLimiter(cloud, settings, {
      shared,
      events: {
        sharedChanged: ({ cloud, region, shared }) => {
          metrics?.rateLimitShared.set({ cloud, region }, shared ? 1 : 0);
          if (shared) logger.info({ cloud, region }, 'Redis is back: the limits are shared by the replicas again');
          else logger.warn({ cloud, region }, 'Redis is out of reach: the limits hold for this replica only');
        },
        waited: ({ cloud, region, seconds }) => metrics?.rateLimitWait.observe({ cloud, region }, seconds),
        rateChanged: ({ cloud, region, rate, configured, reason }) => {
          metrics?.rateLimit.set({ cloud, region }, rate);
          if (rate < configured) metrics?.rateLimitLowered.inc({ cloud, region });
          logger.warn({ cloud, region, rate, configured, reason }, 'request rate to the cloud changed');
        },
      },
    });
    for (const [region, rate] of limiter.rates()) metrics?.rateLimit.set({ cloud, region }, rate);
    for (const [region, on] of limiter.sharing()) metrics?.rateLimitShared.set({ cloud, region }, on ? 1 : 0);
    limiters.set(cloud, limiter);
  }
  return limiters;
}
