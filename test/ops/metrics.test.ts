import { describe, expect, it } from 'vitest';
import {
  approvalMetrics,
  metrics,
  notificationMetrics,
  recordSlackAck,
} from '../../src/ops/metrics.js';

/** The current value of one labelled series of a counter (0 when it has none yet). */
async function seriesValue(
  counter: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await counter.get();
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;
}

describe('the metrics ports on the Prometheus counters', () => {
  it('count approval events by outcome', async () => {
    const before = await seriesValue(metrics.approvals, { outcome: 'approved' });
    approvalMetrics.approvalEvent('approved');
    expect(await seriesValue(metrics.approvals, { outcome: 'approved' })).toBe(before + 1);
  });

  it('count events by result and way in, and Slack calls by result (one, or as many as said)', async () => {
    const refused = await seriesValue(metrics.events, { result: 'refused', via: 'sqs' });
    const posted = await seriesValue(metrics.slackCalls, { result: 'posted' });
    const errors = await seriesValue(metrics.slackCalls, { result: 'error' });
    notificationMetrics.eventReceived('refused', 'sqs');
    notificationMetrics.slackCall('posted');
    notificationMetrics.slackCall('error', 3);
    expect(await seriesValue(metrics.events, { result: 'refused', via: 'sqs' })).toBe(refused + 1);
    expect(await seriesValue(metrics.slackCalls, { result: 'posted' })).toBe(posted + 1);
    expect(await seriesValue(metrics.slackCalls, { result: 'error' })).toBe(errors + 3);
  });

  it('count every Slack acknowledgement recorded before a scrape, by kind and status', async () => {
    const acks = await seriesValue(metrics.slackRequests, { kind: 'command', status: '200' });
    recordSlackAck('command', 200, 0.004);
    recordSlackAck('command', 200, 0.02);
    expect(await seriesValue(metrics.slackRequests, { kind: 'command', status: '200' })).toBe(
      acks + 2,
    );
    const { values } = await metrics.slackAckSeconds.get();
    const fast = values.find(
      (v) =>
        v.metricName?.endsWith('_bucket') &&
        v.labels.kind === 'command' &&
        (v.labels as { le?: number }).le === 0.005,
    );
    expect(fast?.value).toBeGreaterThanOrEqual(1);
  });
});
