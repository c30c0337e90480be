/**
 * The timing rules of the upstream suite (conformance/utils/config/timeout.go, DefaultTimeoutConfig),
 * in milliseconds. The harness waits exactly as long as upstream does, so a case that passes here
 * would not time out there for want of patience.
 */
export interface TimeoutConfig {
  createTimeout: number;
  deleteTimeout: number;
  getTimeout: number;
  gatewayMustHaveAddress: number;
  gatewayMustHaveCondition: number;
  gatewayStatusMustHaveListeners: number;
  gatewayListenersMustHaveConditions: number;
  gwcMustBeAccepted: number;
  httpRouteMustNotHaveParents: number;
  httpRouteMustHaveCondition: number;
  routeMustHaveParents: number;
  maxTimeToConsistency: number;
  namespacesMustBeReady: number;
  requestTimeout: number;
  latestObservedGenerationSet: number;
  defaultTestTimeout: number;
  defaultPollInterval: number;
  requiredConsecutiveSuccesses: number;
}

export const DEFAULT_TIMEOUTS: Readonly<TimeoutConfig> = {
  createTimeout: 60_000,
  deleteTimeout: 10_000,
  getTimeout: 10_000,
  gatewayMustHaveAddress: 180_000,
  gatewayMustHaveCondition: 180_000,
  gatewayStatusMustHaveListeners: 60_000,
  gatewayListenersMustHaveConditions: 60_000,
  gwcMustBeAccepted: 180_000,
  httpRouteMustNotHaveParents: 60_000,
  httpRouteMustHaveCondition: 60_000,
  routeMustHaveParents: 60_000,
  maxTimeToConsistency: 30_000,
  namespacesMustBeReady: 300_000,
  requestTimeout: 10_000,
  latestObservedGenerationSet: 60_000,
  defaultTestTimeout: 60_000,
  defaultPollInterval: 100,
  requiredConsecutiveSuccesses: 3,
};
