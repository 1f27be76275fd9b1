import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { type AwsBackendOptions, createAwsBackend } from '../../src/scheduling/aws/backend.js';
import { isTriggerError, type TriggerErrorCode } from '../../src/scheduling/errors.js';
import { parseEventPattern } from '../../src/scheduling/events/event-pattern/index.js';
import type { LocalBackend } from '../../src/scheduling/local/local-backend.js';
import { type LocalRule, ruleArn } from '../../src/scheduling/local/local-rules.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../src/scheduling/local/pipeline-catalog.js';
import { PIPELINE_ARN, type Pipeline, pipelineNameOf } from '../../src/scheduling/pipeline.js';
import { readScheduleDocument, scheduleDocument } from '../../src/scheduling/schedule-document.js';
import { TRIGGER_NAME } from '../../src/scheduling/trigger-rules.js';
import type {
  RuleRecord,
  RuleTarget,
  ScheduleRecord,
  ScheduleTrigger,
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

export class AwsLocalEndpoint {
  private requestCount = 0;
  /** Every request, as the service received it: for asserting what was sent. */
  readonly requests: Array<{ service: Service; operation: string; body: Json }> = [];

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
    this.requests.push({
      service,
      operation: service === 'scheduler' ? `${req.method} ${url.pathname}` : operation,
      body,
    });
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
    if (route?.[1] === 'schedule-groups' && name === undefined && method === 'GET') {
      const groups = await schedules.listGroups();
      return {
        body: {
          ScheduleGroups: groups.map((g) => ({ Arn: groupArn(g), Name: g, State: 'ACTIVE' })),
        },
      };
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
            ...(s.modifiedAt ? { LastModificationDate: epoch(s.modifiedAt) } : {}),
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
        const hasPattern = typeof body.EventPattern === 'string';
        const hasSchedule = typeof body.ScheduleExpression === 'string';
        if (hasPattern === hasSchedule)
          throw new WireError(
            'ValidationException',
            400,
            'Parameter(s) EventPattern or ScheduleExpression must be specified.',
          );
        if (hasPattern) {
          const pattern = parseEventPattern(stringOf(body.EventPattern));
          if (!pattern.ok)
            throw new WireError(
              'InvalidEventPatternException',
              400,
              `Event pattern is not valid. Reason: ${pattern.error.message}`,
            );
        }
        const current = await this.findRule(name);
        // PutRule replaces the rule's own fields (a description left out is cleared); the
        // targets stay.
        await rules.store({
          kind: 'event',
          name,
          bus: 'default',
          eventPattern: stringOf(body.EventPattern),
          ...(hasSchedule ? { scheduleExpression: stringOf(body.ScheduleExpression) } : {}),
          state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
          ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
          roleArn: current?.roleArn ?? '',
          targets: current?.targets ?? [],
          otherTargets: current?.otherTargets ?? [],
          ...(current?.tags ? { tags: current.tags } : {}),
          ...(Array.isArray(body.Tags) && !current
            ? {
                tags: Object.fromEntries(
                  arrayOf(body.Tags).map((t) => [stringOf(t.Key), stringOf(t.Value)]),
                ),
              }
            : {}),
        });
        return { RuleArn: ruleArn(name) };
      }
      case 'PutTargets': {
        const current = await this.requireRule(stringOf(body.Rule));
        const given = arrayOf(body.Targets).map(toRuleTarget);
        const pipelineTargets = given.filter((t) => 'target' in t);
        const roles = new Set(pipelineTargets.map((t) => t.roleArn));
        const givenIds = new Set(given.map((t) => ('target' in t ? t.target.id : t.other.id)));
        const kept = current.targets.filter((t) => !givenIds.has(t.id));
        // LocalRules keeps one role for the pipeline targets of a rule, as our triggers use it.
        if (roles.size > 1 || (kept.length > 0 && roles.size > 0 && !roles.has(current.roleArn)))
          throw unsupported('targets of one rule with different RoleArns');
        const targets = new Map(current.targets.map((t) => [t.id, t]));
        const others = new Map(current.otherTargets.map((t) => [t.id, t]));
        for (const t of given) {
          if ('target' in t) {
            others.delete(t.target.id);
            targets.set(t.target.id, t.target);
          } else {
            targets.delete(t.other.id);
            others.set(t.other.id, t.other);
          }
        }
        await rules.store({
          ...current,
          roleArn: pipelineTargets[0]?.roleArn ?? current.roleArn,
          targets: [...targets.values()],
          otherTargets: [...others.values()],
        });
        return { FailedEntryCount: 0, FailedEntries: [] };
      }
      case 'ListTargetsByRule': {
        const rule = await this.requireRule(stringOf(body.Rule));
        const all = [
          ...rule.targets.map((t) => fromRuleTarget(t, rule.roleArn)),
          ...rule.otherTargets.map((t) => ({ Id: t.id, Arn: t.arn })),
        ];
        const page = slicePage(all, body.NextToken, body.Limit);
        return { Targets: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      }
      case 'ListRuleNamesByTarget': {
        const names = await rules.namesByTarget(stringOf(body.TargetArn));
        const page = slicePage(names, body.NextToken, body.Limit);
        return {
          RuleNames: page.items,
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      }
      case 'ListTagsForResource': {
        const arn = stringOf(body.ResourceARN);
        const rule = await this.requireRule(arn.slice(arn.lastIndexOf('/') + 1));
        return {
          Tags: Object.entries(rule.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        };
      }
      case 'RemoveTargets': {
        const name = stringOf(body.Rule);
        await this.requireRule(name);
        await rules.removeTargets(name, arrayOf(body.Ids).map(stringOf));
        return { FailedEntryCount: 0, FailedEntries: [] };
      }
      case 'DescribeRule': {
        const rule = await this.requireRule(stringOf(body.Name));
        return {
          Name: rule.name,
          Arn: ruleArn(rule.name),
          ...(rule.scheduleExpression !== undefined
            ? { ScheduleExpression: rule.scheduleExpression }
            : { EventPattern: rule.eventPattern }),
          State: rule.state,
          ...(rule.description !== undefined ? { Description: rule.description } : {}),
          ...(rule.managedBy !== undefined ? { ManagedBy: rule.managedBy } : {}),
          EventBusName: 'default',
          CreatedBy: LOCAL_ACCOUNT,
        };
      }
      case 'DeleteRule': {
        // AWS answers 200 for a rule that does not exist, and refuses one that has targets.
        const name = stringOf(body.Name);
        const rule = await this.findRule(name);
        if (!rule) return {};
        if (rule.targets.length + rule.otherTargets.length > 0)
          throw new WireError(
            'ValidationException',
            400,
            "Rule can't be deleted since it has targets.",
          );
        await rules.delete(name);
        return {};
      }
      case 'EnableRule':
      case 'DisableRule': {
        const name = stringOf(body.Name);
        await this.requireRule(name);
        await rules.setState(name, operation === 'EnableRule' ? 'ENABLED' : 'DISABLED');
        return {};
      }
      case 'ListRules':
        return this.listRules(body);
      default:
        throw unsupported(`AWSEvents.${operation}`);
    }
  }

  private async findRule(name: string): Promise<(RuleRecord & LocalRule) | undefined> {
    try {
      return await this.backend.rules.get(name);
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    }
  }

  private async requireRule(name: string): Promise<RuleRecord & LocalRule> {
    const rule = await this.findRule(name);
    if (!rule)
      throw new WireError(
        'ResourceNotFoundException',
        400,
        `Rule ${name} does not exist on EventBus default.`,
      );
    return rule;
  }

  private async listRules(body: Json): Promise<unknown> {
    const prefix = typeof body.NamePrefix === 'string' ? body.NamePrefix : '';
    const page = await this.backend.rules.list({
      ...(prefix ? { namePrefix: prefix } : {}),
      ...(typeof body.Limit === 'number' ? { maxResults: body.Limit } : {}),
      ...(typeof body.NextToken === 'string' ? { nextToken: body.NextToken } : {}),
    });
    return {
      Rules: await Promise.all(
        page.items.map(async (r) => {
          const full = await this.findRule(r.name);
          return {
            Name: r.name,
            Arn: ruleArn(r.name),
            State: r.state,
            ...(full?.scheduleExpression !== undefined
              ? { ScheduleExpression: full.scheduleExpression }
              : full
                ? { EventPattern: full.eventPattern }
                : {}),
            ...(full?.description !== undefined ? { Description: full.description } : {}),
            EventBusName: 'default',
          };
        }),
      ),
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
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

/**
 * A CreateSchedule/UpdateSchedule body as the schedule Scheduler then holds: the whole body
 * (UpdateSchedule resets what is left out), name and group beside it, dates as ISO text.
 */
function toSchedule(name: string, group: string, body: Json): ScheduleTrigger {
  const { ClientToken: _token, StartDate, EndDate, ...members } = body;
  const document: Json = {
    ...members,
    Name: name,
    GroupName: group,
    ...(StartDate !== undefined ? { StartDate: fromEpoch(StartDate).toISOString() } : {}),
    ...(EndDate !== undefined ? { EndDate: fromEpoch(EndDate).toISOString() } : {}),
  };
  return readScheduleDocument(document, { group, name });
}

/** A GetSchedule answer: the held document, and what Scheduler says of the resource. */
function fromSchedule(s: ScheduleRecord): Json {
  const { StartDate, EndDate, ...members } = { ...(s.held ?? scheduleDocument(s)) } as Json;
  return {
    ...members,
    Arn: s.arn,
    ...(StartDate !== undefined ? { StartDate: epoch(new Date(String(StartDate))) } : {}),
    ...(EndDate !== undefined ? { EndDate: epoch(new Date(String(EndDate))) } : {}),
    ...(s.createdAt ? { CreationDate: epoch(s.createdAt) } : {}),
    ...(s.modifiedAt ? { LastModificationDate: epoch(s.modifiedAt) } : {}),
  };
}

function toRuleTarget(
  t: Json,
): { target: RuleTarget; roleArn: string } | { other: { id: string; arn: string } } {
  const arn = stringOf(t.Arn);
  if (!PIPELINE_ARN.test(arn)) return { other: { id: stringOf(t.Id), arn } };
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

/**
 * The AWS back end on the real SDK clients, talking over loopback to a local back end: what
 * the tests and benchmarks mean by "over the wire". `close` destroys the clients and the
 * endpoint.
 */
export async function awsBackendOverTheWire(
  local: LocalBackend,
  extra: Omit<AwsBackendOptions, 'schedulerClient' | 'eventBridgeClient' | 'sageMakerClient'> = {},
): Promise<{
  backend: ReturnType<typeof createAwsBackend>;
  endpoint: AwsLocalEndpoint;
  close: () => Promise<void>;
}> {
  const endpoint = await AwsLocalEndpoint.start(local);
  const config = endpoint.clientConfig({ maxAttempts: 1 });
  const clients = [
    new SchedulerClient(config),
    new EventBridgeClient(config),
    new SageMakerClient(config),
  ] as const;
  const backend = createAwsBackend({
    region: 'us-east-1',
    ...extra,
    schedulerClient: clients[0],
    eventBridgeClient: clients[1],
    sageMakerClient: clients[2],
  });
  return {
    backend,
    endpoint,
    async close() {
      for (const client of clients) client.destroy();
      await endpoint.close();
    },
  };
}
