import { z } from 'zod';
import type { StartedBy } from '../scheduling/attribution.js';
import type { PipelineEvent } from './events.js';

/** What the bot knows of one execution, built from its events in whatever order they came. */
export interface ExecutionState {
  executionArn: string;
  pipelineArn: string;
  pipelineName: string;
  status: string;
  /** When the event that set `status` happened (EventBridge time), for ordering equals. */
  statusTime?: string;
  displayName?: string;
  description?: string;
  startTime?: string;
  endTime?: string;
  failureReason?: string;
  /** The values the execution ran with, when the back end could tell. */
  parameters?: Array<{ name: string; value: string }>;
  /** What started it (attribution.ts), worked out once, when its message is first shown. */
  startedBy?: StartedBy;
  steps: Record<
    string,
    {
      status: string;
      type?: string;
      time?: string;
      failureReason?: string;
      startTime?: string;
      endTime?: string;
    }
  >;
  /** Event ids already applied: a duplicate changes nothing. */
  seen: string[];
}

const step = z
  .object({
    status: z.string(),
    type: z.string().optional(),
    time: z.string().optional(),
    failureReason: z.string().optional(),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
  })
  .loose();

const storedState = z
  .object({
    executionArn: z.string(),
    pipelineArn: z.string(),
    pipelineName: z.string(),
    status: z.string(),
    steps: z.record(z.string(), step),
    seen: z.array(z.string()),
  })
  .loose();

/**
 * The state a message row keeps, checked; undefined when it is not one the notifier wrote
 * (then the next event rebuilds it, which only costs an update).
 */
export function readExecutionState(text: string): ExecutionState | undefined {
  try {
    const parsed = storedState.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as ExecutionState) : undefined;
  } catch {
    return undefined;
  }
}

/** Where to go from an execution's message, worked out beside its state (see wiring.ts). */
export interface ExecutionLinks {
  /** Where to open the execution (SageMaker console); none for the local back end. */
  consoleUrl?: string;
  /** The trigger that started it, when known (its Pause button). */
  trigger?: string;
}

const executionRank: Record<string, number> = {
  Executing: 1,
  Stopping: 2,
  Stopped: 3,
  Failed: 3,
  Succeeded: 3,
};
const stepRank: Record<string, number> = {
  Starting: 1,
  Executing: 2,
  Stopping: 3,
  Stopped: 4,
  Failed: 4,
  Succeeded: 4,
};
/** Enough to recognise redeliveries; events of one execution are rarely more. */
const MAX_SEEN = 200;

export function isTerminal(status: string): boolean {
  return (executionRank[status] ?? 0) === 3;
}

export function pipelineNameFromArn(arn: string): string {
  return /:pipeline\/([^/]+)/.exec(arn)?.[1] ?? arn;
}

/**
 * Applies one event. Pure, idempotent, and order-proof: a status only moves forward (Executing
 * → Stopping → a final one), so a late or repeated event never shows an older status over a
 * newer one; between two final statuses, the later event wins.
 */
export function applyEvent(
  state: ExecutionState | undefined,
  event: PipelineEvent,
): ExecutionState {
  const d = event.detail;
  const current: ExecutionState = state ?? {
    executionArn: d.pipelineExecutionArn,
    pipelineArn: d.pipelineArn,
    pipelineName: pipelineNameFromArn(d.pipelineArn),
    status: 'Executing',
    steps: {},
    seen: [],
  };
  if (current.seen.includes(event.id)) return current;
  const next: ExecutionState = {
    ...current,
    steps: { ...current.steps },
    seen: [...current.seen, event.id].slice(-MAX_SEEN),
  };
  if (event.kind === 'execution') {
    const e = event.detail;
    if (e.pipelineExecutionDisplayName) next.displayName = e.pipelineExecutionDisplayName;
    if (e.pipelineExecutionDescription) next.description = e.pipelineExecutionDescription;
    if (e.executionStartTime) next.startTime = e.executionStartTime;
    if (e.executionEndTime) next.endTime = e.executionEndTime;
    if (
      newer(
        executionRank,
        e.currentPipelineExecutionStatus,
        event.time,
        current.status,
        current.statusTime,
        state === undefined,
      )
    ) {
      next.status = e.currentPipelineExecutionStatus;
      if (event.time) next.statusTime = event.time;
    }
    return next;
  }
  const s = event.detail;
  const step = current.steps[s.stepName];
  if (!step || newer(stepRank, s.currentStepStatus, event.time, step.status, step.time, false)) {
    next.steps[s.stepName] = {
      ...step,
      status: s.currentStepStatus,
      ...(s.stepType ? { type: s.stepType } : {}),
      ...(event.time ? { time: event.time } : {}),
      ...(s.failureReason ? { failureReason: s.failureReason } : {}),
      ...(s.stepStartTime ? { startTime: s.stepStartTime } : {}),
      ...(s.stepEndTime ? { endTime: s.stepEndTime } : {}),
    };
  }
  if (s.currentStepStatus === 'Failed' && s.failureReason)
    next.failureReason = `${s.stepName}: ${s.failureReason}`;
  return next;
}

function newer(
  ranks: Record<string, number>,
  status: string,
  time: string | undefined,
  currentStatus: string,
  currentTime: string | undefined,
  fresh: boolean,
): boolean {
  if (fresh) return true;
  const a = ranks[status] ?? 0;
  const b = ranks[currentStatus] ?? 0;
  if (a !== b) return a > b;
  if (status === currentStatus) return false;
  return (time ?? '') >= (currentTime ?? '');
}
