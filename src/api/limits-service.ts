// LimitsService and CapabilitiesService: one message per matching location.
import type { CapabilitiesServiceImplementation } from '../gen/oaktree/v1/capabilities.ts';
import type { LimitsServiceImplementation } from '../gen/oaktree/v1/limits.ts';
import type { Router } from '../mesh/router.ts';
import type { OaktreeCallContextExt } from './call-context.ts';
import { Methods } from '../core/methods.ts';
import { listFrom } from './requests.ts';

export function limitsService(router: Router): LimitsServiceImplementation<OaktreeCallContextExt> {
  return { listLimits: (request, context) => listFrom(router, Methods.listLimits, request, context) };
}

export function capabilitiesService(router: Router): CapabilitiesServiceImplementation<OaktreeCallContextExt> {
  return { listCapabilities: (request, context) => listFrom(router, Methods.listCapabilities, request, context) };
}
