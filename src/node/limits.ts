// Builds the per-cloud limiters from the node config's `limits` section and reports what they do: wait times and
// the pace in force to the metrics, a lowered pace (after a 429) and its recovery to the log.
import { CloudLimiter } from '../backends/openstack/transport/limits.ts';
import type { Logger } from '../observability/logger.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { LimitsConfig } from './operability-config.ts';

export function buildLimiters(
  limits: LimitsConfig | undefined,
  cloudNames: readonly string[],
  logger: Logger,
  metrics?: NodeMetrics,
): Map<string, CloudLimiter> {
  const limiters = new Map<string, CloudLimiter>();
  for (const [cloud, settings] of Object.entries(limits ?? {})) {
    if (!cloudNames.includes(cloud)) {
      logger.warn({ cloud }, 'limits name a cloud this node does not serve; they apply to nothing');
      continue;
    }
    const limiter = new CloudLimiter(cloud, settings, {
      events: {
        waited: ({ cloud, region, seconds }) => metrics?.rateLimitWait.observe({ cloud, region }, seconds),
        rateChanged: ({ cloud, region, rate, configured, reason }) => {
          metrics?.rateLimit.set({ cloud, region }, rate);
          if (rate < configured) metrics?.rateLimitLowered.inc({ cloud, region });
          logger.warn({ cloud, region, rate, configured, reason }, 'request rate to the cloud changed');
        },
      },
    });
    for (const [region, rate] of limiter.rates()) metrics?.rateLimit.set({ cloud, region }, rate);
    limiters.set(cloud, limiter);
  }
  return limiters;
}
