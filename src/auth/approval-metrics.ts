/**
 * What the approval workflow counts, declared here so the workflow need not know where the
 * numbers go; `src/ops/metrics.ts` implements it on the Prometheus counters.
 */
export interface ApprovalMetrics {
  /** One workflow event: requested, approved, rejected, expired, cancelled, executed, … */
  approvalEvent(outcome: string): void;
}

/** Counts nothing: the default where no metrics are wired (tests, tools). */
export const noApprovalMetrics: ApprovalMetrics = { approvalEvent() {} };
