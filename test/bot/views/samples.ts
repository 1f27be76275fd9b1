import type { ApprovalRequest } from '../../../src/auth/approval-store.js';
import type { Reply } from '../../../src/bot/commands/replies.js';
import type { StartedBy } from '../../../src/scheduling/attribution.js';
import { previewSchedule, type SchedulePreview } from '../../../src/scheduling/expression/index.js';
import type { PipelineParameter } from '../../../src/scheduling/pipeline.js';
import type { Provenance } from '../../../src/scheduling/provenance.js';
import type {
  EventTriggerDescription,
  Orphan,
  ScheduleDescription,
  TriggerListItem,
} from '../../../src/scheduling/scheduling-service.js';
import type { Tick } from '../../../src/scheduling/ticks.js';
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

/** One of each maker the bot tells apart. */
export const PROVENANCES = {
  bot: {
    source: 'bot',
    requestedBy: 'U0ALICE',
    approvedBy: ['U0LEAD1'],
    requestId: 'req-3f2a9c',
    channelId: 'C0MLOPS',
    createdAt: NOW,
  },
  sdk: {
    source: 'sagemaker-sdk',
    inferredFrom:
      'default group, UTC, no flexible window, retry policy, dead-letter queue, description or parameters',
  },
  cloudformation: { source: 'cloudformation', stack: 'ml-platform-prod' },
  service: { source: 'aws-service', managedBy: 'datazone.amazonaws.com' },
  elsewhere: { source: 'elsewhere' },
} satisfies Record<string, Provenance>;

/** The bot's own triggers, in its own places: named by their bare name. */
export function listItems(count: number, name = (i: number) => `trigger-${i}`): TriggerListItem[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: i % 3 === 0 ? 'event' : 'schedule',
    name: name(i),
    ref: name(i),
    place: i % 3 === 0 ? 'default' : 'pipeline-schedule',
    arn: `arn:aws:scheduler:eu-west-1:123456789012:schedule/g/${name(i)}`,
    state: i % 2 === 0 ? 'ENABLED' : 'DISABLED',
    pipelineNames: [`pipeline-${i}`],
    otherTargets: 0,
    provenance: PROVENANCES.bot,
  }));
}

/** Triggers the bot did not make, in the places it watches. */
export function foreignItems(): TriggerListItem[] {
  return [
    {
      kind: 'schedule',
      name: 'churn-train-daily',
      ref: 'default/churn-train-daily',
      place: 'default',
      arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/churn-train-daily',
      state: 'ENABLED',
      pipelineNames: ['churn-train'],
      otherTargets: 0,
      provenance: PROVENANCES.sdk,
    },
    {
      kind: 'event',
      name: 'nightly-batch',
      ref: 'ml-events/nightly-batch',
      place: 'ml-events',
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/ml-events/nightly-batch',
      state: 'ENABLED',
      pipelineNames: ['ingest-daily'],
      otherTargets: 2,
      provenance: PROVENANCES.cloudformation,
      scheduleExpression: 'cron(0 2 * * ? *)',
    },
    {
      kind: 'event',
      name: 'DataZone-ingest',
      ref: 'DataZone-ingest',
      place: 'default',
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/DataZone-ingest',
      state: 'DISABLED',
      pipelineNames: ['ingest-daily'],
      otherTargets: 0,
      provenance: PROVENANCES.service,
    },
    {
      kind: 'event',
      name: 'hand-made',
      ref: 'hand-made',
      place: 'default',
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/hand-made',
      state: 'ENABLED',
      pipelineNames: ['churn-train'],
      otherTargets: 1,
      provenance: PROVENANCES.elsewhere,
    },
  ];
}

/** A schedule the SageMaker SDK made in `default`, starting its pipeline through the universal target. */
export function sdkScheduleDescription(): ScheduleDescription {
  const p = preview('rate(1 day)', 'UTC');
  return {
    kind: 'schedule',
    ref: 'default/churn-train-daily',
    provenance: PROVENANCES.sdk,
    trigger: schedule({
      name: 'churn-train-daily',
      group: 'default',
      expression: 'rate(1 day)',
      timeZone: 'UTC',
      parameters: [],
      targetKind: 'universal',
      targetArn: 'arn:aws:scheduler:::aws-sdk:sagemaker:startPipelineExecution',
      arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/churn-train-daily',
    }),
    description: p.description,
    nextRuns: p.occurrences,
    warnings: [],
    pipelineExists: true,
    attribution: {},
    drift: [],
    recentRuns: [],
  };
}

/** A CloudFormation rule on another bus that runs on a schedule, with 2 targets that are not pipelines. */
export function scheduledRuleDescription(): EventTriggerDescription {
  const runs = previewSchedule({ expression: 'cron(0 2 * * ? *)', timeZone: 'UTC', now: NOW });
  if (!runs.ok) throw new Error(runs.error.message);
  return {
    kind: 'event',
    ref: 'ml-events/nightly-batch',
    provenance: PROVENANCES.cloudformation,
    trigger: rule({
      name: 'nightly-batch',
      bus: 'ml-events',
      eventPattern: '',
      scheduleExpression: 'cron(0 2 * * ? *)',
      otherTargets: [
        { id: 'notify', arn: 'arn:aws:lambda:eu-west-1:123456789012:function:notify' },
        { id: 'audit', arn: 'arn:aws:sqs:eu-west-1:123456789012:audit' },
      ],
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/ml-events/nightly-batch',
    }),
    schedule: { description: runs.preview.description, nextRuns: runs.preview.occurrences },
    pipelinesExist: { 'ingest-daily': true },
    attribution: {},
    drift: [],
    recentRuns: [
      {
        triggerKey: 'nightly-batch',
        ref: 'ml-events/nightly-batch',
        pipelineName: 'ingest-daily',
        occurrence: new Date('2026-11-29T02:00:00Z'),
        timeZone: 'UTC',
        outcome: 'started',
        executionArn:
          'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/ingest-daily/execution/0f3a9c2b7d1e',
        recordedAt: new Date('2026-11-29T02:00:04Z'),
        updatedAt: new Date('2026-11-29T02:00:04Z'),
      },
    ],
  };
}

export function orphan(overrides: Partial<Orphan> = {}): Orphan {
  return {
    kind: 'schedule',
    name: 'churn-weekdays',
    ref: 'churn-weekdays',
    place: 'pipeline-schedule',
    arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/pipeline-schedule/churn-weekdays',
    missingPipelines: ['churn-train'],
    deadTargets: [],
    targetsLeft: 0,
    targetIds: [],
    provenance: PROVENANCES.bot,
    cleanUp: 'delete-schedule',
    ...overrides,
  };
}

/** One orphan of each clean-up: a schedule, a rule keeping others, an emptied rule of someone else's, a rule of the bot's. */
export function orphansOfEachKind(): Orphan[] {
  const ruleOrphan = (o: Partial<Orphan>) =>
    orphan({
      kind: 'event',
      place: 'default',
      missingPipelines: ['ingest-daily'],
      deadTargets: [{ id: 'ingest-daily', pipelineName: 'ingest-daily' }],
      ...o,
    });
  return [
    orphan({
      name: 'churn-train-daily',
      ref: 'default/churn-train-daily',
      place: 'default',
      provenance: PROVENANCES.sdk,
    }),
    ruleOrphan({
      name: 'on-upload',
      ref: 'on-upload',
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/on-upload',
      targetsLeft: 2,
      targetIds: ['ingest-daily', 'notify', 'audit'],
      provenance: PROVENANCES.cloudformation,
      cleanUp: 'remove-targets',
    }),
    ruleOrphan({
      name: 'hand-made',
      ref: 'ml-events/hand-made',
      place: 'ml-events',
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/ml-events/hand-made',
      targetIds: ['ingest-daily'],
      provenance: PROVENANCES.elsewhere,
      cleanUp: 'remove-targets',
    }),
    ruleOrphan({
      name: 'ingest-on-upload',
      ref: 'ingest-on-upload',
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/ingest-on-upload',
      targetIds: ['ingest-daily'],
      cleanUp: 'delete-rule',
    }),
  ];
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
/** One of each thing that can start an execution. */
export const STARTED_BY: StartedBy[] = [
  {
    kind: 'schedule',
    ref: 'nightly-retrain',
    group: 'sagemaker-pipelines',
    name: 'nightly-retrain',
    occurrence: '2026-12-02T07:00:00.000Z',
    timeZone: 'Europe/Berlin',
    likely: true,
  },
  {
    kind: 'run',
    requestId: 'req-3f2a9c',
    userId: 'U0ALICE',
    approvedBy: ['U0LEAD1'],
    channelId: 'C0MLOPS',
  },
  {
    kind: 'rule',
    ref: 'ml-events/nightly-batch',
    occurrence: '2026-12-02T02:00:00.000Z',
    likely: true,
  },
  { kind: 'outside', identity: 'arn:aws:sts::123456789012:assumed-role/DataScientist/ana' },
  { kind: 'unknown' },
  {
    kind: 'schedule',
    ref: 'default/churn-train',
    group: 'default',
    name: 'churn-train',
    occurrence: '2026-12-01T06:00:00.000Z',
    timeZone: 'UTC',
    likely: false,
    late: true,
  },
];

export function replies(): Record<Reply['kind'], Reply[]> {
  const p = preview();
  const executions = Array.from({ length: 50 }, (_, i) => ({
    arn: `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train/execution/exec${i}`,
    pipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train',
    status:
      (['Succeeded', 'Failed', 'Executing', 'Stopped', 'Stopping'] as const)[i % 5] ?? 'Failed',
    startTime: new Date(NOW.getTime() - i * 3_600_000),
    ...(i % 5 === 1 ? { failureReason: 'ClientError: '.repeat(80) } : {}),
    startedBy: STARTED_BY[i % STARTED_BY.length] ?? { kind: 'outside' as const },
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
          ref: 'churn-weekdays',
          provenance: PROVENANCES.bot,
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
          recentRuns: [
            ...(['missed', 'late', 'started'] as const).map(
              (outcome, i): Tick => ({
                triggerKey: 'sagemaker-pipelines/churn-weekdays',
                ref: 'churn-weekdays',
                pipelineName: 'churn-train',
                occurrence: new Date(Date.UTC(2026, 2, 2 - i, 7)),
                timeZone: 'Europe/Berlin',
                outcome,
                ...(outcome === 'missed'
                  ? { reason: 'Scheduler gave up after 3 retries: AccessDeniedException: denied' }
                  : {
                      executionArn: `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train/execution/x${i}`,
                    }),
                recordedAt: NOW,
                updatedAt: NOW,
              }),
            ),
            {
              triggerKey: 'sagemaker-pipelines/churn-weekdays',
              ref: 'churn-weekdays',
              pipelineName: 'churn-train',
              occurrence: new Date('2026-03-29T01:30:00Z'),
              timeZone: 'Europe/Berlin',
              outcome: 'skipped',
              reason:
                '02:30 does not exist that day: clocks in Europe/Berlin jump from 02:00 to 03:00, and Scheduler skips the run',
              wallTime: '2026-03-29 02:30',
              recordedAt: NOW,
              updatedAt: NOW,
            },
          ],
        },
      },
      {
        kind: 'described',
        now: NOW,
        description: {
          kind: 'schedule',
          ref: LONG,
          provenance: PROVENANCES.elsewhere,
          trigger: schedule({
            state: 'DISABLED',
            name: LONG,
            pipelineName: LONG,
          }),
          description: LONG,
          nextRuns: [],
          warnings: [],
          pipelineExists: true,
          attribution: {},
          drift: [],
          recentRuns: [],
        },
      },
      {
        kind: 'described',
        now: NOW,
        description: {
          kind: 'event',
          ref: 'ingest-on-upload',
          provenance: { source: 'bot', requestedBy: 'cli:ana' },
          trigger: rule({ state: 'DISABLED' }),
          pipelinesExist: { 'ingest-daily': false },
          attribution: { createdBy: 'cli:ana' },
          drift: [],
          recentRuns: [
            {
              triggerKey: 'ingest-on-upload',
              ref: 'ingest-on-upload',
              pipelineName: 'ingest-daily',
              occurrence: new Date('2026-11-29T07:41:12Z'),
              timeZone: 'UTC',
              outcome: 'started' as const,
              executionArn:
                'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/ingest-daily/execution/7c1d2e3f4a5b',
              byEvent: true,
              recordedAt: new Date('2026-11-29T07:41:12Z'),
              updatedAt: new Date('2026-11-29T07:41:12Z'),
            },
          ],
        },
      },
      { kind: 'described', now: NOW, description: sdkScheduleDescription() },
      { kind: 'described', now: NOW, description: scheduledRuleDescription() },
      {
        kind: 'described',
        now: NOW,
        description: {
          ...scheduledRuleDescription(),
          provenance: PROVENANCES.service,
          trigger: { ...scheduledRuleDescription().trigger, state: 'DISABLED' },
          schedule: { description: 'at 02:00, every day, UTC', nextRuns: [] },
        },
      },
    ],
    list: [
      { kind: 'list', items: [], more: false },
      { kind: 'list', items: [], filter: 'churn-train', more: false },
      { kind: 'list', items: listItems(3), more: false },
      { kind: 'list', items: listItems(50, () => LONG.slice(0, 64)), more: true },
      { kind: 'list', items: [...listItems(2), ...foreignItems()], more: false },
    ],
    changed: [
      { kind: 'changed', action: 'paused', item: listItems(1)[0]! },
      { kind: 'changed', action: 'resumed', item: listItems(1)[0]! },
      { kind: 'changed', action: 'deleted', item: listItems(1)[0]! },
    ],
    'confirm-delete': [
      {
        kind: 'confirm-delete',
        ref: 'nightly-retrain',
        what: 'schedule',
        pipelines: ['churn-train'],
        summary: 'at 08:00, Monday through Friday, Europe/Berlin',
      },
    ],
    'trigger-updated': [
      {
        kind: 'trigger-updated',
        update: {
          kind: 'schedule',
          ref: 'nightly-retrain',
          before: schedule(),
          after: schedule({ expression: 'cron(30 6 ? * MON-FRI *)' }),
          changes: [
            {
              field: 'expression',
              before: 'cron(0 8 ? * MON-FRI *)',
              after: 'cron(30 6 ? * MON-FRI *)',
            },
            { field: 'description', after: 'nightly' },
          ],
        },
        runs: {
          before: [new Date('2026-03-02T07:00:00Z')],
          after: [new Date('2026-03-02T05:30:00Z')],
          timeZone: 'Europe/Berlin',
          afterZone: 'Europe/Berlin',
        },
      },
      {
        kind: 'trigger-updated',
        update: {
          kind: 'event',
          ref: 'on-new-data',
          before: rule(),
          after: rule({ eventPattern: '{"source":["aws.s3"]}' }),
          changes: [
            { field: 'event pattern', before: rule().eventPattern, after: '{"source":["aws.s3"]}' },
          ],
          dryRun: true,
          requests: [{ operation: 'PutRule', input: { Name: 'on-new-data' } }],
        },
      },
    ],
    adopted: [
      {
        kind: 'adopted',
        from: foreignItems()[0]!,
        schedule: schedule({ name: 'churn-train-daily', parameters: [] }),
      },
    ],
    started: [
      {
        kind: 'started',
        pipeline: 'churn-train',
        executionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train/execution/x1',
      },
    ],
    ticks: [
      { kind: 'ticks', ref: 'nightly-retrain', ticks: [] },
      {
        kind: 'ticks',
        ref: 'nightly-retrain',
        ticks: (['started', 'late', 'missed'] as const).map((outcome, i) => ({
          triggerKey: 'sagemaker-pipelines/nightly-retrain',
          ref: 'nightly-retrain',
          pipelineName: 'churn-train',
          occurrence: new Date(NOW.getTime() - i * 86_400_000),
          timeZone: 'Europe/Berlin',
          outcome,
          ...(outcome === 'missed'
            ? {
                reason:
                  'Scheduler gave up after 3 retries: AccessDeniedException: <not> *authorized*',
              }
            : {
                executionArn: `${'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train'}/execution/t${i}`,
              }),
          recordedAt: NOW,
          updatedAt: NOW,
        })),
      },
      {
        kind: 'ticks',
        ref: 'every-minute',
        ticks: [
          {
            triggerKey: 'sagemaker-pipelines/every-minute',
            ref: 'every-minute',
            pipelineName: 'churn-train',
            occurrence: new Date(NOW.getTime() - 86_400_000),
            through: NOW,
            runs: 1441,
            timeZone: 'Europe/Berlin',
            outcome: 'skipped',
            reason: 'the schedule is paused',
            recordedAt: NOW,
            updatedAt: NOW,
            told: 'skipped',
          },
        ],
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
        orphans: Array.from({ length: 120 }, (_, i) =>
          orphan({
            name: `orphan-${i}`,
            ref: `orphan-${i}`,
            arn: `arn:x:${i}`,
            missingPipelines: [LONG],
          }),
        ),
      },
      {
        kind: 'orphans',
        cleaned: true,
        orphans: [
          orphan({
            kind: 'event',
            name: 'old-rule',
            ref: 'old-rule',
            place: 'default',
            arn: 'arn:x',
            missingPipelines: ['gone'],
            deadTargets: [{ id: 'gone', pipelineName: 'gone' }],
            targetIds: ['gone'],
            cleanUp: 'delete-rule',
          }),
        ],
      },
      { kind: 'orphans', cleaned: false, orphans: orphansOfEachKind() },
      { kind: 'orphans', cleaned: true, orphans: orphansOfEachKind() },
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
      {
        kind: 'approval-requested',
        request: request({ action: 'update' }),
        change: {
          changes: [{ field: 'end', after: '2027-06-30T00:00:00Z' }],
          runs: {
            before: [new Date('2026-03-02T07:00:00Z')],
            after: [new Date('2026-03-02T07:00:00Z')],
            timeZone: 'Europe/Berlin',
            afterZone: 'Europe/Berlin',
          },
        },
      },
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
