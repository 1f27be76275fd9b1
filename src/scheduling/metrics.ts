import type { TriggerErrorCode } from './errors.js';

/**
 * What scheduling counts, as a port: the process wires it to its metrics registry (src/ops),
 * tests and one-shot commands leave the no-op. Injected like the logger, so nothing in
 * src/scheduling reaches for a global.
 */
export interface SchedulingMetrics {
  /** A trigger was created or deleted through the service. */
  triggerChanged(action: 'created' | 'updated' | 'deleted', kind: 'schedule' | 'event'): void;
  /** An AWS call failed after the SDK's own retries; `service` is the IAM prefix. */
  awsCallFailed(service: string, code: TriggerErrorCode): void;
}

export const noSchedulingMetrics: SchedulingMetrics = {
  triggerChanged() {},
  awsCallFailed() {},
};
