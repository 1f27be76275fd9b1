import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsPipelines } from '../../../src/scheduling/aws/pipelines.js';
import { AwsRules } from '../../../src/scheduling/aws/rules.js';
import { AwsSchedules } from '../../../src/scheduling/aws/schedules.js';
import type { TriggerError } from '../../../src/scheduling/errors.js';
import { DEFAULT_RETRY_POLICY, type ScheduleTrigger } from '../../../src/scheduling/triggers.js';
import { AwsStandIn, awsError, failure, type StandInReply } from '../../support/aws-stand-in.js';

/**
 * Every error mapping, through the real clients: AWS's status, header and body in, the
 * TriggerError a person and an operator see out.
 */

const ROLE_ARN = 'arn:aws:iam::123456789012:role/PipelineSchedulerProd';
const GROUP = 'sagemaker-pipelines';
const schedule: ScheduleTrigger = {
  kind: 'schedule',
  name: 'churn-daily',
  group: GROUP,
  pipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train',
  pipelineName: 'churn-train',
  expression: 'cron(0 8 * * ? *)',
  timeZone: 'UTC',
  state: 'ENABLED',
  roleArn: ROLE_ARN,
  parameters: [],
  retryPolicy: DEFAULT_RETRY_POLICY,
  deleteAfterCompletion: false,
};

let standIn: AwsStandIn;
let clients: { scheduler: SchedulerClient; events: EventBridgeClient; sagemaker: SageMakerClient };
let schedules: AwsSchedules;
let rules: AwsRules;
let pipelines: AwsPipelines;

beforeAll(async () => {
  standIn = await AwsStandIn.start();
  const config = standIn.clientConfig({ maxAttempts: 1 });
  clients = {
    scheduler: new SchedulerClient(config),
    events: new EventBridgeClient(config),
    sagemaker: new SageMakerClient(config),
  };
  schedules = new AwsSchedules(clients.scheduler);
  rules = new AwsRules(clients.events);
  pipelines = new AwsPipelines(clients.sagemaker);
});
afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await standIn.close();
});
beforeEach(() => standIn.reset());

const createSchedule = () => schedules.create(schedule, 'token-1');
const putRule = () =>
  rules.put({
    kind: 'event',
    name: 'new-data',
    eventPattern: '{"source":["aws.s3"]}',
    state: 'ENABLED',
    roleArn: ROLE_ARN,
    targets: [],
  });
const startRun = () =>
  pipelines.start({
    pipelineName: 'churn-train',
    parameters: [],
    clientToken: 'run-00000000-0000-0000-0000-000000000001',
  });

const cases: {
  name: string;
  operation: string;
  reply: StandInReply;
  call: () => Promise<unknown>;
  code: TriggerError['code'];
  message: string;
}[] = [
  {
    name: 'Scheduler ResourceNotFoundException',
    operation: 'GetSchedule',
    reply: awsError('ResourceNotFoundException', 'Schedule churn-daily does not exist.', {
      status: 404,
    }),
    call: () => schedules.get(GROUP, 'churn-daily'),
    code: 'NOT_FOUND',
    message: 'schedule churn-daily was not found in group sagemaker-pipelines',
  },
  {
    name: 'SageMaker ResourceNotFound',
    operation: 'StartPipelineExecution',
    reply: awsError('ResourceNotFound', 'Pipeline churn-train does not exist.', {
      status: 400,
      via: 'body',
    }),
    call: startRun,
    code: 'NOT_FOUND',
    message: 'pipeline churn-train was not found',
  },
  {
    name: 'ConflictException on create',
    operation: 'CreateSchedule',
    reply: awsError('ConflictException', 'Schedule churn-daily already exists.', { status: 409 }),
    call: createSchedule,
    code: 'ALREADY_EXISTS',
    message: 'a schedule named churn-daily already exists in group sagemaker-pipelines',
  },
  {
    name: 'Scheduler ValidationException',
    operation: 'CreateSchedule',
    reply: awsError('ValidationException', 'Invalid Schedule Expression cron(0 8 * * * *).', {
      status: 400,
      messageKey: 'Message',
    }),
    call: createSchedule,
    code: 'VALIDATION',
    message: 'Invalid Schedule Expression cron(0 8 * * * *).',
  },
  {
    name: 'EventBridge InvalidEventPatternException',
    operation: 'PutRule',
    reply: awsError('InvalidEventPatternException', 'Event pattern is not valid.', {
      status: 400,
      via: 'body',
    }),
    call: putRule,
    code: 'VALIDATION',
    message: 'Event pattern is not valid.',
  },
  {
    name: 'EventBridge unmodelled ValidationException',
    operation: 'PutRule',
    reply: awsError('ValidationException', 'Parameter ScheduleExpression is not valid.', {
      status: 400,
    }),
    call: putRule,
    code: 'VALIDATION',
    message: 'Parameter ScheduleExpression is not valid.',
  },
  {
    name: 'EventBridge TooManyRequestsException',
    operation: 'PutRule',
    reply: awsError('TooManyRequestsException', 'Rate exceeded', { status: 400 }),
    call: putRule,
    code: 'THROTTLED',
    message: 'AWS is throttling requests; try again in a minute',
  },
  {
    name: 'a bare 429',
    operation: 'StartPipelineExecution',
    reply: { status: 429, body: {} },
    call: startRun,
    code: 'THROTTLED',
    message: 'AWS is throttling requests; try again in a minute',
  },
  {
    name: 'AccessDeniedException',
    operation: 'CreateSchedule',
    reply: awsError(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/bot/i-0abc is not authorized to perform: scheduler:CreateSchedule on resource: arn:aws:scheduler:us-east-1:123456789012:schedule/sagemaker-pipelines/churn-daily',
      { status: 403 },
    ),
    call: createSchedule,
    code: 'ACCESS_DENIED',
    message: "the bot's IAM role is not allowed scheduler:CreateSchedule",
  },
  {
    name: 'AccessDeniedException without the action in the message',
    operation: 'ListPipelines',
    reply: awsError('AccessDeniedException', 'Access denied', { status: 400 }),
    call: () => pipelines.list({}),
    code: 'ACCESS_DENIED',
    message: "the bot's IAM role is not allowed sagemaker:ListPipelines",
  },
  {
    name: 'AccessDeniedException for iam:PassRole',
    operation: 'CreateSchedule',
    reply: awsError(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/bot/i-0abc is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/PipelineSchedulerProd',
      { status: 403 },
    ),
    call: createSchedule,
    code: 'ACCESS_DENIED',
    message:
      "the bot's IAM role is not allowed iam:PassRole on arn:aws:iam::123456789012:role/PipelineSchedulerProd, " +
      'which scheduler:CreateSchedule needs; allow iam:PassRole with iam:PassedToService scheduler.amazonaws.com',
  },
  {
    name: 'expired credentials',
    operation: 'ListRules',
    reply: awsError(
      'ExpiredTokenException',
      'The security token included in the request is expired',
      {
        status: 400,
      },
    ),
    call: () => rules.list({}),
    code: 'ACCESS_DENIED',
    message:
      "AWS refused the bot's credentials (ExpiredTokenException); check the AWS credentials the bot runs with",
  },
  {
    name: 'ServiceQuotaExceededException (HTTP 402)',
    operation: 'CreateSchedule',
    reply: awsError('ServiceQuotaExceededException', 'Schedule quota exceeded.', { status: 402 }),
    call: createSchedule,
    code: 'LIMIT_EXCEEDED',
    message:
      'EventBridge Scheduler limit reached for schedule churn-daily: Schedule quota exceeded.',
  },
  {
    name: 'EventBridge LimitExceededException',
    operation: 'PutRule',
    reply: awsError(
      'LimitExceededException',
      'The requested resource exceeds the maximum number allowed.',
      {
        status: 400,
      },
    ),
    call: putRule,
    code: 'LIMIT_EXCEEDED',
    message:
      'EventBridge limit reached for rule new-data: The requested resource exceeds the maximum number allowed.',
  },
  {
    name: 'an unexpected error',
    operation: 'GetSchedule',
    reply: awsError('InternalServerException', 'Unexpected error.', { status: 500 }),
    call: () => schedules.get(GROUP, 'churn-daily'),
    code: 'UNAVAILABLE',
    message:
      'EventBridge Scheduler failed GetSchedule (InternalServerException, HTTP 500); ref req-1',
  },
];

describe('AWS errors become TriggerErrors', () => {
  it.each(cases)('$name → $code', async ({ operation, reply, call, code, message }) => {
    standIn.on(operation, reply);
    const error = await failure(call());
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.context).toMatchObject({ operation, requestId: 'req-1' });
    expect(error.context.resource).toEqual(expect.any(String));
  });

  it('lets the SDK retry a ThrottlingException (3 attempts) before reporting THROTTLED', async () => {
    const retrying = new SchedulerClient(standIn.clientConfig());
    try {
      standIn.on('GetSchedule', awsError('ThrottlingException', 'Rate exceeded', { status: 429 }));
      const error = await failure(new AwsSchedules(retrying).get(GROUP, 'churn-daily'));
      expect(error.code).toBe('THROTTLED');
      expect(error.message).toBe('AWS is throttling requests; try again in a minute');
      expect(error.context).toMatchObject({ attempts: 3, requestId: 'req-3' });
      expect(standIn.requestsFor('GetSchedule')).toHaveLength(3);
    } finally {
      retrying.destroy();
    }
  });

  it('reports an endpoint that does not answer as UNAVAILABLE', async () => {
    const closed = await AwsStandIn.start();
    await closed.close();
    const unreachable = new SageMakerClient(closed.clientConfig({ maxAttempts: 1 }));
    try {
      const error = await failure(new AwsPipelines(unreachable).describe('churn-train'));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toMatch(/^could not reach SageMaker for DescribePipeline: /);
      expect(error.context).toMatchObject({ operation: 'DescribePipeline' });
    } finally {
      unreachable.destroy();
    }
  });
});

describe('counting failed AWS calls', () => {
  it('reports each failed call to the metrics port it was given, by service and code', async () => {
    const counted: string[] = [];
    const counting = new AwsSchedules(clients.scheduler, {
      triggerChanged: () => {},
      awsCallFailed: (service, code) => counted.push(`${service} ${code}`),
    });
    standIn.on('GetSchedule', awsError('ThrottlingException', 'Rate exceeded', { status: 429 }));
    expect((await failure(counting.get(GROUP, 'churn-daily'))).code).toBe('THROTTLED');
    expect(counted).toEqual(['scheduler THROTTLED']);
  });
});
