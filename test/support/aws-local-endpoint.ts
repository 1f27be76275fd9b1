import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTriggerError, type TriggerErrorCode } from '../../src/scheduling/errors.js';
import { parseEventPattern } from '../../src/scheduling/events/event-pattern/index.js';
import type { LocalBackend } from '../../src/scheduling/local/local-backend.js';
import { ruleArn } from '../../src/scheduling/local/local-rules.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../src/scheduling/local/pipeline-catalog.js';
import { type Pipeline, pipelineNameOf } from '../../src/scheduling/pipeline.js';
import { TRIGGER_NAME } from '../../src/scheduling/trigger-rules.js';
import type {
  EventTrigger,
  RuleTarget,
  ScheduleRecord,
  ScheduleTrigger,
  TriggerState,
} from '../../src/scheduling/triggers.js';

// Before any client exists: the SDK warns once per process about Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * A stateful AWS stand-in: the embedded local back end behind the wire protocols of EventBridge
 * Scheduler (REST-JSON), EventBridge and SageMaker (JSON 1.1), so the real SDK v3 clients and
 * the AWS adapters run against something that remembers. Unlike `aws-stand-in.ts` nothing is
 * scripted: each request becomes calls on LocalSchedules, LocalRules and LocalPipelines, and
 * their TriggerErrors go back as the error each service would send.
 *
 * Not an emulator of everything: operations the adapters do not use answer 501.
 */

type Json = Record<string, unknown>;

interface Reply {
  status?: number;
  body?: unknown;
}

type Service = 'scheduler' | 'events' | 'sagemaker';

/** An error answer: the type travels in `x-amzn-errortype` and, on JSON 1.1, in `__type`. */
class WireError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** AWS's error type and status for each of our codes, per service. */
const ERRORS: Record<Service, Record<TriggerErrorCode, [string, number]>> = {
  scheduler: {
    NOT_FOUND: ['ResourceNotFoundException', 404],
    ALREADY_EXISTS: ['ConflictException', 409],
    CONFLICT: ['ConflictException', 409],
    VALIDATION: ['ValidationException', 400],
    THROTTLED: ['ThrottlingException', 429],
    ACCESS_DENIED: ['AccessDeniedException', 403],
    LIMIT_EXCEEDED: ['ServiceQuotaExceededException', 402],
    UNAVAILABLE: ['InternalServerException', 500],
  },
  // JSON 1.1 services answer client errors with 400 whatever the type.
  events: {
    NOT_FOUND: ['ResourceNotFoundException', 400],
    ALREADY_EXISTS: ['ResourceAlreadyExistsException', 400],
    CONFLICT: ['ConcurrentModificationException', 400],
    VALIDATION: ['ValidationException', 400],
    THROTTLED: ['ThrottlingException', 400],
    ACCESS_DENIED: ['AccessDeniedException', 400],
    LIMIT_EXCEEDED: ['LimitExceededException', 400],
    UNAVAILABLE: ['InternalException', 500],
  },
  sagemaker: {
    NOT_FOUND: ['ResourceNotFound', 400],
    ALREADY_EXISTS: ['ResourceInUse', 400],
    CONFLICT: ['ConflictException', 400],
    VALIDATION: ['ValidationException', 400],
    THROTTLED: ['ThrottlingException', 400],
    ACCESS_DENIED: ['AccessDeniedException', 400],
    LIMIT_EXCEEDED: ['ResourceLimitExceeded', 400],
    UNAVAILABLE: ['InternalFailure', 500],
  },
};

/** What Scheduler reports for a target sent without a RetryPolicy. */
const SCHEDULER_DEFAULT_RETRY = { maximumEventAgeSeconds: 86_400, maximumRetryAttempts: 185 };

/** A rule as PutRule and PutTargets build it up, before LocalRules (which wants both) holds it. */
interface StagedRule {
  eventPattern: string;
  state: TriggerState;
  description?: string;
}

export class AwsLocalEndpoint {
  /**
   * Rules that exist without targets: created by PutRule and not yet given targets, or whose
   * targets were all removed before DeleteRule. LocalRules only takes a rule with its targets,
   * so these live here; a rule with targets lives in LocalRules alone.
   */
  private readonly staged = new Map<string, StagedRule>();
  private requestCount = 0;

  private constructor(
    private readonly backend: LocalBackend,
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1, on a free port. */
  static async start(backend: LocalBackend): Promise<AwsLocalEndpoint> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const endpoint = new AwsLocalEndpoint(backend, server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      endpoint.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    return endpoint;
  }

  /** Client configuration pointing a real SDK v3 client here; one attempt, so errors are fast. */
  clientConfig(extra: { maxAttempts?: number } = {}) {
    return {
      endpoint: this.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
      ...extra,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = (text ? JSON.parse(text) : {}) as Json;
    const url = new URL(req.url ?? '/', this.url);
    const target = headerOf(req, 'x-amz-target');
    const [prefix, operation = ''] = target?.split('.') ?? [];
    const service: Service =
      prefix === 'AWSEvents' ? 'events' : prefix === 'SageMaker' ? 'sagemaker' : 'scheduler';
    const headers: Record<string, string> = {
      'content-type': target ? 'application/x-amz-json-1.1' : 'application/json',
      'x-amzn-requestid': `local-${++this.requestCount}`,
    };
    let reply: Reply;
    try {
      if (service === 'events') reply = { body: await this.events(operation, body) };
      else if (service === 'sagemaker') reply = { body: await this.sagemaker(operation, body) };
      else reply = await this.scheduler(req.method ?? 'GET', url, body);
    } catch (error) {
      const wire = toWireError(error, service);
      headers['x-amzn-errortype'] = wire.type;
      reply = {
        status: wire.status,
        body: target ? { __type: wire.type, message: wire.message } : { message: wire.message },
      };
    }
    res.writeHead(reply.status ?? 200, headers);
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  // --- EventBridge Scheduler (REST-JSON) -------------------------------------------------------

  private async scheduler(method: string, url: URL, body: Json): Promise<Reply> {
    const route = /^\/(schedules|schedule-groups)(?:\/([^/]+))?$/.exec(url.pathname);
    const name = route?.[2] === undefined ? undefined : decodeURIComponent(route[2]);
    const query = url.searchParams;
    const schedules = this.backend.schedules;
    if (route?.[1] === 'schedule-groups' && name !== undefined) {
      if (method === 'GET') {
        await this.requireGroup(name);
        return { body: { Arn: groupArn(name), Name: name, State: 'ACTIVE' } };
      }
      if (method === 'POST') {
        if (await this.groupExists(name))
          throw new WireError('ConflictException', 409, `Schedule group ${name} already exists.`);
        await schedules.ensureGroup(name);
        return { body: { ScheduleGroupArn: groupArn(name) } };
      }
    }
    if (route?.[1] === 'schedules' && name === undefined && method === 'GET') {
      // Without ScheduleGroup AWS lists every group; the local back end lists one at a time.
      const group = query.get('ScheduleGroup');
      if (!group) throw unsupported('ListSchedules without ScheduleGroup');
      const maxResults = query.get('MaxResults');
      const nextToken = query.get('NextToken');
      const namePrefix = query.get('NamePrefix');
      const state = query.get('State');
      const page = await schedules.list({
        group,
        ...(namePrefix ? { namePrefix } : {}),
        ...(maxResults ? { maxResults: Number(maxResults) } : {}),
        ...(nextToken ? { nextToken } : {}),
      });
      // A short page with a NextToken is what AWS sends too when it filters.
      const items = state ? page.items.filter((s) => s.state === state) : page.items;
      return {
        body: {
          Schedules: items.map((s) => ({
            Arn: s.arn,
            GroupName: s.group,
            Name: s.name,
            State: s.state,
            Target: { Arn: s.targetArn },
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        },
      };
    }
    if (route?.[1] === 'schedules' && name !== undefined) {
      // GET and DELETE carry the group in the query, POST and PUT in the body.
      const group = query.get('groupName') || stringOf(body.GroupName) || 'default';
      switch (method) {
        case 'POST': {
          const { arn } = await schedules.create(toSchedule(name, group, body), clientToken(body));
          return { body: { ScheduleArn: arn } };
        }
        case 'GET':
          return { body: fromSchedule(await schedules.get(group, name)) };
        case 'PUT': {
          const { arn } = await schedules.update(toSchedule(name, group, body), clientToken(body));
          return { body: { ScheduleArn: arn } };
        }
        case 'DELETE':
          await schedules.delete(group, name, query.get('clientToken') ?? randomUUID());
          return { body: {} };
      }
    }
    throw unsupported(`${method} ${url.pathname}`);
  }

  /** LocalSchedules.list is what answers NOT_FOUND for a missing group. */
  private async requireGroup(group: string): Promise<void> {
    await this.backend.schedules.list({ group, maxResults: 1 });
  }

  private async groupExists(group: string): Promise<boolean> {
    try {
      await this.requireGroup(group);
      return true;
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND')) return false;
      throw error;
    }
  }

  // --- EventBridge (JSON 1.1, AWSEvents.*) -----------------------------------------------------

  private async events(operation: string, body: Json): Promise<unknown> {
    if (body.EventBusName !== undefined && body.EventBusName !== 'default')
      throw new WireError(
        'ResourceNotFoundException',
        400,
        `Event bus ${String(body.EventBusName)} does not exist.`,
      );
    const rules = this.backend.rules;
    switch (operation) {
      case 'PutRule': {
        const name = stringOf(body.Name);
        if (!TRIGGER_NAME.test(name))
          throw new WireError('ValidationException', 400, `Rule name ${name} is not valid.`);
        if (typeof body.EventPattern !== 'string')
          throw unsupported('PutRule without EventPattern (scheduled rules)');
        const pattern = parseEventPattern(body.EventPattern);
        if (!pattern.ok)
          throw new WireError(
            'InvalidEventPatternException',
            400,
            `Event pattern is not valid. Reason: ${pattern.error.message}`,
          );
        const staged: StagedRule = {
          eventPattern: body.EventPattern,
          state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
          ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
        };
        const current = await this.findRule(name);
        if (current && current.targets.length > 0) {
          // PutRule replaces the rule: a description left out is cleared.
          const { arn: _arn, description: _old, ...rest } = current;
          await rules.put({ ...rest, ...staged });
        } else {
          this.staged.set(name, staged);
        }
        return { RuleArn: ruleArn(name) };
      }
      case 'PutTargets': {
        const name = stringOf(body.Rule);
        const current = await this.requireRule(name);
        const given = arrayOf(body.Targets).map(toRuleTarget);
        const roles = new Set(given.map((t) => t.roleArn));
        const givenIds = new Set(given.map((t) => t.target.id));
        const kept = current.targets.filter((t) => !givenIds.has(t.id));
        // LocalRules keeps one role for the whole rule, as our triggers use it.
        if (roles.size > 1 || (kept.length > 0 && !roles.has(current.roleArn)))
          throw unsupported('targets of one rule with different RoleArns');
        const byId = new Map(current.targets.map((t) => [t.id, t]));
        for (const t of given) byId.set(t.target.id, t.target);
        await this.saveRule(current, [...byId.values()], given[0]?.roleArn ?? current.roleArn);
        return { FailedEntryCount: 0, FailedEntries: [] };
      }
      case 'ListTargetsByRule': {
        const rule = await this.requireRule(stringOf(body.Rule));
        const page = slicePage(rule.targets, body.NextToken, body.Limit);
        return {
          Targets: page.items.map((t) => fromRuleTarget(t, rule.roleArn)),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }
      case 'RemoveTargets': {
        const current = await this.requireRule(stringOf(body.Rule));
        const ids = new Set(arrayOf(body.Ids).map(stringOf));
        await this.saveRule(
          current,
          current.targets.filter((t) => !ids.has(t.id)),
          current.roleArn,
        );
        return { FailedEntryCount: 0, FailedEntries: [] };
      }
      case 'DescribeRule': {
        const rule = await this.requireRule(stringOf(body.Name));
        return {
          Name: rule.name,
          Arn: ruleArn(rule.name),
          EventPattern: rule.eventPattern,
          State: rule.state,
          ...(rule.description !== undefined ? { Description: rule.description } : {}),
          EventBusName: 'default',
          CreatedBy: LOCAL_ACCOUNT,
        };
      }
      case 'DeleteRule': {
        // AWS answers 200 for a rule that does not exist, and refuses one that has targets.
        const name = stringOf(body.Name);
        const rule = await this.findRule(name);
        if (rule && rule.targets.length > 0)
          throw new WireError(
            'ValidationException',
            400,
            "Rule can't be deleted since it has targets.",
          );
        this.staged.delete(name);
        return {};
      }
      case 'EnableRule':
      case 'DisableRule': {
        const name = stringOf(body.Name);
        const state: TriggerState = operation === 'EnableRule' ? 'ENABLED' : 'DISABLED';
        const rule = await this.requireRule(name);
        const staged = this.staged.get(name);
        if (staged) staged.state = state;
        else if (rule.targets.length > 0) await rules.setState(name, state);
        return {};
      }
      case 'ListRules':
        return this.listRules(body);
      default:
        throw unsupported(`AWSEvents.${operation}`);
    }
  }

  /** A rule with targets from LocalRules, else a staged one (no targets), else undefined. */
  private async findRule(name: string): Promise<EventTriggerWithArn | undefined> {
    const staged = this.staged.get(name);
    if (staged)
      return { kind: 'event', name, arn: ruleArn(name), roleArn: '', targets: [], ...staged };
    try {
      return await this.backend.rules.get(name);
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  private async requireRule(name: string): Promise<EventTriggerWithArn> {
    const rule = await this.findRule(name);
    if (!rule)
      throw new WireError(
        'ResourceNotFoundException',
        400,
        `Rule ${name} does not exist on EventBus default.`,
      );
    return rule;
  }

  /** Moves the rule between the staging and LocalRules as its targets come and go. */
  private async saveRule(
    current: EventTriggerWithArn,
    targets: RuleTarget[],
    roleArn: string,
  ): Promise<void> {
    const { name, eventPattern, state, description } = current;
    if (targets.length === 0) {
      if (!this.staged.has(name)) await this.backend.rules.delete(name);
      this.staged.set(name, { eventPattern, state, ...(description ? { description } : {}) });
      return;
    }
    await this.backend.rules.put({
      kind: 'event',
      name,
      eventPattern,
      state,
      roleArn,
      ...(description !== undefined ? { description } : {}),
      targets,
    });
    this.staged.delete(name);
  }

  private async listRules(body: Json): Promise<unknown> {
    const prefix = typeof body.NamePrefix === 'string' ? body.NamePrefix : '';
    // Every name from LocalRules and the staging, then one page of them: the token is a name.
    const rules: Array<{ name: string; state: TriggerState; eventPattern?: string }> = [];
    let nextToken: string | undefined;
    do {
      const page = await this.backend.rules.list({
        ...(prefix ? { namePrefix: prefix } : {}),
        maxResults: 100,
        ...(nextToken ? { nextToken } : {}),
      });
      rules.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    for (const [name, staged] of this.staged)
      if (name.startsWith(prefix)) rules.push({ name, ...staged });
    rules.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const after = typeof body.NextToken === 'string' ? body.NextToken : undefined;
    const rest = after === undefined ? rules : rules.filter((r) => r.name > after);
    const limit = typeof body.Limit === 'number' ? Math.min(Math.max(body.Limit, 1), 100) : 100;
    const items = rest.slice(0, limit);
    const last = items[items.length - 1];
    return {
      Rules: await Promise.all(
        items.map(async (r) => {
          const full = await this.findRule(r.name);
          return {
            Name: r.name,
            Arn: ruleArn(r.name),
            State: r.state,
            ...(full ? { EventPattern: full.eventPattern } : {}),
            ...(full?.description !== undefined ? { Description: full.description } : {}),
            EventBusName: 'default',
          };
        }),
      ),
      ...(rest.length > limit && last ? { NextToken: last.name } : {}),
    };
  }

  // --- SageMaker (JSON 1.1, SageMaker.*) -------------------------------------------------------

  private async sagemaker(operation: string, body: Json): Promise<unknown> {
    const pipelines = this.backend.pipelines;
    switch (operation) {
      case 'ListPipelines': {
        const page = await pipelines.list({
          ...(typeof body.PipelineNamePrefix === 'string'
            ? { namePrefix: body.PipelineNamePrefix }
            : {}),
          ...pageRequest(body),
        });
        return {
          PipelineSummaries: page.items.map((p) => ({
            PipelineArn: p.arn,
            PipelineName: p.name,
            ...(p.displayName ? { PipelineDisplayName: p.displayName } : {}),
            ...(p.description ? { PipelineDescription: p.description } : {}),
            ...(p.lastExecutionTime ? { LastExecutionTime: epoch(p.lastExecutionTime) } : {}),
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }
      case 'DescribePipeline': {
        const p = await pipelines.describe(stringOf(body.PipelineName));
        return {
          PipelineArn: p.arn,
          PipelineName: p.name,
          ...(p.displayName ? { PipelineDisplayName: p.displayName } : {}),
          ...(p.description ? { PipelineDescription: p.description } : {}),
          PipelineDefinition: JSON.stringify(definitionOf(p)),
          ...(p.roleArn ? { RoleArn: p.roleArn } : {}),
          PipelineStatus: 'Active',
          ...(p.lastExecutionTime ? { LastRunTime: epoch(p.lastExecutionTime) } : {}),
        };
      }
      case 'StartPipelineExecution': {
        const { executionArn } = await pipelines.start({
          pipelineName: stringOf(body.PipelineName),
          parameters: arrayOf(body.PipelineParameters).map(toParameter),
          clientToken: stringOf(body.ClientRequestToken) || randomUUID(),
          ...(typeof body.PipelineExecutionDisplayName === 'string'
            ? { displayName: body.PipelineExecutionDisplayName }
            : {}),
          ...(typeof body.PipelineExecutionDescription === 'string'
            ? { description: body.PipelineExecutionDescription }
            : {}),
        });
        return { PipelineExecutionArn: executionArn };
      }
      case 'ListPipelineExecutions': {
        // LocalPipelines lists newest first, which is what the adapter asks for.
        const page = await pipelines.listExecutions(stringOf(body.PipelineName), pageRequest(body));
        return {
          PipelineExecutionSummaries: page.items.map((e) => ({
            PipelineExecutionArn: e.arn,
            StartTime: epoch(e.startTime),
            PipelineExecutionStatus: e.status,
            ...(e.displayName ? { PipelineExecutionDisplayName: e.displayName } : {}),
            ...(e.description ? { PipelineExecutionDescription: e.description } : {}),
            ...(e.failureReason ? { PipelineExecutionFailureReason: e.failureReason } : {}),
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }
      case 'DescribePipelineExecution': {
        const e = await pipelines.describeExecution(stringOf(body.PipelineExecutionArn));
        return {
          PipelineArn: e.pipelineArn,
          PipelineExecutionArn: e.arn,
          PipelineExecutionStatus: e.status,
          ...(e.displayName ? { PipelineExecutionDisplayName: e.displayName } : {}),
          ...(e.description ? { PipelineExecutionDescription: e.description } : {}),
          ...(e.failureReason ? { FailureReason: e.failureReason } : {}),
          CreationTime: epoch(e.startTime),
          LastModifiedTime: epoch(e.endTime ?? e.startTime),
        };
      }
      case 'ListPipelineParametersForExecution': {
        const e = await pipelines.describeExecution(stringOf(body.PipelineExecutionArn));
        const page = slicePage(e.parameters, body.NextToken, body.MaxResults);
        return {
          PipelineParameters: page.items.map((p) => ({ Name: p.name, Value: p.value })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }
      case 'StopPipelineExecution': {
        const arn = stringOf(body.PipelineExecutionArn);
        await pipelines.stopExecution(arn);
        return { PipelineExecutionArn: arn };
      }
      default:
        throw unsupported(`SageMaker.${operation}`);
    }
  }
}

type EventTriggerWithArn = EventTrigger & { arn: string };

function toWireError(error: unknown, service: Service): WireError {
  if (error instanceof WireError) return error;
  if (isTriggerError(error)) {
    const [type, status] = ERRORS[service][error.code];
    return new WireError(type, status, error.message);
  }
  // A bug here, not an AWS answer: 501 is loud and the SDK does not retry it.
  return new WireError('StandInFailure', 501, String(error));
}

function unsupported(what: string): WireError {
  return new WireError('StandInUnsupported', 501, `the local AWS endpoint does not do ${what}`);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function arrayOf(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function toParameter(p: Json): { name: string; value: string } {
  return { name: stringOf(p.Name), value: stringOf(p.Value) };
}

/** Dates travel as epoch seconds in both protocols (the SDK's default for JSON bodies). */
function epoch(date: Date): number {
  return date.getTime() / 1000;
}

function fromEpoch(value: unknown): Date {
  return typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
}

function clientToken(body: Json): string {
  return stringOf(body.ClientToken) || randomUUID();
}

function groupArn(name: string): string {
  return `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule-group/${name}`;
}

/** A CreateSchedule/UpdateSchedule body in our terms; UpdateSchedule resets what is left out. */
function toSchedule(name: string, group: string, body: Json): ScheduleTrigger {
  const target = (body.Target ?? {}) as Json;
  const pipelineArn = stringOf(target.Arn);
  const window = (body.FlexibleTimeWindow ?? {}) as Json;
  const retry = target.RetryPolicy as Json | undefined;
  const sageMaker = (target.SageMakerPipelineParameters ?? {}) as Json;
  const deadLetter = target.DeadLetterConfig as Json | undefined;
  return {
    kind: 'schedule',
    name,
    group,
    pipelineArn,
    pipelineName: pipelineNameOf(pipelineArn),
    expression: stringOf(body.ScheduleExpression),
    timeZone: stringOf(body.ScheduleExpressionTimezone) || 'UTC',
    ...(body.StartDate !== undefined ? { start: fromEpoch(body.StartDate) } : {}),
    ...(body.EndDate !== undefined ? { end: fromEpoch(body.EndDate) } : {}),
    ...(window.Mode === 'FLEXIBLE' && typeof window.MaximumWindowInMinutes === 'number'
      ? { flexibleWindowMinutes: window.MaximumWindowInMinutes }
      : {}),
    state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    roleArn: stringOf(target.RoleArn),
    parameters: arrayOf(sageMaker.PipelineParameterList).map(toParameter),
    ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
    retryPolicy: {
      maximumEventAgeSeconds:
        typeof retry?.MaximumEventAgeInSeconds === 'number'
          ? retry.MaximumEventAgeInSeconds
          : SCHEDULER_DEFAULT_RETRY.maximumEventAgeSeconds,
      maximumRetryAttempts:
        typeof retry?.MaximumRetryAttempts === 'number'
          ? retry.MaximumRetryAttempts
          : SCHEDULER_DEFAULT_RETRY.maximumRetryAttempts,
    },
    ...(typeof deadLetter?.Arn === 'string' ? { deadLetterArn: deadLetter.Arn } : {}),
    deleteAfterCompletion: body.ActionAfterCompletion === 'DELETE',
  };
}

/** A GetSchedule answer. */
function fromSchedule(s: ScheduleRecord): Json {
  return {
    Arn: s.arn,
    GroupName: s.group,
    Name: s.name,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timeZone,
    ...(s.start ? { StartDate: epoch(s.start) } : {}),
    ...(s.end ? { EndDate: epoch(s.end) } : {}),
    ...(s.description !== undefined ? { Description: s.description } : {}),
    State: s.state,
    ...(s.createdAt ? { CreationDate: epoch(s.createdAt) } : {}),
    ...(s.modifiedAt ? { LastModificationDate: epoch(s.modifiedAt) } : {}),
    Target: {
      Arn: s.pipelineArn,
      RoleArn: s.roleArn,
      SageMakerPipelineParameters:
        s.parameters.length > 0
          ? { PipelineParameterList: s.parameters.map((p) => ({ Name: p.name, Value: p.value })) }
          : {},
      RetryPolicy: {
        MaximumEventAgeInSeconds: s.retryPolicy.maximumEventAgeSeconds,
        MaximumRetryAttempts: s.retryPolicy.maximumRetryAttempts,
      },
      ...(s.deadLetterArn ? { DeadLetterConfig: { Arn: s.deadLetterArn } } : {}),
    },
    FlexibleTimeWindow:
      s.flexibleWindowMinutes === undefined
        ? { Mode: 'OFF' }
        : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: s.flexibleWindowMinutes },
    ActionAfterCompletion: s.deleteAfterCompletion ? 'DELETE' : 'NONE',
  };
}

function toRuleTarget(t: Json): { target: RuleTarget; roleArn: string } {
  const arn = stringOf(t.Arn);
  const sageMaker = (t.SageMakerPipelineParameters ?? {}) as Json;
  return {
    target: {
      id: stringOf(t.Id),
      pipelineArn: arn,
      pipelineName: pipelineNameOf(arn),
      parameters: arrayOf(sageMaker.PipelineParameterList).map(toParameter),
    },
    roleArn: stringOf(t.RoleArn),
  };
}

function fromRuleTarget(t: RuleTarget, roleArn: string): Json {
  return {
    Id: t.id,
    Arn: t.pipelineArn,
    RoleArn: roleArn,
    SageMakerPipelineParameters: {
      PipelineParameterList: t.parameters.map((p) => ({ Name: p.name, Value: p.value })),
    },
  };
}

/** The PipelineDefinition SageMaker stores, reduced to what parametersFromDefinition reads. */
function definitionOf(pipeline: Pipeline): Json {
  return {
    Version: '2020-12-01',
    Metadata: {},
    // The SageMaker Python SDK writes defaults in their JSON type (10, false, "ml.m5.xlarge").
    Parameters: pipeline.parameters.map((p) => ({
      Name: p.name,
      Type: p.type,
      ...(p.defaultValue !== undefined
        ? { DefaultValue: typedDefault(p.type, p.defaultValue) }
        : {}),
      ...(p.description ? { Description: p.description } : {}),
      ...(p.enumValues ? { EnumValues: p.enumValues } : {}),
    })),
    Steps: [],
  };
}

function typedDefault(type: Pipeline['parameters'][number]['type'], value: string): unknown {
  if (type === 'Boolean' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  // Only when the text survives the trip (a Float "1.0" stays text).
  if ((type === 'Integer' || type === 'Float') && String(Number(value)) === value)
    return Number(value);
  return value;
}

function pageRequest(body: Json): { maxResults?: number; nextToken?: string } {
  return {
    ...(typeof body.MaxResults === 'number' ? { maxResults: body.MaxResults } : {}),
    ...(typeof body.NextToken === 'string' ? { nextToken: body.NextToken } : {}),
  };
}

/** Offset paging over a list the endpoint holds whole. */
function slicePage<T>(
  items: T[],
  token: unknown,
  limit: unknown,
): { items: T[]; nextToken?: string } {
  const offset = typeof token === 'string' ? Number(token) || 0 : 0;
  const size = typeof limit === 'number' ? Math.min(Math.max(limit, 1), 100) : 100;
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    ...(end < items.length ? { nextToken: String(end) } : {}),
  };
}
