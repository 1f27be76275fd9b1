import { describe, expect, it } from 'vitest';
import {
  attribute,
  type Candidate,
  type ExecutionFacts,
  onePerOccurrence,
} from '../../src/scheduling/attribution.js';
import {
  DEFAULT_RETRY_POLICY,
  type RuleRecord,
  type ScheduleRecord,
} from '../../src/scheduling/triggers.js';

/**
 * What started an execution, worked out as it must be on AWS, where SageMaker does not say. The
 * facts relied on (shared/reference/eventbridge-scheduler.md §4): Scheduler substitutes
 * `<aws.scheduler.schedule-arn>` and `<aws.scheduler.scheduled-time>` (ISO-8601 UTC, `Z`) inside
 * SageMakerPipelineParameters values; it invokes within the flexible window, retries within
 * the retry policy's maximum event age; ListPipelineParametersForExecution reports the values
 * actually used, defaults included; EventBridge runs a rule's schedule in UTC.
 */

const PIPELINE_ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train';
const ROLE = 'arn:aws:iam::123456789012:role/PipelineSchedulerProd';

function schedule(overrides: Partial<ScheduleRecord> = {}): Candidate {
  const record: ScheduleRecord = {
    kind: 'schedule',
    name: 'nightly-retrain',
    group: 'sagemaker-pipelines',
    arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/sagemaker-pipelines/nightly-retrain',
    pipelineArn: PIPELINE_ARN,
    pipelineName: 'churn-train',
    expression: 'cron(0 8 * * ? *)',
    timeZone: 'Europe/Berlin',
    state: 'ENABLED',
    roleArn: ROLE,
    parameters: [{ name: 'InstanceType', value: 'ml.m5.2xlarge' }],
    retryPolicy: DEFAULT_RETRY_POLICY,
    deleteAfterCompletion: false,
    createdAt: new Date('2026-11-01T00:00:00Z'),
    ...overrides,
  };
  return { ref: record.name, found: { kind: 'schedule', record } };
}

function rule(overrides: Partial<RuleRecord> = {}): Candidate {
  const record: RuleRecord = {
    kind: 'event',
    name: 'retrain-on-upload',
    arn: 'arn:aws:events:eu-west-1:123456789012:rule/retrain-on-upload',
    bus: 'default',
    eventPattern: '{"source":["aws.s3"]}',
    state: 'ENABLED',
    roleArn: ROLE,
    targets: [
      {
        id: 'churn-train',
        pipelineArn: PIPELINE_ARN,
        pipelineName: 'churn-train',
        parameters: [{ name: 'InputDataUri', value: '$.detail.object.key' }],
      },
    ],
    otherTargets: [],
    ...overrides,
  };
  return { ref: record.name, found: { kind: 'event', record } };
}

function execution(startTime: string, parameters: Record<string, string> = {}): ExecutionFacts {
  return {
    pipelineName: 'churn-train',
    startTime: new Date(startTime),
    // As SageMaker reports them: every value used, the defaults included.
    parameters: Object.entries({
      InstanceType: 'ml.m5.xlarge',
      Epochs: '10',
      InputDataUri: 's3://ml-data/',
      ...parameters,
    }).map(([name, value]) => ({ name, value })),
    defaults: [
      { name: 'InstanceType', value: 'ml.m5.xlarge' },
      { name: 'Epochs', value: '10' },
      { name: 'InputDataUri', value: 's3://ml-data/' },
    ],
  };
}

describe('what started an execution', () => {
  it('is the schedule whose occurrence it started in, with the values it passes: likely', () => {
    // 08:00 Berlin on 2 Dec is 07:00 UTC; Scheduler's precision is a minute.
    const by = attribute(execution('2026-12-02T07:00:41Z', { InstanceType: 'ml.m5.2xlarge' }), [
      schedule(),
    ]);
    expect(by).toEqual({
      kind: 'schedule',
      ref: 'nightly-retrain',
      group: 'sagemaker-pipelines',
      name: 'nightly-retrain',
      occurrence: '2026-12-02T07:00:00.000Z',
      timeZone: 'Europe/Berlin',
      likely: true,
    });
  });

  it('is not the schedule when a value differs from what it passes or from the default', () => {
    expect(attribute(execution('2026-12-02T07:00:41Z'), [schedule()])).toEqual({
      kind: 'outside',
    });
    expect(
      attribute(execution('2026-12-02T07:00:41Z', { InstanceType: 'ml.m5.2xlarge', Epochs: '3' }), [
        schedule(),
      ]),
    ).toEqual({ kind: 'outside' });
  });

  it('is certain when the schedule passes its own ARN, and not that schedule for another ARN', () => {
    const byArn = schedule({
      parameters: [{ name: 'TriggeredBy', value: '<aws.scheduler.schedule-arn>' }],
    });
    const arn = byArn.found.record.arn;
    const defaults = [{ name: 'TriggeredBy', value: 'manual' }];
    const ran = (value: string): ExecutionFacts => ({
      ...execution('2026-12-02T07:00:20Z'),
      parameters: [...execution('').parameters, { name: 'TriggeredBy', value }],
      defaults: [...execution('').defaults, ...defaults],
    });
    expect(attribute(ran(arn), [byArn])).toMatchObject({ kind: 'schedule', likely: false });
    expect(attribute(ran(`${arn}-other`), [byArn])).toEqual({ kind: 'outside' });
  });

  it('reads the occurrence back from <aws.scheduler.scheduled-time>, even a late retry', () => {
    const stamped = schedule({
      parameters: [{ name: 'RunDate', value: '<aws.scheduler.scheduled-time>' }],
      flexibleWindowMinutes: 15,
    });
    const facts: ExecutionFacts = {
      ...execution('2026-12-02T07:40:00Z'),
      parameters: [...execution('').parameters, { name: 'RunDate', value: '2026-12-02T07:00:00Z' }],
      defaults: [...execution('').defaults, { name: 'RunDate', value: 'today' }],
    };
    expect(attribute(facts, [stamped])).toMatchObject({
      kind: 'schedule',
      occurrence: '2026-12-02T07:00:00.000Z',
      likely: false,
      late: true,
    });
  });

  it('allows the flexible window, then the retry policy as late, and nothing after it', () => {
    const flexible = schedule({ flexibleWindowMinutes: 15, parameters: [] });
    expect(attribute(execution('2026-12-02T07:14:00Z'), [flexible])).not.toHaveProperty('late');
    expect(attribute(execution('2026-12-02T07:50:00Z'), [flexible])).toMatchObject({
      kind: 'schedule',
      late: true,
    });
    // An hour of retries (the bot's default maximum event age) after the window's end.
    expect(attribute(execution('2026-12-02T08:20:00Z'), [flexible])).toEqual({ kind: 'outside' });
  });

  it('prefers the certain match, then the one on time', () => {
    const sdk = schedule({
      name: 'churn-train',
      group: 'default',
      arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/churn-train',
      expression: 'cron(55 6 * * ? *)',
      timeZone: 'UTC',
      parameters: [],
    });
    const ours = schedule({ parameters: [] });
    // 07:00:30 UTC is on time for ours (07:00 UTC), late for the SDK's (06:55).
    expect(attribute(execution('2026-12-02T07:00:30Z'), [sdk, ours])).toMatchObject({
      ref: 'nightly-retrain',
    });
  });

  it('is a rule by its pipeline and values, a value read from the event matching anything', () => {
    expect(
      attribute(execution('2026-12-02T13:12:00Z', { InputDataUri: 'daily/x.csv' }), [rule()]),
    ).toEqual({ kind: 'rule', ref: 'retrain-on-upload', likely: true });
  });

  it('is a rule on a schedule by its runs in UTC', () => {
    const nightly = rule({
      name: 'nightly-console',
      eventPattern: '',
      scheduleExpression: 'cron(0 2 * * ? *)',
      targets: [
        { id: 'c', pipelineArn: PIPELINE_ARN, pipelineName: 'churn-train', parameters: [] },
      ],
    });
    expect(attribute(execution('2026-12-02T02:00:10Z'), [nightly])).toEqual({
      kind: 'rule',
      ref: 'nightly-console',
      occurrence: '2026-12-02T02:00:00.000Z',
      likely: true,
    });
  });

  it('is outside the bot otherwise, with the IAM identity SageMaker reports', () => {
    expect(
      attribute(
        {
          ...execution('2026-12-02T11:00:00Z'),
          startedByIdentity: 'arn:aws:sts::123456789012:assumed-role/DataScientist/ana',
        },
        [schedule()],
      ),
    ).toEqual({
      kind: 'outside',
      identity: 'arn:aws:sts::123456789012:assumed-role/DataScientist/ana',
    });
  });

  it('gives one occurrence one execution: a second likely claim was started outside', () => {
    const by = attribute(execution('2026-12-02T07:00:10Z', { InstanceType: 'ml.m5.2xlarge' }), [
      schedule(),
    ]);
    const runs = onePerOccurrence([
      { arn: 'b', startTime: new Date('2026-12-02T07:00:50Z'), startedBy: by },
      { arn: 'a', startTime: new Date('2026-12-02T07:00:10Z'), startedBy: by },
    ]);
    expect(runs.map((r) => [r.arn, r.startedBy.kind])).toEqual([
      ['b', 'outside'],
      ['a', 'schedule'],
    ]);
  });
});
