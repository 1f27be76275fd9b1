import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DescribeApiDestinationCommand,
  type DescribeApiDestinationCommandOutput,
  DescribeConnectionCommand,
  type DescribeConnectionCommandOutput,
  DescribeRuleCommand,
  type DescribeRuleCommandOutput,
  type EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
} from '@aws-sdk/client-eventbridge';
import { isTriggerError } from '../errors.js';
import { type AwsCall, callAws, failedEntriesError, type ResourceKind } from './aws-errors.js';
import {
  API_KEY_HEADER,
  checkSetupOptions,
  DEFAULT_WIRING_NAME,
  eventsEndpoint,
  INVOCATION_RATE_LIMIT,
  notificationPattern,
  QUEUE_ARN,
  queuePolicyFor,
  type SetupEventsOptions,
  type SetupEventsResult,
  SetupInputError,
  type SetupOutcome,
  type SetupStep,
  type WiringKind,
} from './event-wiring-plan.js';
import { readAllPages } from './paging.js';

/**
 * The writes of `setup-events`: each resource is read first and written only where it differs,
 * so running it twice is safe.
 */

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

  // Only a dead-letter queue asked for (setup-dead-letters.ts): no event wiring to make.
  if (options.url === undefined && options.queueArn === undefined) return { steps };

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

const CONNECTION = 'connection';
const API_DESTINATION = 'api destination';

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
