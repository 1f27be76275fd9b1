import type { ApprovalRequest } from '../../../src/auth/approval-store.js';
import type { Reply } from '../../../src/bot/commands/replies.js';
import { previewSchedule, type SchedulePreview } from '../../../src/scheduling/expression/index.js';
import type { PipelineParameter } from '../../../src/scheduling/pipeline.js';
import type { TriggerListItem } from '../../../src/scheduling/scheduling-service.js';
import type { RuleRecord, ScheduleRecord } from '../../../src/scheduling/triggers.js';

/** Real-shaped data for the view tests. One fixed instant, so snapshots never drift. */
export const NOW = new Date('2026-03-02T07:30:00Z');
export const LONG = 'p'.repeat(256);
export const ROLE_ARN =
  'arn:aws:iam::123456789012:role/PipelineSchedulerExecutionRoleForProduction';

export function preview(expression = 'cron(0 8 ? * MON-FRI *)', timeZone = 'Europe/Berlin') {
  const result = previewSchedule({ expression, timeZone, now: NOW });
  if (!result.ok) throw new Error(result.error.message);
  return result.preview;
}

/** DST_SKIPPED and friends: a preview with warnings. */
export function warnedPreview(): SchedulePreview {
  return preview('cron(30 2 31 * ? *)', 'Europe/Berlin');
}

export function schedule(overrides: Partial<ScheduleRecord> = {}): ScheduleRecord {
  return {
    kind: 'schedule',
    name: 'churn-weekdays',
    group: 'pipeline-schedule',
    pipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train',
    pipelineName: 'churn-train',
    expression: 'cron(0 8 ? * MON-FRI *)',
    timeZone: 'Europe/Berlin',
    state: 'ENABLED',
    roleArn: ROLE_ARN,
    parameters: [
      { name: 'InstanceType', value: 'ml.m5.xlarge' },
      { name: 'Epochs', value: '3' },
    ],
    retryPolicy: { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 3 },
    deleteAfterCompletion: false,
    arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/pipeline-schedule/churn-weekdays',
    createdAt: new Date('2026-02-01T10:00:00Z'),
    ...overrides,
  };
}

export function rule(overrides: Partial<RuleRecord> = {}): RuleRecord {
  return {
    kind: 'event',
    name: 'ingest-on-upload',
    bus: 'default',
    otherTargets: [],
    eventPattern: '{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"daily/"}]}}}',
    state: 'ENABLED',
    roleArn: ROLE_ARN,
    targets: [
      {
        id: 'ingest-daily',
        pipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/ingest-daily',
        pipelineName: 'ingest-daily',
        parameters: [{ name: 'InputDataUri', value: '$.detail.object.key' }],
      },
    ],
    arn: 'arn:aws:events:eu-west-1:123456789012:rule/ingest-on-upload',
    ...overrides,
  };
}

export function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const text =
    "create churn-train 'cron(0 8 ? * MON-FRI *)' tz=Europe/Berlin role=prod param:InstanceType=ml.m5.xlarge";
  return {
    id: 'req-3f2a9c',
    payload: JSON.stringify({
      text,
      command: {
        name: 'create',
        pipeline: 'churn-train',
        expression: 'cron(0 8 ? * MON-FRI *)',
        options: { timeZone: 'Europe/Berlin', role: 'prod' },
        parameters: [{ name: 'InstanceType', value: 'ml.m5.xlarge' }],
        dryRun: false,
      },
      access: {
        userId: 'U0ALICE',
        action: 'create',
        pipelineNames: ['churn-train'],
        executionRole: 'prod',
      },
    }),
    contentHash: 'a'.repeat(64),
    action: 'create',
    pipelineNames: ['churn-train'],
    requestedBy: 'U0ALICE',
    channelId: 'C0MLOPS',
    status: 'PENDING',
    requiredApprovals: 2,
    approverRoles: ['approvers', 'admins'],
    createdAt: NOW,
    expiresAt: new Date('2026-03-03T07:30:00Z'),
    updatedAt: NOW,
    ...overrides,
  };
}

export function listItems(count: number, name = (i: number) => `trigger-${i}`): TriggerListItem[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: i % 3 === 0 ? 'event' : 'schedule',
    name: name(i),
    arn: `arn:aws:scheduler:eu-west-1:123456789012:schedule/g/${name(i)}`,
    state: i % 2 === 0 ? 'ENABLED' : 'DISABLED',
    pipelineNames: [`pipeline-${i}`],
  }));
}

export function parameters(count: number, name = (i: number) => `Param${i}`): PipelineParameter[] {
  const types = ['String', 'Integer', 'Float', 'Boolean'] as const;
  return Array.from({ length: count }, (_, i) => ({
    name: name(i),
    type: types[i % 4] ?? 'String',
    ...(i % 5 === 0 ? {} : { defaultValue: ['x', '1', '0.5', 'true'][i % 4] ?? 'x' }),
    ...(i % 7 === 0 ? { description: `What parameter ${i} controls` } : {}),
    ...(i === 4 ? { enumValues: ['small', 'large'] } : {}),
  }));
}

/** At least one reply of every kind; `satisfies` fails to compile when a kind is added. */
export function replies(): Record<Reply['kind'], Reply[]> {
  const p = preview();
  const executions = Array.from({ length: 50 }, (_, i) => ({
    arn: `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train/execution/exec${i}`,
    pipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train',
    status:
      (['Succeeded', 'Failed', 'Executing', 'Stopped', 'Stopping'] as const)[i % 5] ?? 'Failed',
    startTime: new Date(NOW.getTime() - i * 3_600_000),
    ...(i % 5 === 1 ? { failureReason: 'ClientError: '.repeat(80) } : {}),
  }));
  return {
    help: [{ kind: 'help' }, { kind: 'help', topic: 'create' }, { kind: 'help', topic: 'nope' }],
    error: [
      { kind: 'error', message: 'no schedule or rule named <x>', exitCode: 1 },
      {
        kind: 'error',
        message: 'cron: day-of-week must be 1-7',
        usage: 'create <pipeline> <expression>\n  more',
        excerpt: ['  cron(0 8 ? * 9 *)', '              ^'],
        exitCode: 2,
      },
    ],
    preview: [
      { kind: 'preview', preview: p, runsOnly: false },
      { kind: 'preview', preview: p, runsOnly: true },
      { kind: 'preview', preview: warnedPreview(), runsOnly: false },
    ],
    'schedule-created': [
      { kind: 'schedule-created', schedule: schedule(), preview: p },
      { kind: 'schedule-created', schedule: schedule({ name: LONG, state: 'DISABLED' }) },
    ],
    'rule-created': [
      { kind: 'rule-created', rule: rule() },
      { kind: 'rule-created', rule: rule({ eventPattern: `{"a":"${'x'.repeat(5000)}"}` }) },
    ],
    'dry-run': [
      {
        kind: 'dry-run',
        requests: Array.from({ length: 60 }, (_, i) => ({
          operation: `CreateSchedule${i}`,
          input: { Name: 'x'.repeat(4000) },
        })),
      },
    ],
    described: [
      {
        kind: 'described',
        now: NOW,
        description: {
          kind: 'schedule',
          trigger: schedule({
            start: new Date('2026-03-01T00:00:00Z'),
            end: new Date('2026-12-31T00:00:00Z'),
            flexibleWindowMinutes: 15,
            description: 'Weekday retrain',
            deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq',
          }),
          description: p.description,
          nextRuns: p.occurrences,
          warnings: warnedPreview().warnings,
          pipelineExists: false,
          attribution: { createdBy: 'U0ALICE', approvedBy: ['U0LEAD1'], createdAt: NOW },
          drift: ['expression'],
        },
      },
      {
        kind: 'described',
        now: NOW,
        description: {
          kind: 'schedule',
          trigger: schedule({ state: 'DISABLED', name: LONG, pipelineName: LONG }),
          description: LONG,
          nextRuns: [],
          warnings: [],
          pipelineExists: true,
          attribution: {},
          drift: [],
        },
      },
      {
        kind: 'described',
        now: NOW,
        description: {
          kind: 'event',
          trigger: rule({ state: 'DISABLED' }),
          pipelinesExist: { 'ingest-daily': false },
          attribution: { createdBy: 'cli:ana' },
          drift: [],
        },
      },
    ],
    list: [
      { kind: 'list', items: [], more: false },
      { kind: 'list', items: [], filter: 'churn-train', more: false },
      { kind: 'list', items: listItems(3), more: false },
      { kind: 'list', items: listItems(50, () => LONG.slice(0, 64)), more: true },
    ],
    changed: [
      { kind: 'changed', action: 'paused', item: listItems(1)[0]! },
      { kind: 'changed', action: 'resumed', item: listItems(1)[0]! },
      { kind: 'changed', action: 'deleted', item: listItems(1)[0]! },
    ],
    started: [
      {
        kind: 'started',
        pipeline: 'churn-train',
        executionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train/execution/x1',
      },
    ],
    history: [
      { kind: 'history', pipeline: 'churn-train', executions: [] },
      { kind: 'history', pipeline: 'churn-train', executions },
    ],
    orphans: [
      { kind: 'orphans', orphans: [], cleaned: false },
      { kind: 'orphans', orphans: [], cleaned: true },
      {
        kind: 'orphans',
        cleaned: false,
        orphans: Array.from({ length: 120 }, (_, i) => ({
          kind: 'schedule',
          name: `orphan-${i}`,
          arn: `arn:x:${i}`,
          missingPipelines: [LONG],
        })),
      },
      {
        kind: 'orphans',
        cleaned: true,
        orphans: [{ kind: 'event', name: 'old-rule', arn: 'arn:x', missingPipelines: ['gone'] }],
      },
    ],
    pipelines: [
      { kind: 'pipelines', pipelines: [], more: false },
      {
        kind: 'pipelines',
        more: true,
        pipelines: Array.from({ length: 100 }, (_, i) => ({
          name: `${LONG.slice(0, 200)}${i}`,
          arn: `arn:${i}`,
          description: 'd'.repeat(500),
        })),
      },
    ],
    'pattern-result': [
      { kind: 'pattern-result', matches: true },
      { kind: 'pattern-result', matches: false },
    ],
    'event-published': [
      { kind: 'event-published', id: 'evt-1', source: 'aws.s3', detailType: 'Object Created' },
    ],
    'interactive-needed': [{ kind: 'interactive-needed' }],
    'approval-requested': [
      { kind: 'approval-requested', request: request(), approvalChannel: 'C0APPROVALS' },
      { kind: 'approval-requested', request: request({ requiredApprovals: 1 }) },
    ],
    approvals: [
      { kind: 'approvals', pending: [] },
      {
        kind: 'approvals',
        pending: Array.from({ length: 40 }, (_, i) => ({
          request: request({ id: `req-${i}`, triggerName: LONG }),
          approvals: 1,
        })),
      },
    ],
    'approval-recorded': [
      { kind: 'approval-recorded', request: request(), approvals: 1, required: 2 },
    ],
    'approval-decided': [
      {
        kind: 'approval-decided',
        request: request({ status: 'EXECUTED' }),
        summary: 'created schedule churn-weekdays',
      },
    ],
    subscribed: [
      { kind: 'subscribed', pipeline: 'churn-train', channel: 'C0ALERTS', failuresOnly: false },
      { kind: 'subscribed', pipeline: 'x'.repeat(256), channel: 'C0ALERTS', failuresOnly: true },
    ],
    unsubscribed: [
      { kind: 'unsubscribed', pipeline: 'churn-train', channel: 'C0ALERTS', existed: true },
      { kind: 'unsubscribed', pipeline: 'churn-train', channel: 'C0ALERTS', existed: false },
    ],
    audit: [
      { kind: 'audit', entries: [] },
      { kind: 'audit', entries: [], pipeline: 'churn-train' },
      {
        kind: 'audit',
        pipeline: 'churn-train',
        entries: Array.from({ length: 200 }, (_, i) => ({
          id: i,
          at: new Date(NOW.getTime() - i * 60_000),
          actor: i % 2 ? 'U0ALICE' : 'cli:ana',
          event: 'approved',
          action: 'create',
          pipelineNames: ['churn-train'],
          triggerName: 'churn-weekdays',
          requestId: 'req-3f2a9c',
          details: JSON.stringify({ reason: 'looks good '.repeat(50) }),
        })),
      },
    ],
  } satisfies Record<Reply['kind'], Reply[]>;
}
