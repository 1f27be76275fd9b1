import { parseArgs } from 'node:util';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DescribeApiDestinationCommand,
  type DescribeApiDestinationCommandOutput,
  DescribeConnectionCommand,
  type DescribeConnectionCommandOutput,
  DescribeRuleCommand,
  type DescribeRuleCommandOutput,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
} from '@aws-sdk/client-eventbridge';
import { isTriggerError } from '../errors.js';
import { type AwsCall, callAws, failedEntriesError, type ResourceKind } from './aws-errors.js';
import { readAllPages } from './paging.js';

/**
 * `pipeline-schedule setup-events`: wires SageMaker pipeline status events to the bot, either
 * through an API destination that POSTs each event to `/aws/events`, or into an SQS queue the
 * bot long-polls. Every step reads first and writes only what differs, so running it twice is
 * safe; deploy/cloudformation.yml builds the same wiring.
 */

export const DEFAULT_WIRING_NAME = 'pipeline-schedule-bot';
/** The route the bot serves events on (DESIGN.md, "Events in"). */
export const EVENTS_PATH = '/aws/events';
/** The header the bot checks against EVENTS_API_KEY. */
export const API_KEY_HEADER = 'x-api-key';
export const PIPELINE_DETAIL_TYPES = [
  'SageMaker Model Building Pipeline Execution Status Change',
  'SageMaker Model Building Pipeline Execution Step Status Change',
] as const;
/** Modest: status changes are few, and a slow bot should see a backlog, not a flood. */
export const INVOCATION_RATE_LIMIT = 10;
/** The event-pattern size quota (2,048 characters by default; the model allows 4,096). */
const MAX_PATTERN_CHARS = 2048;

export type WiringKind = 'connection' | 'api destination' | 'rule' | 'target';
export type SetupOutcome = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update';

export interface SetupStep {
  kind: WiringKind;
  /** The write sent (or, for a dry run or an unchanged resource, the one that would be). */
  operation: string;
  /** A name, or for a target the ARN it delivers to. */
  resource: string;
  outcome: SetupOutcome;
}

export interface SetupEventsOptions {
  /** The bot's public HTTPS URL (base or full `/aws/events`): events go to an API destination. */
  url?: string;
  /** An SQS queue ARN: events go to the queue instead. */
  queueArn?: string;
  /** EVENTS_API_KEY; required with `url`. */
  apiKey?: string;
  /** Name of the connection, API destination and rule (also the target id). */
  name?: string;
  /** Only these pipelines' events; all pipelines in the account and Region when omitted. */
  pipelineArns?: string[];
  /** The role EventBridge assumes to invoke the API destination (events:InvokeApiDestination). */
  roleArn?: string;
  /** Reads only: reports what would change and sends no write. */
  dryRun?: boolean;
  /** Called as each step completes, so progress shows even when a later step fails. */
  onStep?: (step: SetupStep) => void;
}

export interface QueuePolicy {
  Version: '2012-10-17';
  Statement: Array<{
    Sid: string;
    Effect: 'Allow';
    Principal: { Service: 'events.amazonaws.com' };
    Action: 'sqs:SendMessage';
    Resource: string;
    Condition: { ArnEquals: { 'aws:SourceArn': string } };
  }>;
}

export interface SetupEventsResult {
  steps: SetupStep[];
  ruleArn?: string;
  /** With a queue: the access policy the queue needs (setup-events does not change it). */
  queuePolicy?: QueuePolicy;
}

/** The options were wrong; nothing was sent. */
export class SetupInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'SetupInputError';
  }
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const QUEUE_ARN = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(\.fifo)?)$/;
const PIPELINE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:pipeline\/[A-Za-z0-9-]{1,256}$/;

/**
 * The API destination endpoint for a URL people give: the base URL gets `/aws/events`
 * appended; a URL already ending in it is kept. Only https (EventBridge requires it).
 */
export function eventsEndpoint(
  url: string,
): { ok: true; url: string } | { ok: false; problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: `--url "${url}" is not a URL` };
  }
  if (parsed.protocol !== 'https:') {
    return { ok: false, problem: '--url must be https (EventBridge only calls HTTPS endpoints)' };
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    return { ok: false, problem: '--url may not carry credentials, a query or a fragment' };
  }
  // A "*" in the endpoint is an API-destination path wildcard, filled per target.
  if (url.includes('*')) return { ok: false, problem: '--url may not contain "*"' };
  const path = parsed.pathname.replace(/\/+$/, '');
  const full = path.endsWith(EVENTS_PATH) ? path : `${path}${EVENTS_PATH}`;
  const endpoint = `${parsed.origin}${full}`;
  if (endpoint.length > 2048) return { ok: false, problem: '--url is longer than 2048 characters' };
  return { ok: true, url: endpoint };
}

/**
 * Pipeline status and step events, optionally of some pipelines only. ARNs match ignoring case:
 * whether SageMaker reports pipeline ARNs in the case they were created with is unconfirmed.
 */
export function notificationPattern(pipelineArns: string[] = []): Record<string, unknown> {
  const seen = new Set<string>();
  const unique = pipelineArns.filter((arn) => {
    const key = arn.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    source: ['aws.sagemaker'],
    'detail-type': [...PIPELINE_DETAIL_TYPES],
    ...(unique.length > 0
      ? { detail: { pipelineArn: unique.map((arn) => ({ 'equals-ignore-case': arn })) } }
      : {}),
  };
}

/** What the queue's access policy must allow: this rule, and nothing else, may send. */
export function queuePolicyFor(queueArn: string, ruleArn: string): QueuePolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowPipelineStatusRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  };
}

/** Every problem with the options, in people's words; empty when they are usable. */
export function checkSetupOptions(options: SetupEventsOptions): string[] {
  const problems: string[] = [];
  const name = options.name ?? DEFAULT_WIRING_NAME;
  if (!NAME.test(name)) {
    problems.push(`--name "${name}" must be 1-64 letters, digits, ".", "-" or "_"`);
  }
  if ((options.url === undefined) === (options.queueArn === undefined)) {
    problems.push('give exactly one of --url (an API destination) or --queue (an SQS queue ARN)');
  }
  if (options.url !== undefined) {
    const endpoint = eventsEndpoint(options.url);
    if (!endpoint.ok) problems.push(endpoint.problem);
    if (!options.apiKey) {
      problems.push('--url needs the API key the bot checks: pass --api-key or set EVENTS_API_KEY');
    } else if (options.apiKey.length > 512 || /[\r\n]/.test(options.apiKey)) {
      problems.push(
        'the API key must be at most 512 characters on one line (it travels as a header)',
      );
    }
    if (options.roleArn === undefined) {
      problems.push(
        '--url needs --role: the role EventBridge assumes to call the API destination ' +
          '(events:InvokeApiDestination; see deploy/iam/api-destination-invoke-role-*.json)',
      );
    } else if (!ROLE_ARN.test(options.roleArn)) {
      problems.push(`--role "${options.roleArn}" is not an IAM role ARN`);
    }
  }
  if (options.queueArn !== undefined) {
    const queue = QUEUE_ARN.exec(options.queueArn);
    if (!queue) {
      problems.push(
        `--queue "${options.queueArn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)`,
      );
    } else if (queue[5]) {
      problems.push('--queue must be a standard queue; a FIFO queue needs a message group id');
    }
    if (options.roleArn !== undefined) {
      problems.push(
        '--role is for --url only: EventBridge sends to a queue under its access policy',
      );
    }
  }
  for (const arn of options.pipelineArns ?? []) {
    if (!PIPELINE_ARN.test(arn)) {
      problems.push(
        `--pipeline "${arn}" is not a pipeline ARN (arn:aws:sagemaker:<region>:<account>:pipeline/<name>)`,
      );
    }
  }
  const patternChars = JSON.stringify(notificationPattern(options.pipelineArns)).length;
  if (patternChars > MAX_PATTERN_CHARS) {
    problems.push(
      `the event pattern for ${options.pipelineArns?.length} pipelines is ${patternChars} characters, ` +
        `over EventBridge's ${MAX_PATTERN_CHARS}; name fewer pipelines or leave --pipeline out`,
    );
  }
  return problems;
}

interface Wanted {
  name: string;
  dryRun: boolean;
  record: (step: SetupStep) => void;
}

/**
 * Creates or updates the event wiring and returns what it did, step by step. Throws a
 * SetupInputError for unusable options (before any request) and a TriggerError when AWS fails.
 */
export async function setupEvents(
  client: EventBridgeClient,
  options: SetupEventsOptions,
): Promise<SetupEventsResult> {
  const problems = checkSetupOptions(options);
  if (problems.length > 0) throw new SetupInputError(problems);
  const steps: SetupStep[] = [];
  const ctx: Wanted = {
    name: options.name ?? DEFAULT_WIRING_NAME,
    dryRun: options.dryRun ?? false,
    record: (step) => {
      steps.push(step);
      options.onStep?.(step);
    },
  };

  let target: { arn: string | undefined; roleArn?: string };
  if (options.url !== undefined) {
    const endpoint = eventsEndpoint(options.url);
    if (!endpoint.ok) throw new SetupInputError([endpoint.problem]);
    const connectionArn = await putConnection(client, ctx, options.apiKey ?? '');
    const destinationArn = await putApiDestination(client, ctx, endpoint.url, connectionArn);
    target = { arn: destinationArn, roleArn: options.roleArn ?? '' };
  } else {
    target = { arn: options.queueArn ?? '' };
  }

  const rule = await putRule(client, ctx, notificationPattern(options.pipelineArns));
  await putTarget(client, ctx, rule.existed, target);

  const ruleArn = rule.arn ?? ruleArnFromQueue(options.queueArn, ctx.name);
  const result: SetupEventsResult = { steps, ...(ruleArn ? { ruleArn } : {}) };
  if (options.queueArn !== undefined && ruleArn) {
    result.queuePolicy = queuePolicyFor(options.queueArn, ruleArn);
  }
  return result;
}

async function putConnection(
  client: EventBridgeClient,
  ctx: Wanted,
  apiKey: string,
): Promise<string | undefined> {
  const { name } = ctx;
  const existing = await readOrUndefined<DescribeConnectionCommandOutput>(
    call('DescribeConnection', CONNECTION, name),
    () => client.send(new DescribeConnectionCommand({ Name: name })),
  );
  const auth = {
    AuthorizationType: 'API_KEY' as const,
    AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: API_KEY_HEADER, ApiKeyValue: apiKey } },
  };
  if (!existing) {
    if (ctx.dryRun) {
      ctx.record(step('connection', 'CreateConnection', name, 'would-create'));
      return undefined;
    }
    const created = await callAws(call('CreateConnection', CONNECTION, name), () =>
      client.send(
        new CreateConnectionCommand({
          Name: name,
          Description: 'pipeline-schedule-bot: API key for POST /aws/events',
          ...auth,
        }),
      ),
    );
    ctx.record(step('connection', 'CreateConnection', name, 'created'));
    return created.ConnectionArn;
  }
  // AWS never returns the key (it lives in a Secrets Manager secret), so whether it changed
  // cannot be told: the connection is always rewritten with the key given.
  if (ctx.dryRun) {
    ctx.record(step('connection', 'UpdateConnection', name, 'would-update'));
    return existing.ConnectionArn;
  }
  const updated = await callAws(call('UpdateConnection', CONNECTION, name), () =>
    client.send(new UpdateConnectionCommand({ Name: name, ...auth })),
  );
  ctx.record(step('connection', 'UpdateConnection', name, 'updated'));
  return updated.ConnectionArn ?? existing.ConnectionArn;
}

async function putApiDestination(
  client: EventBridgeClient,
  ctx: Wanted,
  endpoint: string,
  connectionArn: string | undefined,
): Promise<string | undefined> {
  const { name } = ctx;
  const existing = await readOrUndefined<DescribeApiDestinationCommandOutput>(
    call('DescribeApiDestination', API_DESTINATION, name),
    () => client.send(new DescribeApiDestinationCommand({ Name: name })),
  );
  const wanted = {
    Name: name,
    ConnectionArn: connectionArn,
    InvocationEndpoint: endpoint,
    HttpMethod: 'POST' as const,
    InvocationRateLimitPerSecond: INVOCATION_RATE_LIMIT,
  };
  if (!existing) {
    if (ctx.dryRun) {
      ctx.record(step('api destination', 'CreateApiDestination', name, 'would-create'));
      return undefined;
    }
    const created = await callAws(call('CreateApiDestination', API_DESTINATION, name), () =>
      client.send(
        new CreateApiDestinationCommand({
          ...wanted,
          Description: 'pipeline-schedule-bot: SageMaker pipeline status events',
        }),
      ),
    );
    ctx.record(step('api destination', 'CreateApiDestination', name, 'created'));
    return created.ApiDestinationArn;
  }
  const same =
    connectionArn !== undefined &&
    existing.ConnectionArn === connectionArn &&
    existing.InvocationEndpoint === endpoint &&
    existing.HttpMethod === 'POST' &&
    existing.InvocationRateLimitPerSecond === INVOCATION_RATE_LIMIT;
  if (same) {
    ctx.record(step('api destination', 'UpdateApiDestination', name, 'unchanged'));
    return existing.ApiDestinationArn;
  }
  if (ctx.dryRun) {
    ctx.record(step('api destination', 'UpdateApiDestination', name, 'would-update'));
    return existing.ApiDestinationArn;
  }
  const updated = await callAws(call('UpdateApiDestination', API_DESTINATION, name), () =>
    client.send(new UpdateApiDestinationCommand(wanted)),
  );
  ctx.record(step('api destination', 'UpdateApiDestination', name, 'updated'));
  return updated.ApiDestinationArn ?? existing.ApiDestinationArn;
}

async function putRule(
  client: EventBridgeClient,
  ctx: Wanted,
  pattern: Record<string, unknown>,
): Promise<{ existed: boolean; arn: string | undefined }> {
  const { name } = ctx;
  const existing = await readOrUndefined<DescribeRuleCommandOutput>(
    call('DescribeRule', 'rule', name),
    () => client.send(new DescribeRuleCommand({ Name: name })),
  );
  const description = 'pipeline-schedule-bot: SageMaker pipeline status events to the bot';
  const same =
    existing !== undefined &&
    sameJson(existing.EventPattern, pattern) &&
    existing.State === 'ENABLED' &&
    existing.ScheduleExpression === undefined &&
    existing.Description === description;
  if (existing && same) {
    ctx.record(step('rule', 'PutRule', name, 'unchanged'));
    return { existed: true, arn: existing.Arn };
  }
  if (ctx.dryRun) {
    ctx.record(step('rule', 'PutRule', name, existing ? 'would-update' : 'would-create'));
    return { existed: existing !== undefined, arn: existing?.Arn };
  }
  // PutRule replaces the whole rule (omitted fields are cleared): always send all of it.
  const output = await callAws(call('PutRule', 'rule', name), () =>
    client.send(
      new PutRuleCommand({
        Name: name,
        EventPattern: JSON.stringify(pattern),
        State: 'ENABLED',
        Description: description,
      }),
    ),
  );
  ctx.record(step('rule', 'PutRule', name, existing ? 'updated' : 'created'));
  return { existed: existing !== undefined, arn: output.RuleArn ?? existing?.Arn };
}

async function putTarget(
  client: EventBridgeClient,
  ctx: Wanted,
  ruleExisted: boolean,
  wanted: { arn: string | undefined; roleArn?: string },
): Promise<void> {
  const { name } = ctx;
  const resource = wanted.arn ?? `api destination ${name}`;
  // The rule may carry other targets someone added; only ours (id = the name) is managed.
  // A rule that did not exist before this run has none yet.
  const current = ruleExisted
    ? (await listTargets(client, name)).find((t) => t.Id === name)
    : undefined;
  const same =
    current !== undefined &&
    wanted.arn !== undefined &&
    current.Arn === wanted.arn &&
    current.RoleArn === wanted.roleArn &&
    // Anything reshaping the body would break the bot's parsing: the whole event must arrive.
    current.Input === undefined &&
    current.InputPath === undefined &&
    current.InputTransformer === undefined;
  if (same) {
    ctx.record(step('target', 'PutTargets', resource, 'unchanged'));
    return;
  }
  if (ctx.dryRun || wanted.arn === undefined) {
    ctx.record(step('target', 'PutTargets', resource, current ? 'would-update' : 'would-create'));
    return;
  }
  const targetArn = wanted.arn;
  const putCall = call('PutTargets', 'rule', name, wanted.roleArn);
  const output = await callAws(putCall, () =>
    client.send(
      new PutTargetsCommand({
        Rule: name,
        Targets: [
          { Id: name, Arn: targetArn, ...(wanted.roleArn ? { RoleArn: wanted.roleArn } : {}) },
        ],
      }),
    ),
  );
  // A 200 answer can still carry failed entries.
  if ((output.FailedEntryCount ?? 0) > 0 || (output.FailedEntries?.length ?? 0) > 0) {
    throw failedEntriesError(output.FailedEntries ?? [], putCall, output.$metadata.requestId);
  }
  ctx.record(step('target', 'PutTargets', resource, current ? 'updated' : 'created'));
}

function listTargets(client: EventBridgeClient, rule: string): Promise<Target[]> {
  return readAllPages(async (nextToken, limit) => {
    const output = await callAws(call('ListTargetsByRule', 'rule', rule), () =>
      client.send(
        new ListTargetsByRuleCommand({
          Rule: rule,
          Limit: limit,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    return { items: output.Targets ?? [], nextToken: output.NextToken };
  });
}

/** A Describe call; a resource that does not exist yet is undefined. */
async function readOrUndefined<T>(
  awsCall: AwsCall,
  send: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await callAws(awsCall, send);
  } catch (error) {
    if (isTriggerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}

// aws-errors.ts has no kinds for these yet; its messages only print the kind, so the words
// read right. (Widening ResourceKind there would make these casts unnecessary.)
const CONNECTION = 'connection' as string as ResourceKind;
const API_DESTINATION = 'api destination' as string as ResourceKind;

function call(operation: string, kind: ResourceKind, name: string, roleArn?: string): AwsCall {
  return {
    service: 'events',
    operation,
    resource: { kind, name },
    ...(roleArn ? { roleArn } : {}),
  };
}

function step(
  kind: WiringKind,
  operation: string,
  resource: string,
  outcome: SetupOutcome,
): SetupStep {
  return { kind, operation, resource, outcome };
}

/** AWS may hand the pattern back reformatted; compare meaning, not text. */
function sameJson(text: string | undefined, wanted: unknown): boolean {
  if (text === undefined) return false;
  try {
    return canonical(JSON.parse(text)) === canonical(wanted);
  } catch {
    return false;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A rule on the default bus has a known ARN: same partition, Region and account as the queue. */
function ruleArnFromQueue(queueArn: string | undefined, name: string): string | undefined {
  const match = queueArn ? QUEUE_ARN.exec(queueArn) : null;
  if (!match) return undefined;
  return `arn:${match[1]}:events:${match[2]}:${match[3]}:rule/${name}`;
}

// ---------------------------------------------------------------------------------------------
// Command line

export interface SetupEventsIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

export const SETUP_EVENTS_USAGE = `Usage:
  pipeline-schedule setup-events --url https://BOT-HOST [--role ARN] [options]
  pipeline-schedule setup-events --queue arn:aws:sqs:REGION:ACCOUNT:QUEUE [options]
      Sends SageMaker pipeline status events to the bot: through an EventBridge API destination
      that POSTs to <url>/aws/events with the header x-api-key (the key is EVENTS_API_KEY), or
      into an SQS queue the bot reads (EVENTS_QUEUE_URL). Safe to run again: it changes only
      what differs.
Options:
  --api-key KEY     the key the bot checks (default: EVENTS_API_KEY); --url only
  --role ARN        role EventBridge assumes to call the API destination; required with --url
  --name NAME       connection, API destination and rule name (default ${DEFAULT_WIRING_NAME})
  --pipeline ARN    only this pipeline's events; repeat for more (default: every pipeline)
  --dry-run         show what would change; send no change`;

const cliOptions = {
  url: { type: 'string' },
  queue: { type: 'string' },
  'api-key': { type: 'string' },
  name: { type: 'string' },
  pipeline: { type: 'string', multiple: true },
  role: { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const verbs: Record<SetupOutcome, string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  'would-create': 'would create',
  'would-update': 'would update',
};

/** One line per step: "created connection pipeline-schedule-bot". */
export function formatStep(step: SetupStep, ruleName: string): string {
  const verb = verbs[step.outcome];
  return step.kind === 'target'
    ? `${verb} target of rule ${ruleName} -> ${step.resource}`
    : `${verb} ${step.kind} ${step.resource}`;
}

/**
 * `setup-events` from argv (the arguments after the command name). The caller passes the API
 * key from its config as `--api-key` or `defaults.apiKey`: this function reads no environment.
 * Exit codes: 0 done, 2 bad input (nothing sent), 1 AWS refused or failed.
 */
export async function setupEventsFromArgs(
  argv: string[],
  io: SetupEventsIo,
  client?: EventBridgeClient,
  defaults: { apiKey?: string } = {},
): Promise<number> {
  const args = argv[0] === 'setup-events' ? argv.slice(1) : argv;
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof cliOptions; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options: cliOptions, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs adds "To specify a positional argument…"; the first sentence is the news.
    const message = error instanceof Error ? error.message : String(error);
    return usageError(io, [message.split('. ')[0]?.replace(/\.$/, '') ?? message]);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(io, [`unexpected argument "${positionals[0]}"`]);
  if (values.help) {
    io.stdout(SETUP_EVENTS_USAGE);
    return 0;
  }
  if (values.queue !== undefined && values.url === undefined && values['api-key'] !== undefined) {
    return usageError(io, ['--api-key is for --url only: the queue needs no key']);
  }
  const apiKey = values['api-key'] ?? defaults.apiKey;
  const options: SetupEventsOptions = {
    ...(values.url !== undefined ? { url: values.url } : {}),
    ...(values.queue !== undefined ? { queueArn: values.queue } : {}),
    ...(values.url !== undefined && apiKey !== undefined ? { apiKey } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.pipeline !== undefined ? { pipelineArns: values.pipeline } : {}),
    ...(values.role !== undefined ? { roleArn: values.role } : {}),
    dryRun: values['dry-run'] ?? false,
  };
  const problems = checkSetupOptions(options);
  if (problems.length > 0) return usageError(io, problems);

  const name = options.name ?? DEFAULT_WIRING_NAME;
  const eventBridge = client ?? new EventBridgeClient({});
  try {
    const result = await setupEvents(eventBridge, {
      ...options,
      onStep: (s) => io.stdout(formatStep(s, name)),
    });
    if (result.queuePolicy) {
      io.stdout('');
      io.stdout(
        `The queue's access policy must let this rule send to it (setup-events does not change ` +
          'the queue); a queue encrypted with a customer-managed KMS key also needs ' +
          'kms:GenerateDataKey and kms:Decrypt for events.amazonaws.com in the key policy:',
      );
      for (const line of JSON.stringify(result.queuePolicy, null, 2).split('\n')) io.stdout(line);
    }
    if (options.dryRun) io.stdout('dry run: nothing was changed');
    return 0;
  } catch (error) {
    if (error instanceof SetupInputError) return usageError(io, error.problems);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`pipeline-schedule: ${message}`);
    if (isTriggerError(error, 'ACCESS_DENIED')) {
      io.stderr(
        'The AWS credentials running setup-events need the permissions in ' +
          'deploy/iam/setup-events-policy.json (EventBridge, Secrets Manager for the ' +
          'connection, iam:PassRole on the invoke role).',
      );
    }
    return 1;
  } finally {
    if (!client) eventBridge.destroy();
  }
}

function usageError(io: SetupEventsIo, problems: string[]): number {
  for (const problem of problems) io.stderr(`pipeline-schedule: ${problem}`);
  io.stderr("Run 'pipeline-schedule setup-events --help' for usage.");
  return 2;
}
