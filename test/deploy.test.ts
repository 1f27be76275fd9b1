import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';
import {
  API_KEY_HEADER,
  EVENTS_PATH,
  INVOCATION_RATE_LIMIT,
  notificationPattern,
  PIPELINE_DETAIL_TYPES,
  queuePolicyFor,
} from '../src/scheduling/aws/event-wiring-plan.js';

/**
 * deploy/: the CloudFormation template and the standalone IAM documents. Pins least privilege
 * (no wildcard actions, PassRole only towards one service), the trust policies, that every AWS
 * call in src/ has its permission, and that the template wires events the way setup-events does.
 */

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
/** What setup-events sends, under its own credentials (deploy/iam/setup-events-policy.json). */
const WIRING_FILES = new Set([
  'src/scheduling/aws/setup-events.ts',
  'src/scheduling/aws/setup-dead-letters.ts',
]);

// ---- CloudFormation YAML: the short-form intrinsics as plain long-form objects ----------

const INTRINSICS = [
  'Ref',
  'Condition',
  'Sub',
  'GetAtt',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'ImportValue',
  'GetAZs',
  'Cidr',
];

const cfnTags: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    {
      tag: `!${name}`,
      // !GetAtt Resource.Attribute is the short form of [Resource, Attribute].
      resolve: (value: string) => ({
        [key]:
          name === 'GetAtt'
            ? [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)]
            : value,
      }),
    } satisfies ScalarTag,
    { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
  ];
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Template {
  Parameters: Record<string, JsonObject>;
  Conditions: Record<string, Json>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: JsonObject }>;
  Outputs: Record<string, JsonObject>;
}

const template = parse(readFileSync(join(ROOT, 'deploy/cloudformation.yml'), 'utf8'), {
  customTags: cfnTags,
}) as Template;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Fn::If resolved for one set of condition values; AWS::NoValue removed. */
const NO_VALUE = Symbol('AWS::NoValue');
function evaluate(node: Json, conditions: Record<string, boolean>): Json {
  const walk = (value: Json): Json | typeof NO_VALUE => {
    if (Array.isArray(value)) {
      return value.map(walk).filter((v): v is Json => v !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    if (value.Ref === 'AWS::NoValue') return NO_VALUE;
    const fnIf = value['Fn::If'];
    if (Array.isArray(fnIf)) {
      const [name, whenTrue, whenFalse] = fnIf as [string, Json, Json];
      const holds = conditions[name];
      if (holds === undefined) throw new Error(`no value for condition ${name}`);
      return walk(holds ? whenTrue : whenFalse);
    }
    const entries = Object.entries(value)
      .map(([k, v]) => [k, walk(v)] as const)
      .filter((entry): entry is readonly [string, Json] => entry[1] !== NO_VALUE);
    return Object.fromEntries(entries);
  };
  const result = walk(node);
  return result === NO_VALUE ? null : result;
}

/**
 * The two ways to deploy, with every other choice flipped between them, and the one with all
 * (the shape deploy/iam documents).
 */
const CONFIGS = {
  apiDestination: {
    UseApiDestination: true,
    UseQueue: false,
    CreateSchedulerDlq: true,
    AllPipelines: true,
    AttachToBotRole: true,
  },
  queue: {
    UseApiDestination: false,
    UseQueue: true,
    CreateSchedulerDlq: false,
    AllPipelines: false,
    AttachToBotRole: false,
  },
  queueWithDlq: {
    UseApiDestination: false,
    UseQueue: true,
    CreateSchedulerDlq: true,
    AllPipelines: false,
    AttachToBotRole: false,
  },
} satisfies Record<string, Record<string, boolean>>;
type ConfigName = keyof typeof CONFIGS;

/** The resources a configuration creates, with Fn::If resolved. */
function resourcesFor(
  config: ConfigName,
): Record<string, { Type: string; Properties: JsonObject }> {
  const conditions = CONFIGS[config];
  const out: Record<string, { Type: string; Properties: JsonObject }> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (
      resource.Condition !== undefined &&
      !conditions[resource.Condition as keyof typeof conditions]
    ) {
      continue;
    }
    out[id] = {
      Type: resource.Type,
      Properties: evaluate(resource.Properties, conditions) as JsonObject,
    };
  }
  return out;
}

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: unknown;
  Principal?: { Service?: string };
  Resource?: Json;
  Condition?: Record<string, Record<string, Json>>;
}
interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

/** Every policy document in the template for one configuration, named by where it sits. */
function templatePolicies(config: ConfigName): Map<string, PolicyDocument> {
  const docs = new Map<string, PolicyDocument>();
  for (const [id, { Type, Properties }] of Object.entries(resourcesFor(config))) {
    if (Type === 'AWS::IAM::Role') {
      docs.set(`${id} trust`, Properties.AssumeRolePolicyDocument as unknown as PolicyDocument);
      for (const policy of (Properties.Policies ?? []) as JsonObject[]) {
        docs.set(`${id} ${policy.PolicyName}`, policy.PolicyDocument as unknown as PolicyDocument);
      }
    }
    if (Type === 'AWS::IAM::ManagedPolicy' || Type === 'AWS::SQS::QueuePolicy') {
      docs.set(id, Properties.PolicyDocument as unknown as PolicyDocument);
    }
  }
  return docs;
}

const IAM_DIR = join(ROOT, 'deploy/iam');
const jsonPolicies = new Map<string, PolicyDocument>(
  readdirSync(IAM_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(IAM_DIR, f), 'utf8')) as PolicyDocument]),
);
const jsonPolicy = (file: string): PolicyDocument => {
  const doc = jsonPolicies.get(file);
  if (!doc) throw new Error(`deploy/iam/${file} is missing`);
  return doc;
};

function allPolicies(): Array<[string, PolicyDocument]> {
  return [
    ...[...templatePolicies('apiDestination')].map(
      ([k, v]) => [`cfn(api) ${k}`, v] as [string, PolicyDocument],
    ),
    ...[...templatePolicies('queue')].map(
      ([k, v]) => [`cfn(queue) ${k}`, v] as [string, PolicyDocument],
    ),
    ...[...jsonPolicies].map(([k, v]) => [`deploy/iam/${k}`, v] as [string, PolicyDocument]),
  ];
}

/** Writes `$[X]` for CloudFormation's `${X}`, which reads like a JavaScript placeholder. */
const cfnSub = (text: string) =>
  text.replace(/\$\[([^\]]+)\]/g, (_, name: string) => `\${${name}}`);

const actionsOf = (s: Statement): string[] =>
  s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action];

function allowed(doc: PolicyDocument): Set<string> {
  return new Set(doc.Statement.filter((s) => s.Effect === 'Allow').flatMap(actionsOf));
}

function templatePolicy(config: ConfigName, name: string): PolicyDocument {
  const doc = templatePolicies(config).get(name);
  if (!doc) throw new Error(`no policy ${name} in the template (${config})`);
  return doc;
}

// ---- The AWS calls the code makes ------------------------------------------------------

/** IAM service prefix of each SDK v3 client package. */
const CLIENT_PREFIX: Record<string, string> = {
  scheduler: 'scheduler',
  eventbridge: 'events',
  sagemaker: 'sagemaker',
  sqs: 'sqs',
  iam: 'iam',
};

/** SQS authorizes a batch call with the single-message action (no sqs:DeleteMessageBatch). */
const BATCH_ACTIONS: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `new XCommand(` in src/, as IAM actions, by the client package each command comes from. */
function awsCalls(): Array<{ file: string; action: string }> {
  const calls: Array<{ file: string; action: string }> = [];
  for (const path of sourceFiles(SRC)) {
    const text = readFileSync(path, 'utf8');
    const file = relative(ROOT, path);
    const origins = new Map<string, string>();
    for (const m of text.matchAll(
      /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g,
    )) {
      for (const name of (m[1] ?? '').split(',')) {
        origins.set(name.replace(/^\s*type\s+/, '').trim(), m[2] ?? '');
      }
    }
    for (const m of text.matchAll(/new\s+(\w+)Command\(/g)) {
      const operation = m[1] ?? '';
      const client = origins.get(`${operation}Command`);
      if (client === undefined)
        throw new Error(`${file}: ${operation}Command is not imported from an @aws-sdk client`);
      const prefix = CLIENT_PREFIX[client];
      if (prefix === undefined)
        throw new Error(`${file}: add @aws-sdk/client-${client} to CLIENT_PREFIX`);
      const action = `${prefix}:${operation}`;
      calls.push({ file, action: BATCH_ACTIONS[action] ?? action });
    }
  }
  return calls;
}

const calls = awsCalls();
const botCalls = new Set(calls.filter((c) => !WIRING_FILES.has(c.file)).map((c) => c.action));
const wiringCalls = new Set(calls.filter((c) => WIRING_FILES.has(c.file)).map((c) => c.action));
/** --scheduler-dlq also reads and updates the group's schedules, through AwsSchedules. */
const WIRING_SCHEDULE_CALLS = [
  'scheduler:ListSchedules',
  'scheduler:GetSchedule',
  'scheduler:UpdateSchedule',
];

/** Granted although no `new XCommand(` asks for it yet; each with its reason. */
const GRANTED_AHEAD = new Map([
  ['sagemaker:ListPipelineExecutionSteps', 'step detail in execution notifications'],
  ['events:TestEventPattern', 'test-pattern against the real matcher'],
  ['sqs:ReceiveMessage', 'the EVENTS_QUEUE_URL consumer'],
  ['sqs:DeleteMessage', 'the EVENTS_QUEUE_URL consumer'],
  ['sqs:ChangeMessageVisibility', 'the EVENTS_QUEUE_URL consumer'],
]);

// ---- Tests -------------------------------------------------------------------------------

describe('the CloudFormation template', () => {
  it('names one value for every condition in CONFIGS', () => {
    for (const config of Object.values(CONFIGS)) {
      expect(Object.keys(config).sort()).toEqual(Object.keys(template.Conditions).sort());
    }
  });

  it.each(Object.keys(CONFIGS) as ConfigName[])(
    '(%s) refers only to parameters, pseudo parameters and resources that exist',
    (config) => {
      const resources = resourcesFor(config);
      const known = new Set([
        ...Object.keys(template.Parameters),
        ...Object.keys(resources),
        'AWS::AccountId',
        'AWS::Region',
        'AWS::Partition',
        'AWS::URLSuffix',
        'AWS::StackName',
      ]);
      const missing: string[] = [];
      const walk = (node: Json, where: string) => {
        if (Array.isArray(node)) {
          for (const n of node) walk(n, where);
          return;
        }
        if (!isObject(node)) return;
        if (typeof node.Ref === 'string' && !known.has(node.Ref))
          missing.push(`${where}: Ref ${node.Ref}`);
        const getAtt = node['Fn::GetAtt'];
        if (Array.isArray(getAtt) && !(String(getAtt[0]) in resources)) {
          missing.push(`${where}: GetAtt ${getAtt.join('.')}`);
        }
        const sub = node['Fn::Sub'];
        if (typeof sub === 'string') {
          for (const m of sub.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = (m[1] ?? '').split('.')[0] ?? '';
            if (!known.has(name)) missing.push(`${where}: Sub \${${m[1]}}`);
          }
        }
        for (const [key, value] of Object.entries(node)) walk(value, `${where}.${key}`);
      };
      for (const [id, resource] of Object.entries(resources)) walk(resource.Properties, id);
      expect(missing).toEqual([]);
    },
  );

  it('takes the API key without echoing it', () => {
    expect(template.Parameters.EventsApiKey).toMatchObject({ NoEcho: true, Default: '' });
  });

  it('wires the API destination the way setup-events does', () => {
    const r = resourcesFor('apiDestination');
    expect(r.EventsConnection?.Properties).toMatchObject({
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: API_KEY_HEADER, ApiKeyValue: { Ref: 'EventsApiKey' } },
      },
    });
    expect(r.EventsApiDestination?.Properties).toMatchObject({
      ConnectionArn: { 'Fn::GetAtt': ['EventsConnection', 'Arn'] },
      InvocationEndpoint: { 'Fn::Sub': `\${PublicBaseUrl}${EVENTS_PATH}` },
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: INVOCATION_RATE_LIMIT,
    });
    const rule = r.PipelineStatusRule?.Properties;
    expect(rule?.EventPattern).toEqual(notificationPattern());
    expect(rule?.Targets).toEqual([
      {
        Id: { Ref: 'NotificationRuleName' },
        Arn: { 'Fn::GetAtt': ['EventsApiDestination', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['ApiDestinationInvokeRole', 'Arn'] },
      },
    ]);
    expect(
      templatePolicy('apiDestination', 'ApiDestinationInvokeRole invoke-api-destination').Statement,
    ).toEqual([
      expect.objectContaining({
        Action: 'events:InvokeApiDestination',
        Resource: { 'Fn::GetAtt': ['EventsApiDestination', 'Arn'] },
      }),
    ]);
  });

  it('wires the queue: no role on the target, a redrive DLQ, and a policy for this rule only', () => {
    const r = resourcesFor('queue');
    expect(r.EventsConnection).toBeUndefined();
    expect(r.PipelineStatusRule?.Properties.Targets).toEqual([
      { Id: { Ref: 'NotificationRuleName' }, Arn: { 'Fn::GetAtt': ['EventsQueue', 'Arn'] } },
    ]);
    expect(r.PipelineStatusRule?.Properties.EventPattern).toMatchObject({
      source: ['aws.sagemaker'],
      'detail-type': [...PIPELINE_DETAIL_TYPES],
      detail: { pipelineArn: [{ wildcard: expect.anything() }] },
    });
    expect(r.EventsQueue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['EventsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    // Same statement setup-events prints, with the template's references for the ARNs.
    const printed = queuePolicyFor('QUEUE', 'RULE');
    expect(templatePolicy('queue', 'EventsQueuePolicy')).toEqual({
      ...printed,
      Statement: [
        {
          ...printed.Statement[0],
          Resource: { 'Fn::GetAtt': ['EventsQueue', 'Arn'] },
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['PipelineStatusRule', 'Arn'] } },
          },
        },
      ],
    });
  });
});

describe('IAM policies (template and deploy/iam)', () => {
  it('finds the policies and the AWS calls it checks', () => {
    expect([...jsonPolicies.keys()].sort()).toEqual([
      'api-destination-invoke-role-policy.json',
      'api-destination-invoke-role-trust.json',
      'bot-policy-triggers-made-elsewhere.json',
      'bot-policy.json',
      'events-to-sagemaker-role-policy.json',
      'events-to-sagemaker-role-trust.json',
      'scheduler-execution-role-policy.json',
      'scheduler-execution-role-trust.json',
      'setup-events-policy.json',
    ]);
    expect(botCalls.size).toBeGreaterThanOrEqual(20);
    expect(wiringCalls).toEqual(
      new Set([
        'events:DescribeConnection',
        'events:CreateConnection',
        'events:UpdateConnection',
        'events:DescribeApiDestination',
        'events:CreateApiDestination',
        'events:UpdateApiDestination',
        'events:DescribeRule',
        'events:PutRule',
        'events:ListTargetsByRule',
        'events:PutTargets',
        'sqs:GetQueueUrl',
        'sqs:CreateQueue',
        'sqs:GetQueueAttributes',
      ]),
    );
  });

  it('never allows every action, of all services or of one', () => {
    const offenders: string[] = [];
    for (const [name, doc] of allPolicies()) {
      expect(doc.Version, name).toBe('2012-10-17');
      for (const s of doc.Statement) {
        if (s.NotAction !== undefined) offenders.push(`${name}: NotAction`);
        for (const action of actionsOf(s)) {
          if (action === '*' || action.endsWith(':*')) offenders.push(`${name}: ${action}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('grants iam:PassRole only on named roles, and only towards one service', () => {
    const passes: string[] = [];
    for (const [name, doc] of allPolicies()) {
      for (const s of doc.Statement.filter(
        (st) => st.Effect === 'Allow' && actionsOf(st).includes('iam:PassRole'),
      )) {
        // Alone in its statement, so the condition cannot loosen another action.
        expect(actionsOf(s), name).toEqual(['iam:PassRole']);
        expect(JSON.stringify(s.Resource), name).not.toContain('*');
        const service = s.Condition?.StringEquals?.['iam:PassedToService'];
        expect(['scheduler.amazonaws.com', 'events.amazonaws.com'], name).toContain(service);
        passes.push(`${name} -> ${JSON.stringify(s.Resource)} for ${service}`);
      }
    }
    expect(passes).toContain(
      'cfn(queue) BotPolicy -> {"Fn::GetAtt":["SchedulerExecutionRole","Arn"]} for scheduler.amazonaws.com',
    );
    expect(passes).toContain(
      'cfn(queue) BotPolicy -> {"Fn::GetAtt":["EventsToSageMakerRole","Arn"]} for events.amazonaws.com',
    );
    expect(passes.filter((p) => p.startsWith('deploy/iam/bot-policy.json'))).toEqual([
      'deploy/iam/bot-policy.json -> "arn:aws:iam::ACCOUNT_ID:role/pipeline-schedule-bot-scheduler" for scheduler.amazonaws.com',
      'deploy/iam/bot-policy.json -> "arn:aws:iam::ACCOUNT_ID:role/pipeline-schedule-bot-events-to-sagemaker" for events.amazonaws.com',
    ]);
  });

  it('lets only Scheduler, from this account and the bot’s group, assume the execution role', () => {
    const trusts: Array<[PolicyDocument, Json, Json]> = [
      [
        templatePolicy('apiDestination', 'SchedulerExecutionRole trust'),
        { Ref: 'AWS::AccountId' },
        {
          // CloudFormation's ${…} placeholders, not JavaScript's.
          'Fn::Sub': cfnSub(
            'arn:$[AWS::Partition]:scheduler:$[AWS::Region]:$[AWS::AccountId]:schedule-group/$[ScheduleGroupName]',
          ),
        },
      ],
      [
        jsonPolicy('scheduler-execution-role-trust.json'),
        'ACCOUNT_ID',
        'arn:aws:scheduler:REGION:ACCOUNT_ID:schedule-group/SCHEDULE_GROUP',
      ],
    ];
    for (const [doc, account, group] of trusts) {
      expect(doc.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnEquals: { 'aws:SourceArn': group },
          },
        },
      ]);
    }
  });

  it('lets EventBridge assume the rule-target and API-destination roles', () => {
    for (const doc of [
      templatePolicy('apiDestination', 'EventsToSageMakerRole trust'),
      templatePolicy('apiDestination', 'ApiDestinationInvokeRole trust'),
      jsonPolicy('events-to-sagemaker-role-trust.json'),
      jsonPolicy('api-destination-invoke-role-trust.json'),
    ]) {
      expect(doc.Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ]);
    }
  });

  it('gives the execution roles sagemaker:StartPipelineExecution and nothing else but the DLQ', () => {
    expect(
      allowed(templatePolicy('apiDestination', 'SchedulerExecutionRole start-pipelines')),
    ).toEqual(new Set(['sagemaker:StartPipelineExecution', 'sqs:SendMessage']));
    expect(allowed(templatePolicy('queue', 'SchedulerExecutionRole start-pipelines'))).toEqual(
      new Set(['sagemaker:StartPipelineExecution']),
    );
    expect(allowed(templatePolicy('queue', 'EventsToSageMakerRole start-pipelines'))).toEqual(
      new Set(['sagemaker:StartPipelineExecution']),
    );
  });

  it('allows the bot every AWS call in src/', () => {
    for (const doc of [templatePolicy('queue', 'BotPolicy'), jsonPolicy('bot-policy.json')]) {
      const granted = allowed(doc);
      expect([...botCalls].filter((action) => !granted.has(action))).toEqual([]);
    }
  });

  it('allows the bot nothing the code does not call, except what is granted ahead on purpose', () => {
    for (const doc of [templatePolicy('queue', 'BotPolicy'), jsonPolicy('bot-policy.json')]) {
      const extra = [...allowed(doc)].filter(
        (action) => !botCalls.has(action) && action !== 'iam:PassRole',
      );
      expect(extra.filter((action) => !GRANTED_AHEAD.has(action))).toEqual([]);
    }
  });

  it('reads the events queue only when events come by queue, and only the DLQ it creates', () => {
    const sqsStatements = (config: ConfigName) =>
      templatePolicy(config, 'BotPolicy')
        .Statement.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))
        .map((s) => ({ sid: s.Sid, actions: actionsOf(s), resource: s.Resource }));
    const read = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];
    expect(sqsStatements('apiDestination')).toEqual([
      {
        sid: 'ReadTheSchedulerDeadLetterQueue',
        actions: read,
        resource: { 'Fn::GetAtt': ['SchedulerDeadLetterQueue', 'Arn'] },
      },
    ]);
    expect(sqsStatements('queue').map((s) => [s.sid, s.actions])).toEqual([
      ['ReadTheEventsQueue', read],
    ]);
    expect(sqsStatements('queueWithDlq').map((s) => [s.sid, s.actions])).toEqual([
      ['ReadTheEventsQueue', read],
      ['ReadTheSchedulerDeadLetterQueue', read],
    ]);
  });

  it('denies the bot changes to its own notification rule', () => {
    const deny = jsonPolicy('bot-policy.json').Statement.find((s) => s.Effect === 'Deny');
    expect(deny?.Resource).toBe('arn:aws:events:REGION:ACCOUNT_ID:rule/pipeline-schedule-bot');
    expect(actionsOf(deny ?? { Effect: 'Deny' })).toEqual(
      expect.arrayContaining(['events:PutRule', 'events:PutTargets', 'events:DeleteRule']),
    );
  });

  it('allows setup-events every call it makes, its secret and the invoke role', () => {
    const doc = jsonPolicy('setup-events-policy.json');
    const granted = allowed(doc);
    expect(
      [...wiringCalls, ...WIRING_SCHEDULE_CALLS].filter((action) => !granted.has(action)),
    ).toEqual([]);
    expect(granted).toContain('secretsmanager:CreateSecret');
    const passes = doc.Statement.filter((s) => actionsOf(s).includes('iam:PassRole'));
    // UpdateSchedule hands the schedule's execution role to Scheduler again.
    expect(
      passes.find(
        (s) => s.Condition?.StringEquals?.['iam:PassedToService'] === 'scheduler.amazonaws.com',
      )?.Resource,
    ).toBe('arn:aws:iam::ACCOUNT_ID:role/pipeline-schedule-bot-scheduler');
    const pass = passes.find(
      (s) => s.Condition?.StringEquals?.['iam:PassedToService'] === 'events.amazonaws.com',
    );
    expect(pass?.Condition?.StringEquals?.['iam:PassedToService']).toBe('events.amazonaws.com');
    expect(pass?.Resource).toBe(
      'arn:aws:iam::ACCOUNT_ID:role/pipeline-schedule-bot-invoke-api-destination',
    );
  });

  it('keeps deploy/iam and the template saying the same thing', () => {
    const shape = (doc: PolicyDocument) =>
      doc.Statement.map((s) => ({
        Sid: s.Sid,
        Effect: s.Effect,
        Action: [...actionsOf(s)].sort(),
      }));
    const pairs: Array<[PolicyDocument, string]> = [
      [templatePolicy('queueWithDlq', 'BotPolicy'), 'bot-policy.json'],
      [
        templatePolicy('apiDestination', 'SchedulerExecutionRole start-pipelines'),
        'scheduler-execution-role-policy.json',
      ],
      [
        templatePolicy('queue', 'EventsToSageMakerRole start-pipelines'),
        'events-to-sagemaker-role-policy.json',
      ],
      [
        templatePolicy('apiDestination', 'ApiDestinationInvokeRole invoke-api-destination'),
        'api-destination-invoke-role-policy.json',
      ],
    ];
    for (const [cfn, file] of pairs) expect(shape(jsonPolicy(file)), file).toEqual(shape(cfn));
  });
});
