import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ApprovalMetrics } from '../auth/approval-metrics.js';
import type { NotificationMetrics } from '../notifications/notification-metrics.js';

/**
 * The service's Prometheus series. One registry per process; the counters are plain in-memory
 * numbers, incremented where things happen and read by GET /metrics.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'pipeline_schedule_' });

export const metrics = {
  slackRequests: new Counter({
    name: 'pipeline_schedule_slack_requests_total',
    help: 'Requests from Slack, by kind (command, action, view, options, event) and HTTP status',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    collect: () => flushSlackAcks(),
  }),
  slackAckSeconds: new Histogram({
    name: 'pipeline_schedule_slack_ack_seconds',
    help: 'Time from a Slack request arriving to its acknowledgement, by kind',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
    registers: [registry],
    collect: () => flushSlackAcks(),
  }),
  approvals: new Counter({
    name: 'pipeline_schedule_approval_events_total',
    help: 'Approval workflow events by outcome (requested, approved, rejected, expired, cancelled, executed, failed, denied)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  triggers: new Counter({
    name: 'pipeline_schedule_triggers_total',
    help: 'Triggers created and deleted, by kind (schedule, event)',
    labelNames: ['action', 'kind'] as const,
    registers: [registry],
  }),
  events: new Counter({
    name: 'pipeline_schedule_events_total',
    help: 'EventBridge events by what happened to them (received, deduplicated, refused) and how they came (http, sqs, local)',
    labelNames: ['result', 'via'] as const,
    registers: [registry],
  }),
  slackCalls: new Counter({
    name: 'pipeline_schedule_slack_calls_total',
    help: 'Execution-message calls to Slack by result (posted, updated, rate_limited, error)',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  awsErrors: new Counter({
    name: 'pipeline_schedule_aws_errors_total',
    help: 'AWS calls that failed, by service and error code (the SDK has retried before)',
    labelNames: ['service', 'code'] as const,
    registers: [registry],
  }),
  outboxDepth: new Gauge({
    name: 'pipeline_schedule_outbox_depth',
    help: 'Stored events waiting to be shown',
    registers: [registry],
  }),
};

/** The approval workflow's port (src/auth) on pipeline_schedule_approval_events_total. */
export const approvalMetrics: ApprovalMetrics = {
  approvalEvent: (outcome) => metrics.approvals.inc({ outcome }),
};

/** The event path's port (src/notifications) on the events and Slack-call counters. */
export const notificationMetrics: NotificationMetrics = {
  eventReceived: (result, via) => metrics.events.inc({ result, via }),
  slackCall: (result, count) => metrics.slackCalls.inc({ result }, count),
};

/** Acknowledgements not yet counted: kind, HTTP status, seconds. */
const pendingAcks: Array<[kind: string, status: number, seconds: number]> = [];
/** Counted at the latest this long after the ack, scraped or not. */
const ACK_FLUSH_MS = 1000;
let flushTimer: NodeJS.Timeout | undefined;

/**
 * Records one Slack acknowledgement. prom-client hashes the labels of every update; done here
 * for each ack, that is work in front of the next request of a burst. So the ack is only
 * queued, and counted at the next scrape or within a second, whichever comes first.
 */
export function recordSlackAck(kind: string, status: number, seconds: number): void {
  pendingAcks.push([kind, status, seconds]);
  flushTimer ??= setTimeout(flushSlackAcks, ACK_FLUSH_MS).unref();
}

function flushSlackAcks(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  for (const [kind, status, seconds] of pendingAcks.splice(0)) {
    metrics.slackRequests.inc({ kind, status: String(status) });
    metrics.slackAckSeconds.observe({ kind }, seconds);
  }
}
