import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { TriggerError } from '../errors.js';
import {
  checkParameterValues,
  type ParameterValue,
  type Pipeline,
  type PipelineSummary,
  pipelineNameOf,
} from '../pipeline.js';
import type { PipelinesPort, StartExecutionRequest } from '../ports.js';
import type {
  Execution,
  ExecutionStatus,
  ExecutionSummary,
  Page,
  PageRequest,
} from '../triggers.js';
import type { Clock } from './clock.js';
import { envelope, type LocalEventBus } from './event-bus.js';
import type { LocalStateRepository } from './local-state.js';
import type { SimulatedPipeline } from './pipeline-catalog.js';

type StepStatus = 'Starting' | 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

interface StoredStep {
  name: string;
  type: string;
  status?: StepStatus;
  startTime?: number;
  endTime?: number;
  failureReason?: string;
}

/** A simulated execution as the store keeps it. */
interface StoredExecution {
  arn: string;
  pipelineArn: string;
  pipelineName: string;
  status: ExecutionStatus;
  startTime: number;
  endTime?: number;
  displayName?: string;
  description?: string;
  failureReason?: string;
  parameters: ParameterValue[];
  steps: StoredStep[];
  /** Seconds each step takes, fixed at start so a restart replays the same timeline. */
  durations: number[];
  fails: Array<string | null>;
  stopRequestedAt?: number;
}

export const EXECUTION_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Status Change';
export const STEP_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Step Status Change';

const STOP_DELAY_MS = 1000;

/**
 * Simulated SageMaker pipelines: started, an execution walks through its steps on the clock and
 * publishes the same EventBridge events SageMaker does. Executions live in the store, so a
 * restart resumes them where the clock says they are; ClientRequestToken makes a start
 * idempotent, as in SageMaker.
 */
export class LocalPipelines implements PipelinesPort {
  private readonly timers = new Map<string, unknown>();
  private readonly catalog = new Map<string, SimulatedPipeline>();
  private stopped = false;
  /** The newest write to the executions table this process has seen. */
  private watermark = 0;

  constructor(
    pipelines: SimulatedPipeline[],
    private readonly state: LocalStateRepository,
    private readonly bus: LocalEventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    for (const p of pipelines) this.catalog.set(p.name.toLowerCase(), p);
  }

  /** Picks up executions that were running when the process stopped. */
  async resume(): Promise<void> {
    const rows = await this.state.list('executions');
    for (const row of rows) {
      this.watermark = Math.max(this.watermark, row.updatedAt.getTime());
      const execution = JSON.parse(row.json) as StoredExecution;
      if (execution.status === 'Executing' || execution.status === 'Stopping')
        await this.advance(execution.arn);
    }
  }

  /** Picks up executions another process (a one-shot CLI command) started since the last look. */
  async sync(): Promise<void> {
    const rows = await this.state.list('executions', {
      updatedSince: new Date(this.watermark),
    });
    for (const row of rows) {
      this.watermark = Math.max(this.watermark, row.updatedAt.getTime());
      if (this.timers.has(row.key)) continue;
      const execution = JSON.parse(row.json) as StoredExecution;
      if (execution.status === 'Executing' || execution.status === 'Stopping')
        await this.advance(execution.arn);
    }
  }

  /** Stops the timers; running executions resume on the next start. */
  close(): void {
    this.stopped = true;
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
  }

  /** Removes a pipeline, as DeletePipeline would: its schedules become orphans. */
  deletePipeline(name: string): boolean {
    return this.catalog.delete(name.toLowerCase());
  }

  /** Why a start of this pipeline fails (its `startFails:`), if it does; undefined if unknown. */
  startFailure(nameOrArn: string): string | undefined {
    try {
      return this.find(nameOrArn).startFails;
    } catch {
      return undefined;
    }
  }

  /** Makes starts of a pipeline fail with this message, or (undefined) succeed again: the fix. */
  setStartFails(name: string, message: string | undefined): void {
    const pipeline = this.find(name);
    const { startFails: _old, ...rest } = pipeline;
    this.catalog.set(
      pipeline.name.toLowerCase(),
      message ? { ...rest, startFails: message } : rest,
    );
  }

  async list(query: PageRequest & { namePrefix?: string }): Promise<Page<PipelineSummary>> {
    const prefix = query.namePrefix?.toLowerCase() ?? '';
    const all = [...this.catalog.values()]
      .filter((p) => p.name.toLowerCase().startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const offset = query.nextToken ? Number(query.nextToken) : 0;
    const size = Math.min(Math.max(query.maxResults ?? 100, 1), 100);
    const items = all.slice(offset, offset + size).map(({ name, arn, description }) => ({
      name,
      arn,
      ...(description ? { description } : {}),
    }));
    return { items, ...(offset + size < all.length ? { nextToken: String(offset + size) } : {}) };
  }

  async describe(nameOrArn: string): Promise<Pipeline> {
    const { steps: _steps, startFails: _startFails, ...pipeline } = this.find(nameOrArn);
    return pipeline;
  }

  async start(request: StartExecutionRequest): Promise<{ executionArn: string }> {
    const pipeline = this.find(request.pipelineName);
    if (pipeline.startFails)
      throw new TriggerError('ACCESS_DENIED', `AccessDeniedException: ${pipeline.startFails}`, {
        pipeline: pipeline.name,
      });
    if (request.clientToken.length < 32 || request.clientToken.length > 128) {
      throw new TriggerError('VALIDATION', 'ClientRequestToken must be 32-128 characters');
    }
    const problems = checkParameterValues(pipeline.parameters, request.parameters, {
      pipelineName: pipeline.name,
    });
    if (problems.length > 0)
      throw new TriggerError('VALIDATION', problems.map((p) => p.message).join('; '));
    const id = createHash('sha256')
      .update(`${pipeline.arn}|${request.clientToken}`)
      .digest('hex')
      .slice(0, 12);
    const arn = `${pipeline.arn}/execution/${id}`;
    const owner = await this.state.claimToken('sagemaker-start', request.clientToken, arn);
    if (owner !== arn) return { executionArn: owner };
    const given = new Map(request.parameters.map((p) => [p.name, p.value]));
    const now = this.clock.now();
    const execution: StoredExecution = {
      arn,
      pipelineArn: pipeline.arn,
      pipelineName: pipeline.name,
      status: 'Executing',
      startTime: now,
      ...(request.displayName ? { displayName: request.displayName } : {}),
      ...(request.description ? { description: request.description } : {}),
      parameters: pipeline.parameters.map((p) => ({
        name: p.name,
        value: given.get(p.name) ?? p.defaultValue ?? '',
      })),
      steps: pipeline.steps.map((s) => ({ name: s.name, type: s.type })),
      durations: pipeline.steps.map((s) => s.seconds),
      fails: pipeline.steps.map((s) => s.fails ?? null),
    };
    // Claimed the token but crashed before saving: the insert below is then the first save.
    await this.state.insert('executions', {
      key: arn,
      ref: pipeline.name.toLowerCase(),
      json: JSON.stringify(execution),
      updatedAt: new Date(now),
    });
    this.log.info(
      { pipeline: pipeline.name, executionArn: arn },
      'local pipeline execution started',
    );
    await this.publishExecution(execution, undefined);
    await this.advance(arn);
    return { executionArn: arn };
  }

  async listExecutions(pipelineName: string, query: PageRequest): Promise<Page<ExecutionSummary>> {
    const pipeline = this.find(pipelineName);
    const rows = await this.state.list('executions', { ref: pipeline.name.toLowerCase() });
    const all = rows
      .map((r) => JSON.parse(r.json) as StoredExecution)
      .sort((a, b) => b.startTime - a.startTime);
    const offset = query.nextToken ? Number(query.nextToken) : 0;
    const size = Math.min(Math.max(query.maxResults ?? 50, 1), 100);
    return {
      items: all.slice(offset, offset + size).map(toSummary),
      ...(offset + size < all.length ? { nextToken: String(offset + size) } : {}),
    };
  }

  async describeExecution(executionArn: string): Promise<Execution> {
    const execution = await this.load(executionArn);
    return {
      ...toSummary(execution),
      ...(execution.endTime ? { endTime: new Date(execution.endTime) } : {}),
      parameters: execution.parameters,
    };
  }

  async stopExecution(executionArn: string): Promise<void> {
    const execution = await this.load(executionArn);
    if (execution.status !== 'Executing') {
      throw new TriggerError(
        'CONFLICT',
        `execution ${executionArn} is ${execution.status}; only an Executing one can be stopped`,
      );
    }
    const previous = execution.status;
    execution.status = 'Stopping';
    execution.stopRequestedAt = this.clock.now();
    await this.save(execution);
    await this.publishExecution(execution, previous);
    await this.advance(executionArn);
  }

  private find(nameOrArn: string): SimulatedPipeline {
    const pipeline = this.catalog.get(pipelineNameOf(nameOrArn).toLowerCase());
    if (!pipeline)
      throw new TriggerError('NOT_FOUND', `pipeline ${pipelineNameOf(nameOrArn)} does not exist`, {
        pipeline: nameOrArn,
      });
    return pipeline;
  }

  private async load(executionArn: string): Promise<StoredExecution> {
    const row = await this.state.get('executions', executionArn);
    if (!row) throw new TriggerError('NOT_FOUND', `execution ${executionArn} does not exist`);
    return JSON.parse(row.json) as StoredExecution;
  }

  private async save(execution: StoredExecution): Promise<void> {
    await this.state.put('executions', {
      key: execution.arn,
      ref: execution.pipelineName.toLowerCase(),
      json: JSON.stringify(execution),
      updatedAt: new Date(this.clock.now()),
    });
  }

  /**
   * Applies every transition that is due by now, publishing its event, and arms a timer for the
   * next one. The timeline is a pure function of the start time and the step durations, so a
   * restart replays exactly the transitions it missed.
   */
  private async advance(executionArn: string): Promise<void> {
    if (this.stopped) return;
    const handle = this.timers.get(executionArn);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.timers.delete(executionArn);
    const execution = await this.load(executionArn);
    for (;;) {
      const next = this.nextTransition(execution);
      if (!next) return;
      const now = this.clock.now();
      if (next.at > now) {
        this.timers.set(
          executionArn,
          this.clock.setTimeout(() => {
            this.advance(executionArn).catch((error: unknown) =>
              this.log.error({ err: error, executionArn }, 'local execution failed to advance'),
            );
          }, next.at - now),
        );
        return;
      }
      const events = next.apply();
      await this.save(execution);
      for (const publish of events) await publish();
    }
  }

  /** The next change of a running execution: when it happens, and a function that applies it. */
  private nextTransition(
    e: StoredExecution,
  ): { at: number; apply: () => Array<() => Promise<void>> } | undefined {
    if (e.status === 'Stopping') {
      return {
        at: (e.stopRequestedAt ?? e.startTime) + STOP_DELAY_MS,
        apply: () => {
          const at = (e.stopRequestedAt ?? e.startTime) + STOP_DELAY_MS;
          const events: Array<() => Promise<void>> = [];
          for (const step of e.steps) {
            if (step.status === 'Executing') {
              step.status = 'Stopped';
              step.endTime = at;
              events.push(() => this.publishStep(e, step, 'Stopping'));
            }
          }
          e.status = 'Stopped';
          e.endTime = at;
          events.push(() => this.publishExecution(e, 'Stopping'));
          return events;
        },
      };
    }
    if (e.status !== 'Executing') return undefined;
    let stepStart = e.startTime;
    for (let i = 0; i < e.steps.length; i++) {
      const step = e.steps[i] as StoredStep;
      const stepEnd = stepStart + (e.durations[i] ?? 0) * 1000;
      if (step.status === undefined) {
        return {
          at: stepStart,
          apply: () => {
            step.status = 'Executing';
            step.startTime = stepStart;
            return [() => this.publishStep(e, step, 'Starting')];
          },
        };
      }
      if (step.status === 'Executing') {
        return {
          at: stepEnd,
          apply: () => {
            const reason = e.fails[i];
            step.endTime = stepEnd;
            const events: Array<() => Promise<void>> = [];
            if (reason) {
              step.status = 'Failed';
              step.failureReason = reason;
              e.status = 'Failed';
              e.failureReason = `Step failure: One or multiple steps failed. ${step.name}: ${reason}`;
              e.endTime = stepEnd;
              events.push(
                () => this.publishStep(e, step, 'Executing'),
                () => this.publishExecution(e, 'Executing'),
              );
            } else {
              step.status = 'Succeeded';
              events.push(() => this.publishStep(e, step, 'Executing'));
              if (i === e.steps.length - 1) {
                e.status = 'Succeeded';
                e.endTime = stepEnd;
                events.push(() => this.publishExecution(e, 'Executing'));
              }
            }
            return events;
          },
        };
      }
      stepStart = step.endTime ?? stepEnd;
    }
    return undefined;
  }

  private publishExecution(
    execution: StoredExecution,
    previous: ExecutionStatus | undefined,
  ): Promise<void> {
    const detail: Record<string, unknown> = {
      pipelineArn: execution.pipelineArn,
      pipelineExecutionArn: execution.arn,
      currentPipelineExecutionStatus: execution.status,
      executionStartTime: iso(execution.startTime),
    };
    if (previous) detail.previousPipelineExecutionStatus = previous;
    if (execution.displayName) detail.pipelineExecutionDisplayName = execution.displayName;
    if (execution.description) detail.pipelineExecutionDescription = execution.description;
    if (execution.endTime !== undefined) detail.executionEndTime = iso(execution.endTime);
    return this.publishSageMaker(EXECUTION_STATUS_CHANGE, execution, detail);
  }

  /** An event as SageMaker puts it on the default bus: its source, the two ARNs, the detail. */
  private publishSageMaker(
    detailType: string,
    execution: StoredExecution,
    detail: Record<string, unknown>,
  ): Promise<void> {
    return this.bus.publish(
      envelope(
        {
          source: 'aws.sagemaker',
          'detail-type': detailType,
          resources: [execution.pipelineArn, execution.arn],
          detail,
        },
        this.clock.now(),
      ),
    );
  }

  private publishStep(
    execution: StoredExecution,
    step: StoredStep,
    previous: StepStatus | undefined,
  ): Promise<void> {
    const detail: Record<string, unknown> = {
      pipelineArn: execution.pipelineArn,
      pipelineExecutionArn: execution.arn,
      stepName: step.name,
      stepType: step.type,
      currentStepStatus: step.status,
      metadata: {},
    };
    if (previous) detail.previousStepStatus = previous;
    if (step.startTime !== undefined) detail.stepStartTime = iso(step.startTime);
    if (step.endTime !== undefined) detail.stepEndTime = iso(step.endTime);
    if (step.failureReason) detail.failureReason = step.failureReason;
    return this.publishSageMaker(STEP_STATUS_CHANGE, execution, detail);
  }
}

function toSummary(e: StoredExecution): ExecutionSummary {
  return {
    arn: e.arn,
    pipelineArn: e.pipelineArn,
    status: e.status,
    startTime: new Date(e.startTime),
    ...(e.displayName ? { displayName: e.displayName } : {}),
    ...(e.description ? { description: e.description } : {}),
    ...(e.failureReason ? { failureReason: e.failureReason } : {}),
  };
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
