/** How an event reached the inbox: POST /aws/events, the SQS queue, or the local bus. */
export type EventVia = 'http' | 'sqs' | 'local';

/**
 * What the event path counts, declared here so the inbox and the notifier need not know where
 * the numbers go; `src/ops/metrics.ts` implements it on the Prometheus counters.
 */
export interface NotificationMetrics {
  /** An event came in: stored, recognised as a repeat of a stored one, or refused. */
  eventReceived(result: 'received' | 'deduplicated' | 'refused', via: EventVia): void;
  /** Calls to Slack for execution messages, by result; `count` defaults to one. */
  slackCall(result: 'posted' | 'updated' | 'rate_limited' | 'error', count?: number): void;
}

/** Counts nothing: the default where no metrics are wired (tests, tools). */
export const noNotificationMetrics: NotificationMetrics = {
  eventReceived() {},
  slackCall() {},
};
