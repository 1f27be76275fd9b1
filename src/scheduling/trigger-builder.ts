import { createHash } from 'node:crypto';
import { closest } from './closest.js';
import { isTriggerError } from './errors.js';
import {
  checkParameterValues,
  type ParameterProblem,
  type ParameterValue,
  type Pipeline,
  parsePipelineRef,
} from './pipeline.js';
import type { PipelinesPort } from './ports.js';
import type {
  CreateEventTriggerInput,
  CreateScheduleInput,
  RequestContext,
  ServiceError,
  ServiceErrorCode,
  ServiceResult,
} from './scheduling-service.js';
import { checkEventTrigger, checkSchedule, type TriggerProblem } from './trigger-rules.js';
import { DEFAULT_RETRY_POLICY, type EventTrigger, type ScheduleTrigger } from './triggers.js';

/**
 * Turns what a person asked for into the trigger to write: the shared trigger rules first (no
 * AWS call for a typo), then the role this caller may pass, then the pipelines and their
 * parameters, which need the back end.
 */
export class TriggerBuilder {
  constructor(
    private readonly pipelines: PipelinesPort,
    private readonly group: string,
  ) {}

  async schedule(
    input: CreateScheduleInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<ScheduleTrigger>> {
    const ref = parsePipelineRef(input.pipeline);
    if (!ref.ok) return fail('INVALID_INPUT', ref.message, 'pipeline');
    const retry = input.retryPolicy ?? DEFAULT_RETRY_POLICY;
    const checked = checkSchedule({
      expression: input.expression,
      now: ctx.now ?? new Date(),
      roleArn: input.roleArn,
      retryPolicy: retry,
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      ...(input.start ? { start: input.start } : {}),
      ...(input.end ? { end: input.end } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.flexibleWindowMinutes !== undefined
        ? { flexibleWindowMinutes: input.flexibleWindowMinutes }
        : {}),
      ...(input.deadLetterArn !== undefined ? { deadLetterArn: input.deadLetterArn } : {}),
    });
    if (!checked.ok) return firstProblem(checked.problems);
    const refused = roleRefusal(input.roleArn, ctx);
    if (refused) return refused;
    const preview = checked.value;
    const pipeline = await this.loadPipeline(input.pipeline);
    if (!pipeline.ok) return pipeline;
    const parameters = input.parameters ?? [];
    const problems = checkParameterValues(pipeline.value.parameters, parameters, {
      pipelineName: pipeline.value.name,
    });
    if (problems.length > 0) return parameterFailure(problems);
    const expression = preview.expression;
    return ok({
      kind: 'schedule',
      name: input.name ?? defaultName(pipeline.value.name, ctx.requestId),
      group: this.group,
      pipelineArn: pipeline.value.arn,
      pipelineName: pipeline.value.name,
      expression: expression.text,
      timeZone: preview.timeZone,
      ...(input.start && expression.kind !== 'at' ? { start: input.start } : {}),
      ...(input.end && expression.kind !== 'at' ? { end: input.end } : {}),
      ...(input.flexibleWindowMinutes !== undefined
        ? { flexibleWindowMinutes: input.flexibleWindowMinutes }
        : {}),
      state: input.state ?? 'ENABLED',
      roleArn: input.roleArn,
      parameters,
      ...(input.description ? { description: input.description } : {}),
      retryPolicy: retry,
      ...(input.deadLetterArn ? { deadLetterArn: input.deadLetterArn } : {}),
      deleteAfterCompletion: input.deleteAfterCompletion ?? expression.kind === 'at',
    });
  }

  async eventTrigger(
    input: CreateEventTriggerInput,
    ctx: RequestContext,
  ): Promise<ServiceResult<EventTrigger>> {
    const checked = checkEventTrigger({
      pipelineCount: input.pipelines.length,
      eventPattern: input.eventPattern,
      roleArn: input.roleArn,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    });
    if (!checked.ok) return firstProblem(checked.problems);
    const refused = roleRefusal(input.roleArn, ctx);
    if (refused) return refused;
    const parameters = input.parameters ?? [];
    const targets: EventTrigger['targets'] = [];
    for (const name of input.pipelines) {
      const pipeline = await this.loadPipeline(name);
      if (!pipeline.ok) return pipeline;
      if (targets.some((t) => t.pipelineName.toLowerCase() === pipeline.value.name.toLowerCase())) {
        return fail(
          'INVALID_INPUT',
          `pipeline ${pipeline.value.name} is listed twice`,
          'pipelines',
        );
      }
      const problems = checkParameterValues(pipeline.value.parameters, parameters, {
        pipelineName: pipeline.value.name,
        allowDynamic: true,
      });
      if (problems.length > 0) return parameterFailure(problems);
      targets.push({
        id: pipeline.value.name,
        pipelineArn: pipeline.value.arn,
        pipelineName: pipeline.value.name,
        parameters,
      });
    }
    return ok({
      kind: 'event',
      name: input.name ?? defaultName(targets[0]?.pipelineName ?? 'event', ctx.requestId),
      eventPattern: JSON.stringify(checked.value.source),
      state: input.state ?? 'ENABLED',
      roleArn: input.roleArn,
      ...(input.description ? { description: input.description } : {}),
      targets,
    });
  }

  /** A rule target's parameters, changed, checked against its pipeline's definition. */
  async targetParameters(
    pipelineArn: string,
    parameters: ParameterValue[],
  ): Promise<ServiceResult<ParameterValue[]>> {
    const pipeline = await this.loadPipeline(pipelineArn);
    if (!pipeline.ok) return pipeline;
    const problems = checkParameterValues(pipeline.value.parameters, parameters, {
      pipelineName: pipeline.value.name,
      allowDynamic: true,
    });
    return problems.length > 0 ? parameterFailure(problems) : ok(parameters);
  }

  /** The pipeline a misspelt name most likely means, among the first page of them. */
  private async closestPipeline(name: string): Promise<string | undefined> {
    const page = await this.pipelines.list({ maxResults: 100 }).catch(() => ({ items: [] }));
    return closest(
      name,
      page.items.map((p) => p.name),
    );
  }

  /** The pipeline a name or ARN names; NOT_FOUND as a value when it does not exist. */
  async loadPipeline(nameOrArn: string): Promise<ServiceResult<Pipeline>> {
    const ref = parsePipelineRef(nameOrArn);
    if (!ref.ok) return fail('INVALID_INPUT', ref.message, 'pipeline');
    try {
      return ok(await this.pipelines.describe(ref.ref.arn ?? ref.ref.name));
    } catch (error) {
      if (isTriggerError(error, 'NOT_FOUND')) {
        const guess = await this.closestPipeline(ref.ref.name);
        return fail(
          'NOT_FOUND',
          `pipeline ${ref.ref.name} does not exist${guess ? ` (did you mean ${guess}?)` : ''}`,
          'pipeline',
        );
      }
      throw error;
    }
  }
}

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(
  code: ServiceErrorCode,
  message: string,
  field?: string,
): { ok: false; error: ServiceError } {
  return { ok: false, error: { code, message, ...(field ? { field } : {}) } };
}

export function parameterFailure(problems: ParameterProblem[]): {
  ok: false;
  error: ServiceError;
} {
  return {
    ok: false,
    error: {
      code: 'INVALID_INPUT',
      message: problems.map((p) => p.message).join('; '),
      field: 'parameters',
      problems: problems.map((p) => ({ field: `param:${p.name}`, message: p.message })),
    },
  };
}

/** The service answers one problem at a time: the first a form would show. */
function firstProblem(problems: TriggerProblem[]): { ok: false; error: ServiceError } {
  const [first] = problems;
  return fail('INVALID_INPUT', first?.message ?? 'the trigger is not valid', first?.field);
}

/** The access policy names the roles a caller may pass; the rules only say what a role ARN is. */
export function roleRefusal(
  roleArn: string,
  ctx: RequestContext,
): { ok: false; error: ServiceError } | undefined {
  if (ctx.allowedRoles === 'any' || ctx.allowedRoles.includes(roleArn)) return undefined;
  return fail(
    'ROLE_NOT_ALLOWED',
    `role ${roleArn} is not one this pipeline may use; ask an admin or pick an allowed role`,
    'roleArn',
  );
}

function defaultName(pipelineName: string, requestId: string): string {
  const suffix = createHash('sha256').update(requestId).digest('hex').slice(0, 6);
  return `${pipelineName.slice(0, 57)}-${suffix}`;
}
