import { EventBridgeClient, type Target } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupEventsFromArgs } from '../../../src/scheduling/aws/event-wiring.js';
import {
  checkSetupOptions,
  eventsEndpoint,
  notificationPattern,
  SetupInputError,
} from '../../../src/scheduling/aws/event-wiring-plan.js';
import { setupEvents } from '../../../src/scheduling/aws/setup-events.js';
import { isTriggerError } from '../../../src/scheduling/errors.js';
import {
  AwsStandIn,
  awsError,
  type RecordedRequest,
  type ScriptedReply,
} from '../../support/aws-stand-in.js';

const ACCOUNT = '123456789012';
const NAME = 'pipeline-schedule-bot';
const KEY = 'k3y-0f-at-least-16-chars';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/pipeline-schedule-bot-invoke-api-destination`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:pipeline-schedule-bot-events`;
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/${NAME}`;
const CONNECTION_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:connection/${NAME}/3f1c0a52-6f1e-4c57-9d0b-2f0e6c1d9a11`;
const DESTINATION_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:api-destination/${NAME}/9b2d4e61-1a7c-4e0f-8c3b-5d6e7f8a9b0c`;
const CHURN = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:pipeline/churn-train`;
const FRAUD = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:pipeline/Fraud-Score`;
const DETAIL_TYPES = [
  'SageMaker Model Building Pipeline Execution Status Change',
  'SageMaker Model Building Pipeline Execution Step Status Change',
];

const notFound = (message: string) =>
  awsError('ResourceNotFoundException', message, { status: 400 });

/**
 * A small EventBridge behind the stand-in: Create/Put answers are remembered and Describe/List
 * answer from them, so a second run sees what the first one made.
 */
interface World {
  connection?: { ConnectionArn: string; AuthorizationType: string; ApiKeyName: string };
  destination?: Record<string, unknown>;
  rule?: Record<string, unknown>;
  targets: Target[];
}

function scriptWorld(
  standIn: AwsStandIn,
  world: World,
  overrides: Record<string, ScriptedReply> = {},
): World {
  const body = (r: RecordedRequest) => r.body as Record<string, unknown>;
  const script = {
    on(operation: string, reply: ScriptedReply) {
      standIn.on(operation, overrides[operation] ?? reply);
      return script;
    },
  };
  script
    .on('DescribeConnection', () =>
      world.connection
        ? {
            body: {
              Name: NAME,
              ConnectionArn: world.connection.ConnectionArn,
              ConnectionState: 'AUTHORIZED',
              AuthorizationType: world.connection.AuthorizationType,
              AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: world.connection.ApiKeyName } },
            },
          }
        : notFound(`Failed to describe the connection(s). Connection '${NAME}' does not exist.`),
    )
    .on('CreateConnection', () => {
      world.connection = {
        ConnectionArn: CONNECTION_ARN,
        AuthorizationType: 'API_KEY',
        ApiKeyName: 'x-api-key',
      };
      return { body: { ConnectionArn: CONNECTION_ARN, ConnectionState: 'CREATING' } };
    })
    .on('UpdateConnection', () => ({
      body: { ConnectionArn: CONNECTION_ARN, ConnectionState: 'UPDATING' },
    }))
    .on('DescribeApiDestination', () =>
      world.destination
        ? { body: { ...world.destination, ApiDestinationState: 'ACTIVE' } }
        : notFound(
            `Failed to describe the api-destination(s). An api-destination '${NAME}' does not exist.`,
          ),
    )
    .on('CreateApiDestination', (r) => {
      world.destination = { ...body(r), ApiDestinationArn: DESTINATION_ARN };
      return { body: { ApiDestinationArn: DESTINATION_ARN, ApiDestinationState: 'ACTIVE' } };
    })
    .on('UpdateApiDestination', (r) => {
      world.destination = { ...world.destination, ...body(r) };
      return { body: { ApiDestinationArn: DESTINATION_ARN, ApiDestinationState: 'ACTIVE' } };
    })
    .on('DescribeRule', () =>
      world.rule
        ? { body: { ...world.rule, Arn: RULE_ARN, EventBusName: 'default' } }
        : notFound(`Rule ${NAME} does not exist on EventBus default.`),
    )
    .on('PutRule', (r) => {
      world.rule = body(r);
      return { body: { RuleArn: RULE_ARN } };
    })
    .on('ListTargetsByRule', () => ({ body: { Targets: world.targets } }))
    .on('PutTargets', (r) => {
      for (const target of body(r).Targets as Target[]) {
        world.targets = [...world.targets.filter((t) => t.Id !== target.Id), target];
      }
      return { body: { FailedEntryCount: 0, FailedEntries: [] } };
    });
  return world;
}

function output() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    io: { stdout: (l: string) => stdout.push(l), stderr: (l: string) => stderr.push(l) },
  };
}

const urlArgs = ['--url', 'https://bot.example.com', '--api-key', KEY, '--role', ROLE_ARN];
const WRITES = new Set([
  'CreateConnection',
  'UpdateConnection',
  'CreateApiDestination',
  'UpdateApiDestination',
  'PutRule',
  'PutTargets',
  'RemoveTargets',
  'DeleteRule',
]);
const writes = (requests: RecordedRequest[]) => requests.filter((r) => WRITES.has(r.operation));

let standIn: AwsStandIn;
let client: EventBridgeClient;

beforeAll(async () => {
  standIn = await AwsStandIn.start();
  client = new EventBridgeClient(standIn.clientConfig({ maxAttempts: 1 }));
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});
beforeEach(() => standIn.reset());

describe('setup-events --url', () => {
  it('creates the connection, the API destination, the rule and its target on a first run', async () => {
    scriptWorld(standIn, { targets: [] });
    const out = output();

    const code = await setupEventsFromArgs(
      [...urlArgs, '--pipeline', CHURN, '--pipeline', FRAUD],
      out.io,
      { eventBridge: client },
    );

    expect(out.stderr).toEqual([]);
    expect(code).toBe(0);
    expect(out.stdout).toEqual([
      `created connection ${NAME}`,
      `created api destination ${NAME}`,
      `created rule ${NAME}`,
      `created target of rule ${NAME} -> ${DESTINATION_ARN}`,
    ]);
    // JSON 1.1: every call is POST / with the operation in X-Amz-Target.
    expect(standIn.requests.map((r) => r.target)).toEqual([
      'AWSEvents.DescribeConnection',
      'AWSEvents.CreateConnection',
      'AWSEvents.DescribeApiDestination',
      'AWSEvents.CreateApiDestination',
      'AWSEvents.DescribeRule',
      'AWSEvents.PutRule',
      // A rule made by this run has no targets to read.
      'AWSEvents.PutTargets',
    ]);
    const [connection, destination, rule, targets] = writes(standIn.requests).map((r) => r.body);
    expect(connection).toEqual({
      Name: NAME,
      Description: 'pipeline-schedule-bot: API key for POST /aws/events',
      AuthorizationType: 'API_KEY',
      // EventBridge sends "x-api-key: <key>" with every event, which is what the bot checks.
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: KEY } },
    });
    expect(destination).toEqual({
      Name: NAME,
      Description: 'pipeline-schedule-bot: SageMaker pipeline status events',
      ConnectionArn: CONNECTION_ARN,
      InvocationEndpoint: 'https://bot.example.com/aws/events',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
    });
    expect(rule).toEqual({
      Name: NAME,
      EventPattern: expect.any(String),
      State: 'ENABLED',
      Description: 'pipeline-schedule-bot: SageMaker pipeline status events to the bot',
    });
    expect(JSON.parse((rule as { EventPattern: string }).EventPattern)).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': DETAIL_TYPES,
      detail: {
        pipelineArn: [{ 'equals-ignore-case': CHURN }, { 'equals-ignore-case': FRAUD }],
      },
    });
    // No Input/InputPath/InputTransformer: the whole event envelope is the POST body.
    expect(targets).toEqual({
      Rule: NAME,
      Targets: [{ Id: NAME, Arn: DESTINATION_ARN, RoleArn: ROLE_ARN }],
    });
  });

  it('changes only the connection on a second run (the key cannot be read back)', async () => {
    const world = scriptWorld(standIn, { targets: [] });
    await setupEventsFromArgs(urlArgs, output().io, { eventBridge: client });
    standIn.requests.length = 0;
    const out = output();

    const code = await setupEventsFromArgs(urlArgs, out.io, { eventBridge: client });

    expect(code).toBe(0);
    expect(out.stdout).toEqual([
      `updated connection ${NAME}`,
      `unchanged api destination ${NAME}`,
      `unchanged rule ${NAME}`,
      `unchanged target of rule ${NAME} -> ${DESTINATION_ARN}`,
    ]);
    expect(writes(standIn.requests).map((r) => [r.operation, r.body])).toEqual([
      [
        'UpdateConnection',
        {
          Name: NAME,
          AuthorizationType: 'API_KEY',
          AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: KEY } },
        },
      ],
    ]);
    expect(standIn.requestsFor('ListTargetsByRule')).toHaveLength(1);
    expect(world.targets).toHaveLength(1);
  });

  it('updates what drifted: a new URL, a disabled rule, a target reshaping the event', async () => {
    scriptWorld(standIn, {
      connection: {
        ConnectionArn: CONNECTION_ARN,
        AuthorizationType: 'API_KEY',
        ApiKeyName: 'x-api-key',
      },
      destination: {
        Name: NAME,
        ApiDestinationArn: DESTINATION_ARN,
        ConnectionArn: CONNECTION_ARN,
        InvocationEndpoint: 'https://old-host.example.com/aws/events',
        HttpMethod: 'POST',
        InvocationRateLimitPerSecond: 10,
      },
      rule: {
        Name: NAME,
        EventPattern: JSON.stringify(notificationPattern()),
        State: 'DISABLED',
        Description: 'pipeline-schedule-bot: SageMaker pipeline status events to the bot',
      },
      targets: [
        { Id: 'someone-elses', Arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/x' },
        {
          Id: NAME,
          Arn: DESTINATION_ARN,
          RoleArn: ROLE_ARN,
          InputTransformer: { InputTemplate: '"<aws.events.rule-name>"' },
        },
      ],
    });
    const result = await setupEvents(client, {
      url: 'https://bot.example.com/prefix/aws/events/',
      apiKey: KEY,
      roleArn: ROLE_ARN,
    });

    expect(result.steps.map((s) => [s.kind, s.operation, s.outcome])).toEqual([
      ['connection', 'UpdateConnection', 'updated'],
      ['api destination', 'UpdateApiDestination', 'updated'],
      ['rule', 'PutRule', 'updated'],
      ['target', 'PutTargets', 'updated'],
    ]);
    expect(standIn.requestsFor('UpdateApiDestination')[0]?.body).toEqual({
      Name: NAME,
      ConnectionArn: CONNECTION_ARN,
      InvocationEndpoint: 'https://bot.example.com/prefix/aws/events',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
    });
    expect(standIn.requestsFor('PutRule')[0]?.body).toMatchObject({ State: 'ENABLED' });
    // Only our target is sent, whole: PutTargets replaces it, dropping the transformer.
    expect(standIn.requestsFor('PutTargets')[0]?.body).toEqual({
      Rule: NAME,
      Targets: [{ Id: NAME, Arn: DESTINATION_ARN, RoleArn: ROLE_ARN }],
    });
    expect(result.ruleArn).toBe(RULE_ARN);
    expect(result.queuePolicy).toBeUndefined();
  });

  it('reads a reformatted pattern as the same pattern', async () => {
    scriptWorld(standIn, {
      rule: {
        Name: NAME,
        EventPattern: `{ "detail-type" : ${JSON.stringify(DETAIL_TYPES)}, "source" : [ "aws.sagemaker" ] }`,
        State: 'ENABLED',
        Description: 'pipeline-schedule-bot: SageMaker pipeline status events to the bot',
      },
      targets: [{ Id: NAME, Arn: QUEUE_ARN }],
    });
    const result = await setupEvents(client, { queueArn: QUEUE_ARN });
    expect(result.steps.map((s) => s.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(writes(standIn.requests)).toEqual([]);
  });
});

describe('setup-events --queue', () => {
  it('targets the queue without a role and prints the queue policy the rule needs', async () => {
    scriptWorld(standIn, { targets: [] });
    const out = output();

    const code = await setupEventsFromArgs(
      ['setup-events', '--queue', QUEUE_ARN, '--pipeline', CHURN],
      out.io,
      { eventBridge: client },
    );

    expect(code).toBe(0);
    expect(standIn.requests.map((r) => r.operation)).toEqual([
      'DescribeRule',
      'PutRule',
      'PutTargets',
    ]);
    expect(standIn.requestsFor('PutTargets')[0]?.body).toEqual({
      Rule: NAME,
      Targets: [{ Id: NAME, Arn: QUEUE_ARN }],
    });
    expect(out.stdout.slice(0, 2)).toEqual([
      `created rule ${NAME}`,
      `created target of rule ${NAME} -> ${QUEUE_ARN}`,
    ]);
    const policyStart = out.stdout.indexOf('{');
    expect(out.stdout[policyStart - 1]).toMatch(/access policy must let this rule send to it/);
    expect(JSON.parse(out.stdout.slice(policyStart).join('\n'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowPipelineStatusRule',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: QUEUE_ARN,
          Condition: { ArnEquals: { 'aws:SourceArn': RULE_ARN } },
        },
      ],
    });
  });

  it('moves an existing target from the API destination to the queue', async () => {
    scriptWorld(standIn, {
      rule: {
        Name: NAME,
        EventPattern: JSON.stringify(notificationPattern()),
        State: 'ENABLED',
        Description: 'pipeline-schedule-bot: SageMaker pipeline status events to the bot',
      },
      targets: [{ Id: NAME, Arn: DESTINATION_ARN, RoleArn: ROLE_ARN }],
    });
    const result = await setupEvents(client, { queueArn: QUEUE_ARN });
    expect(result.steps).toEqual([
      { kind: 'rule', operation: 'PutRule', resource: NAME, outcome: 'unchanged' },
      { kind: 'target', operation: 'PutTargets', resource: QUEUE_ARN, outcome: 'updated' },
    ]);
    expect(standIn.requestsFor('PutTargets')[0]?.body).toEqual({
      Rule: NAME,
      Targets: [{ Id: NAME, Arn: QUEUE_ARN }],
    });
  });
});

describe('setup-events --dry-run', () => {
  it('reads but sends no write, and says what it would do', async () => {
    scriptWorld(standIn, { targets: [] });
    const out = output();

    const code = await setupEventsFromArgs([...urlArgs, '--dry-run'], out.io, {
      eventBridge: client,
    });

    expect(code).toBe(0);
    expect(standIn.requests.map((r) => r.operation)).toEqual([
      'DescribeConnection',
      'DescribeApiDestination',
      'DescribeRule',
    ]);
    expect(out.stdout).toEqual([
      `would create connection ${NAME}`,
      `would create api destination ${NAME}`,
      `would create rule ${NAME}`,
      `would create target of rule ${NAME} -> api destination ${NAME}`,
      'dry run: nothing was changed',
    ]);
  });

  it('against existing wiring: only the connection would be rewritten', async () => {
    scriptWorld(standIn, { targets: [] });
    await setupEvents(client, { url: 'https://bot.example.com', apiKey: KEY, roleArn: ROLE_ARN });
    standIn.requests.length = 0;

    const result = await setupEvents(client, {
      url: 'https://bot.example.com',
      apiKey: KEY,
      roleArn: ROLE_ARN,
      dryRun: true,
    });

    expect(result.steps.map((s) => s.outcome)).toEqual([
      'would-update',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(writes(standIn.requests)).toEqual([]);
  });

  it('with a queue, prints the policy with the rule ARN the rule will have', async () => {
    scriptWorld(standIn, { targets: [] });
    const result = await setupEvents(client, { queueArn: QUEUE_ARN, dryRun: true });
    expect(writes(standIn.requests)).toEqual([]);
    expect(result.ruleArn).toBe(RULE_ARN);
    expect(result.queuePolicy?.Statement[0]?.Condition.ArnEquals['aws:SourceArn']).toBe(RULE_ARN);
  });
});

describe('setup-events failures', () => {
  it('reports failed PutTargets entries although AWS answered 200', async () => {
    scriptWorld(
      standIn,
      { targets: [] },
      {
        PutTargets: {
          body: {
            FailedEntryCount: 1,
            FailedEntries: [
              {
                TargetId: NAME,
                ErrorCode: 'ValidationException',
                ErrorMessage: 'RoleArn is required for target arn',
              },
            ],
          },
        },
      },
    );
    const out = output();

    const code = await setupEventsFromArgs(['--queue', QUEUE_ARN], out.io, { eventBridge: client });

    expect(code).toBe(1);
    expect(out.stdout).toEqual([`created rule ${NAME}`]);
    expect(out.stderr).toEqual([
      `pipeline-schedule: EventBridge refused target ${NAME} of rule ${NAME}: ` +
        'RoleArn is required for target arn (ValidationException)',
    ]);
  });

  it('names the Secrets Manager permission CreateConnection was refused, and the policy to use', async () => {
    standIn
      .on('DescribeConnection', notFound(`Connection '${NAME}' does not exist.`))
      .on(
        'CreateConnection',
        awsError(
          'AccessDeniedException',
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice is not authorized to perform: ` +
            `secretsmanager:CreateSecret on resource: arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:events!connection/${NAME}/x`,
          { status: 400 },
        ),
      );
    const out = output();

    const code = await setupEventsFromArgs(urlArgs, out.io, { eventBridge: client });

    expect(code).toBe(1);
    expect(out.stdout).toEqual([]);
    expect(out.stderr[0]).toBe(
      "pipeline-schedule: the bot's IAM role is not allowed secretsmanager:CreateSecret",
    );
    expect(out.stderr[1]).toMatch(/deploy\/iam\/setup-events-policy\.json/);
  });

  it('names events:CreateConnection when that is what was refused', async () => {
    standIn
      .on('DescribeConnection', notFound(`Connection '${NAME}' does not exist.`))
      .on('CreateConnection', awsError('AccessDeniedException', 'Access denied', { status: 400 }));
    const error = await setupEvents(client, {
      url: 'https://bot.example.com',
      apiKey: KEY,
      roleArn: ROLE_ARN,
    }).catch((e: unknown) => e);
    expect(isTriggerError(error, 'ACCESS_DENIED')).toBe(true);
    expect((error as Error).message).toBe(
      "the bot's IAM role is not allowed events:CreateConnection",
    );
  });

  it('explains a refused iam:PassRole on the invoke role', async () => {
    scriptWorld(
      standIn,
      {
        connection: {
          ConnectionArn: CONNECTION_ARN,
          AuthorizationType: 'API_KEY',
          ApiKeyName: 'x-api-key',
        },
        targets: [],
      },
      {
        PutTargets: awsError(
          'AccessDeniedException',
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice is not authorized to perform: ` +
            `iam:PassRole on resource: ${ROLE_ARN}`,
          { status: 400 },
        ),
      },
    );
    const out = output();

    const code = await setupEventsFromArgs(urlArgs, out.io, { eventBridge: client });

    expect(code).toBe(1);
    expect(out.stderr[0]).toBe(
      `pipeline-schedule: the bot's IAM role is not allowed iam:PassRole on ${ROLE_ARN}, ` +
        'which events:PutTargets needs; allow iam:PassRole with iam:PassedToService events.amazonaws.com',
    );
  });
});

describe('setup-events input', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['neither --url nor --queue', [], /give --url .* or --queue .* and\/or --scheduler-dlq/],
    ['both', [...urlArgs, '--queue', QUEUE_ARN], /one of --url .*, not both/],
    [
      'plain http',
      ['--url', 'http://bot.example.com', '--api-key', KEY, '--role', ROLE_ARN],
      /must be https/,
    ],
    [
      'not a URL',
      ['--url', 'bot.example.com', '--api-key', KEY, '--role', ROLE_ARN],
      /is not a URL/,
    ],
    [
      'a query string',
      ['--url', 'https://bot.example.com/?a=1', '--api-key', KEY, '--role', ROLE_ARN],
      /query/,
    ],
    ['no API key', ['--url', 'https://bot.example.com', '--role', ROLE_ARN], /EVENTS_API_KEY/],
    ['no role', ['--url', 'https://bot.example.com', '--api-key', KEY], /--url needs --role/],
    [
      'a role that is not a role',
      [...urlArgs.slice(0, 4), '--role', 'PipelineRole'],
      /not an IAM role ARN/,
    ],
    ['a role with --queue', ['--queue', QUEUE_ARN, '--role', ROLE_ARN], /--role is for --url only/],
    ['a key with --queue', ['--queue', QUEUE_ARN, '--api-key', KEY], /--api-key is for --url only/],
    [
      'a queue URL instead of an ARN',
      ['--queue', 'https://sqs.us-east-1.amazonaws.com/123456789012/q'],
      /not an SQS queue ARN/,
    ],
    ['a FIFO queue', ['--queue', `${QUEUE_ARN}.fifo`], /standard queue/],
    [
      'a pipeline name instead of an ARN',
      ['--queue', QUEUE_ARN, '--pipeline', 'churn-train'],
      /not a pipeline ARN/,
    ],
    ['a bad name', ['--queue', QUEUE_ARN, '--name', 'has spaces'], /--name "has spaces"/],
    ['an unknown flag', ['--queue', QUEUE_ARN, '--bus', 'x'], /Unknown option '--bus'/],
    ['a stray argument', ['--queue', QUEUE_ARN, 'now'], /unexpected argument "now"/],
  ];

  it.each(cases)('exits 2 for %s, before any request', async (_label, argv, message) => {
    const out = output();
    const code = await setupEventsFromArgs(argv, out.io, { eventBridge: client });
    expect(code).toBe(2);
    expect(out.stderr.join('\n')).toMatch(message);
    expect(out.stderr.at(-1)).toBe("Run 'pipeline-schedule setup-events --help' for usage.");
    expect(standIn.requests).toEqual([]);
  });

  it('takes the key from the caller when --api-key is absent', async () => {
    scriptWorld(standIn, { targets: [] });
    const code = await setupEventsFromArgs(
      ['--url', 'https://bot.example.com', '--role', ROLE_ARN, '--dry-run'],
      output().io,
      { eventBridge: client },
      { apiKey: KEY },
    );
    expect(code).toBe(0);
  });

  it('refuses a pattern over the 2,048-character quota', () => {
    const many = Array.from({ length: 30 }, (_, i) => `${CHURN}-${i}`);
    expect(checkSetupOptions({ queueArn: QUEUE_ARN, pipelineArns: many }).join()).toMatch(
      /over EventBridge's 2048/,
    );
  });

  it('prints usage for --help', async () => {
    const out = output();
    expect(await setupEventsFromArgs(['--help'], out.io, { eventBridge: client })).toBe(0);
    expect(out.stdout[0]).toMatch(/^Usage:/);
  });

  it('setupEvents throws SetupInputError for unusable options and sends nothing', async () => {
    const error = await setupEvents(client, { url: 'https://x.example.com' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SetupInputError);
    expect((error as SetupInputError).problems).toHaveLength(2);
    expect(standIn.requests).toEqual([]);
  });
});

describe('eventsEndpoint and notificationPattern', () => {
  it.each([
    ['https://bot.example.com', 'https://bot.example.com/aws/events'],
    ['https://bot.example.com/', 'https://bot.example.com/aws/events'],
    ['https://bot.example.com/aws/events', 'https://bot.example.com/aws/events'],
    ['https://bot.example.com/slack-bot', 'https://bot.example.com/slack-bot/aws/events'],
    ['https://bot.example.com:8443/aws/events/', 'https://bot.example.com:8443/aws/events'],
  ])('%s → %s', (url, endpoint) => {
    expect(eventsEndpoint(url)).toEqual({ ok: true, url: endpoint });
  });

  it('matches every pipeline without --pipeline, and de-duplicates ARNs ignoring case', () => {
    expect(notificationPattern()).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': DETAIL_TYPES,
    });
    expect(notificationPattern([FRAUD, FRAUD.toLowerCase()])).toEqual({
      source: ['aws.sagemaker'],
      'detail-type': DETAIL_TYPES,
      detail: { pipelineArn: [{ 'equals-ignore-case': FRAUD }] },
    });
  });
});
