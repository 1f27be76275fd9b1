import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsSchedules } from '../../../src/scheduling/aws/schedules.js';
import { DEFAULT_RETRY_POLICY, type ScheduleTrigger } from '../../../src/scheduling/triggers.js';
import { AwsStandIn, awsError, failure } from '../../support/aws-stand-in.js';

const PIPELINE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/PipelineSchedulerDev';
const SCHEDULE_ARN =
  'arn:aws:scheduler:us-east-1:123456789012:schedule/sagemaker-pipelines/churn-daily';
const GROUP = 'sagemaker-pipelines';

function trigger(overrides: Partial<ScheduleTrigger> = {}): ScheduleTrigger {
  return {
    kind: 'schedule',
    name: 'churn-daily',
    group: GROUP,
    pipelineArn: PIPELINE_ARN,
    pipelineName: 'churn-train',
    expression: 'cron(0 8 ? * MON-FRI *)',
    timeZone: 'Europe/Berlin',
    state: 'ENABLED',
    roleArn: ROLE_ARN,
    parameters: [],
    retryPolicy: DEFAULT_RETRY_POLICY,
    deleteAfterCompletion: false,
    ...overrides,
  };
}

let standIn: AwsStandIn;
let client: SchedulerClient;
let schedules: AwsSchedules;

beforeAll(async () => {
  standIn = await AwsStandIn.start();
  client = new SchedulerClient(standIn.clientConfig({ maxAttempts: 1 }));
  schedules = new AwsSchedules(client);
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});
beforeEach(() => standIn.reset());

describe('create', () => {
  it('sends the templated SageMaker target with every field, group and client token', async () => {
    standIn.on('CreateSchedule', { body: { ScheduleArn: SCHEDULE_ARN } });
    const result = await schedules.create(
      trigger({
        parameters: [
          { name: 'InstanceType', value: 'ml.m5.xlarge' },
          { name: 'scheduled_time', value: '<aws.scheduler.scheduled-time>' },
        ],
        start: new Date('2026-12-01T00:00:00Z'),
        end: new Date('2027-06-30T00:00:00Z'),
        flexibleWindowMinutes: 15,
        description: 'retrain churn every weekday',
        deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq',
      }),
      'req-42-create',
    );

    expect(result).toEqual({ arn: SCHEDULE_ARN });
    const [request] = standIn.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/schedules/churn-daily' });
    expect(request?.body).toEqual({
      GroupName: GROUP,
      ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      // REST-JSON timestamps travel as epoch seconds.
      StartDate: Date.parse('2026-12-01T00:00:00Z') / 1000,
      EndDate: Date.parse('2027-06-30T00:00:00Z') / 1000,
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      State: 'ENABLED',
      Description: 'retrain churn every weekday',
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: PIPELINE_ARN,
        RoleArn: ROLE_ARN,
        SageMakerPipelineParameters: {
          PipelineParameterList: [
            { Name: 'InstanceType', Value: 'ml.m5.xlarge' },
            { Name: 'scheduled_time', Value: '<aws.scheduler.scheduled-time>' },
          ],
        },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq' },
      },
      ClientToken: 'req-42-create',
    });
  });

  it('keeps SageMakerPipelineParameters when there are no parameters, and sends OFF and DELETE', async () => {
    standIn.on('CreateSchedule', { body: { ScheduleArn: SCHEDULE_ARN } });
    await schedules.create(
      trigger({ expression: 'at(2026-12-24T09:00:00)', deleteAfterCompletion: true }),
      'token-2',
    );

    expect(standIn.requests[0]?.body).toEqual({
      GroupName: GROUP,
      ScheduleExpression: 'at(2026-12-24T09:00:00)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: PIPELINE_ARN,
        RoleArn: ROLE_ARN,
        SageMakerPipelineParameters: {},
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
      },
      ClientToken: 'token-2',
    });
  });

  it('turns ConflictException into ALREADY_EXISTS naming schedule and group', async () => {
    standIn.on(
      'CreateSchedule',
      awsError('ConflictException', 'Schedule churn-daily already exists.', { status: 409 }),
    );
    const error = await failure(schedules.create(trigger(), 'token-3'));
    expect(error.code).toBe('ALREADY_EXISTS');
    expect(error.message).toBe(
      'a schedule named churn-daily already exists in group sagemaker-pipelines',
    );
    expect(error.context).toMatchObject({
      operation: 'CreateSchedule',
      resource: 'schedule sagemaker-pipelines/churn-daily',
      requestId: 'req-1',
    });
  });

  it('says the group is missing when CreateSchedule answers ResourceNotFoundException', async () => {
    standIn.on(
      'CreateSchedule',
      awsError('ResourceNotFoundException', 'Schedule group sagemaker-pipelines does not exist.', {
        status: 404,
      }),
    );
    const error = await failure(schedules.create(trigger(), 'token-4'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('schedule group sagemaker-pipelines was not found');
  });
});

describe('get', () => {
  it('asks for the schedule in its group and maps every field back', async () => {
    standIn.on('GetSchedule', {
      body: {
        Arn: SCHEDULE_ARN,
        Name: 'churn-daily',
        GroupName: GROUP,
        ScheduleExpression: 'rate(5 minutes)',
        ScheduleExpressionTimezone: 'America/New_York',
        StartDate: 1_796_083_200,
        EndDate: 1_811_980_800,
        State: 'DISABLED',
        Description: 'every five minutes',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
        Target: {
          Arn: PIPELINE_ARN,
          RoleArn: ROLE_ARN,
          SageMakerPipelineParameters: {
            PipelineParameterList: [{ Name: 'Epochs', Value: '20' }],
          },
          RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
        },
        ActionAfterCompletion: 'DELETE',
        CreationDate: 1_790_000_000,
        LastModificationDate: 1_790_000_600.5,
      },
    });

    const record = await schedules.get(GROUP, 'churn-daily');

    expect(standIn.requests[0]).toMatchObject({
      method: 'GET',
      path: '/schedules/churn-daily',
      query: { groupName: GROUP },
    });
    expect(record).toEqual({
      kind: 'schedule',
      // The whole document rides along for the write back (schedule-document.test.ts).
      held: expect.objectContaining({ Name: 'churn-daily', GroupName: GROUP }),
      arn: SCHEDULE_ARN,
      name: 'churn-daily',
      group: GROUP,
      pipelineArn: PIPELINE_ARN,
      pipelineName: 'churn-train',
      expression: 'rate(5 minutes)',
      timeZone: 'America/New_York',
      start: new Date(1_796_083_200_000),
      end: new Date(1_811_980_800_000),
      flexibleWindowMinutes: 10,
      state: 'DISABLED',
      roleArn: ROLE_ARN,
      parameters: [{ name: 'Epochs', value: '20' }],
      description: 'every five minutes',
      retryPolicy: { maximumEventAgeSeconds: 600, maximumRetryAttempts: 2 },
      deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:dlq',
      deleteAfterCompletion: true,
      createdAt: new Date(1_790_000_000_000),
      modifiedAt: new Date(1_790_000_600_500),
    });
  });

  it('reads a minimal schedule: UTC, window OFF, no parameters, AWS retry defaults', async () => {
    standIn.on('GetSchedule', {
      body: {
        Arn: SCHEDULE_ARN,
        Name: 'churn-daily',
        GroupName: GROUP,
        ScheduleExpression: 'cron(0 8 * * ? *)',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: PIPELINE_ARN, RoleArn: ROLE_ARN },
      },
    });

    const record = await schedules.get(GROUP, 'churn-daily');

    expect(record).toEqual({
      kind: 'schedule',
      // The whole document rides along for the write back (schedule-document.test.ts).
      held: expect.objectContaining({ Name: 'churn-daily', GroupName: GROUP }),
      arn: SCHEDULE_ARN,
      name: 'churn-daily',
      group: GROUP,
      pipelineArn: PIPELINE_ARN,
      pipelineName: 'churn-train',
      expression: 'cron(0 8 * * ? *)',
      timeZone: 'UTC',
      state: 'ENABLED',
      roleArn: ROLE_ARN,
      parameters: [],
      retryPolicy: { maximumEventAgeSeconds: 86_400, maximumRetryAttempts: 185 },
      deleteAfterCompletion: false,
    });
  });

  it('turns ResourceNotFoundException into NOT_FOUND naming schedule and group', async () => {
    standIn.on(
      'GetSchedule',
      awsError('ResourceNotFoundException', 'Schedule churn-daily does not exist.', {
        status: 404,
        via: 'header',
      }),
    );
    const error = await failure(schedules.get(GROUP, 'churn-daily'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('schedule churn-daily was not found in group sagemaker-pipelines');
    expect(error.context).toMatchObject({
      service: 'scheduler',
      operation: 'GetSchedule',
      resource: 'schedule sagemaker-pipelines/churn-daily',
      requestId: 'req-1',
      httpStatusCode: 404,
    });
  });
});

describe('update', () => {
  it('resends every field with PUT, including the client token', async () => {
    standIn.on('UpdateSchedule', { body: { ScheduleArn: SCHEDULE_ARN } });
    await schedules.update(
      trigger({
        state: 'DISABLED',
        timeZone: 'UTC',
        parameters: [{ name: 'Epochs', value: '5' }],
        end: new Date('2027-01-01T00:00:00Z'),
        description: 'paused over the holidays',
        retryPolicy: { maximumEventAgeSeconds: 7200, maximumRetryAttempts: 0 },
      }),
      'token-update-1',
    );

    const [request] = standIn.requests;
    expect(request).toMatchObject({ method: 'PUT', path: '/schedules/churn-daily' });
    expect(request?.body).toEqual({
      GroupName: GROUP,
      ScheduleExpression: 'cron(0 8 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'UTC',
      EndDate: Date.parse('2027-01-01T00:00:00Z') / 1000,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'DISABLED',
      Description: 'paused over the holidays',
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: PIPELINE_ARN,
        RoleArn: ROLE_ARN,
        SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'Epochs', Value: '5' }] },
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 0 },
      },
      ClientToken: 'token-update-1',
    });
  });

  it('keeps AWS validation messages word for word', async () => {
    standIn.on(
      'UpdateSchedule',
      awsError('ValidationException', 'Invalid Schedule Expression cron(0 8 * * * *).', {
        status: 400,
        messageKey: 'Message',
      }),
    );
    const error = await failure(schedules.update(trigger(), 'token-update-2'));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe('Invalid Schedule Expression cron(0 8 * * * *).');
  });

  it('turns ConflictException outside a create into CONFLICT', async () => {
    standIn.on(
      'UpdateSchedule',
      awsError('ConflictException', 'Another request is updating this schedule.', {
        status: 409,
      }),
    );
    const error = await failure(schedules.update(trigger(), 'token-update-3'));
    expect(error.code).toBe('CONFLICT');
  });
});

describe('delete', () => {
  it('sends DELETE with the group and the client token in the query', async () => {
    standIn.on('DeleteSchedule', { body: {} });
    await schedules.delete(GROUP, 'churn-daily', 'token-delete-1');
    expect(standIn.requests).toEqual([
      expect.objectContaining({
        operation: 'DeleteSchedule',
        method: 'DELETE',
        path: '/schedules/churn-daily',
        query: { groupName: GROUP, clientToken: 'token-delete-1' },
      }),
    ]);
  });

  it('reports a missing schedule as NOT_FOUND', async () => {
    standIn.on(
      'DeleteSchedule',
      awsError('ResourceNotFoundException', 'Schedule churn-daily does not exist.', {
        status: 404,
      }),
    );
    const error = await failure(schedules.delete(GROUP, 'churn-daily', 'token-delete-2'));
    expect(error.code).toBe('NOT_FOUND');
  });
});

describe('list', () => {
  const summary = (name: string) => ({
    Arn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${GROUP}/${name}`,
    Name: name,
    GroupName: GROUP,
    State: name.endsWith('paused') ? 'DISABLED' : 'ENABLED',
    CreationDate: 1_790_000_000,
    LastModificationDate: 1_790_000_000,
    Target: { Arn: PIPELINE_ARN },
  });

  it('follows NextToken across pages when no page size is asked for', async () => {
    standIn.on(
      'ListSchedules',
      { body: { Schedules: [summary('churn-a'), summary('churn-b')], NextToken: 'page-2' } },
      { body: { Schedules: [], NextToken: 'page-3' } },
      { body: { Schedules: [summary('churn-paused')] } },
    );

    const page = await schedules.list({ group: GROUP, namePrefix: 'churn-' });

    expect(page).toEqual({
      items: [
        {
          name: 'churn-a',
          group: GROUP,
          arn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${GROUP}/churn-a`,
          state: 'ENABLED',
          targetArn: PIPELINE_ARN,
          // LastModificationDate: the watch reads a schedule again only when it moved.
          modifiedAt: new Date(1_790_000_000_000),
        },
        expect.objectContaining({ name: 'churn-b' }),
        expect.objectContaining({ name: 'churn-paused', state: 'DISABLED' }),
      ],
    });
    expect(standIn.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['GET', '/schedules', { ScheduleGroup: GROUP, NamePrefix: 'churn-', MaxResults: '100' }],
      [
        'GET',
        '/schedules',
        { ScheduleGroup: GROUP, NamePrefix: 'churn-', MaxResults: '100', NextToken: 'page-2' },
      ],
      [
        'GET',
        '/schedules',
        { ScheduleGroup: GROUP, NamePrefix: 'churn-', MaxResults: '100', NextToken: 'page-3' },
      ],
    ]);
  });

  it('fills a page of maxResults and hands back the token to resume from', async () => {
    standIn.on(
      'ListSchedules',
      { body: { Schedules: [summary('a')], NextToken: 't1' } },
      { body: { Schedules: [summary('b'), summary('c')], NextToken: 't2' } },
    );

    const page = await schedules.list({ group: GROUP, maxResults: 3, nextToken: 't0' });

    expect(page.items.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(page.nextToken).toBe('t2');
    expect(standIn.requests.map((r) => r.query)).toEqual([
      { ScheduleGroup: GROUP, MaxResults: '3', NextToken: 't0' },
      { ScheduleGroup: GROUP, MaxResults: '2', NextToken: 't1' },
    ]);
  });
});

describe('ensureGroup', () => {
  it('does nothing more when GetScheduleGroup finds the group', async () => {
    standIn.on('GetScheduleGroup', {
      body: {
        Arn: `arn:aws:scheduler:us-east-1:123456789012:schedule-group/${GROUP}`,
        Name: GROUP,
        State: 'ACTIVE',
      },
    });
    await schedules.ensureGroup(GROUP);
    expect(standIn.requests.map((r) => [r.operation, r.method, r.path])).toEqual([
      ['GetScheduleGroup', 'GET', `/schedule-groups/${GROUP}`],
    ]);
  });

  it('creates a missing group, and a ConflictException (created meanwhile) is fine', async () => {
    standIn
      .on(
        'GetScheduleGroup',
        awsError('ResourceNotFoundException', 'Schedule group not found.', { status: 404 }),
      )
      .on(
        'CreateScheduleGroup',
        awsError('ConflictException', 'Schedule group already exists.', { status: 409 }),
      );
    await schedules.ensureGroup(GROUP);
    const create = standIn.requestsFor('CreateScheduleGroup');
    expect(create).toHaveLength(1);
    expect(create[0]).toMatchObject({ method: 'POST', path: `/schedule-groups/${GROUP}` });
    // The SDK fills the idempotency token itself.
    expect(create[0]?.body).toEqual({ ClientToken: expect.any(String) });
  });

  it('refuses a group that is being deleted', async () => {
    standIn.on('GetScheduleGroup', { body: { Name: GROUP, State: 'DELETING' } });
    const error = await failure(schedules.ensureGroup(GROUP));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(
      'schedule group sagemaker-pipelines is being deleted; try again later',
    );
  });

  it('passes other errors through', async () => {
    standIn
      .on('GetScheduleGroup', awsError('ResourceNotFoundException', 'nope', { status: 404 }))
      .on(
        'CreateScheduleGroup',
        awsError('ServiceQuotaExceededException', 'Schedule group quota reached.', {
          status: 402,
        }),
      );
    const error = await failure(schedules.ensureGroup(GROUP));
    expect(error.code).toBe('LIMIT_EXCEEDED');
  });
});
