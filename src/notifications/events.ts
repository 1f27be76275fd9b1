import { z } from 'zod';

/**
 * The EventBridge envelope and SageMaker's pipeline events, read at the edge: strict with people,
 * lenient with AWS. Other events are accepted (someone may have subscribed to them) but only
 * these two drive execution messages.
 */
export const EXECUTION_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Status Change';
export const STEP_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Step Status Change';

/**
 * The envelope as EventBridge delivers it. Only what the bot cannot do without is required: an
 * id (to deduplicate), a source and a detail-type (to route). Everything else may be missing,
 * empty, null or of a type the documentation does not give: the event is stored as received
 * either way, and the fields are read defensively where they are used.
 */
export const envelopeSchema = z
  .object({
    id: z.string().min(1).max(256),
    'detail-type': z.string().min(1).max(256),
    source: z.string().min(1).max(256),
    time: z.unknown().optional(),
    detail: z.unknown().optional(),
  })
  .passthrough();

export type Envelope = {
  id: string;
  'detail-type': string;
  source: string;
  time?: string;
  detail: Record<string, unknown>;
};

export interface ExecutionStatusDetail {
  pipelineArn: string;
  pipelineExecutionArn: string;
  /** As SageMaker sent it; "unknown" when it sent none. Not limited to today's values. */
  currentPipelineExecutionStatus: string;
  previousPipelineExecutionStatus?: string;
  pipelineExecutionDisplayName?: string;
  pipelineExecutionDescription?: string;
  executionStartTime?: string;
  executionEndTime?: string;
}

export interface StepStatusDetail {
  pipelineArn: string;
  pipelineExecutionArn: string;
  stepName: string;
  stepType?: string;
  currentStepStatus: string;
  previousStepStatus?: string;
  stepStartTime?: string;
  stepEndTime?: string;
  failureReason?: string;
}

export type PipelineEvent =
  | { kind: 'execution'; id: string; time?: string; detail: ExecutionStatusDetail }
  | { kind: 'step'; id: string; time?: string; detail: StepStatusDetail };

export type ParsedEvent =
  | {
      ok: true;
      envelope: Envelope;
      pipeline?: PipelineEvent;
      /** What the bot did not understand and shows as received (for one warning at ingest). */
      oddities: string[];
    }
  | { ok: false; reason: string };

/** Statuses SageMaker documents today; others are shown as received, never refused. */
export const KNOWN_EXECUTION_STATUSES = ['Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded'];
export const KNOWN_STEP_STATUSES = [
  'Starting',
  'Executing',
  'Stopping',
  'Stopped',
  'Failed',
  'Succeeded',
];

/** A status shown when SageMaker sent none. */
export const UNKNOWN_STATUS = 'unknown';

/**
 * Reads an event body. Refused only when it is not JSON or lacks id, source or detail-type:
 * EventBridge sends nothing like that. SageMaker's two kinds become pipeline events when they
 * name their execution; any other oddity (a status no one documented, an empty previous status,
 * a field of another type) is noted and shown as received.
 */
export function parseEvent(body: string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, reason: `not an EventBridge event: ${issues(parsed.error)}` };
  const raw = parsed.data;
  const oddities: string[] = [];
  const detail = isRecord(raw.detail) ? raw.detail : {};
  if (!isRecord(raw.detail)) oddities.push('detail is not an object');
  const time = text(raw.time);
  const envelope: Envelope = {
    id: raw.id,
    'detail-type': raw['detail-type'],
    source: raw.source,
    ...(time ? { time } : {}),
    detail,
  };
  if (raw.source !== 'aws.sagemaker') return { ok: true, envelope, oddities };
  const kind =
    raw['detail-type'] === EXECUTION_STATUS_CHANGE
      ? 'execution'
      : raw['detail-type'] === STEP_STATUS_CHANGE
        ? 'step'
        : undefined;
  if (!kind) return { ok: true, envelope, oddities };
  const executionArn = text(detail.pipelineExecutionArn) ?? resourceArn(json, '/execution/');
  if (!executionArn) {
    oddities.push('no pipelineExecutionArn: the execution it is about is unknown');
    return { ok: true, envelope, oddities };
  }
  const pipelineArn = text(detail.pipelineArn) ?? executionArn.replace(/\/execution\/[^/]*$/, '');
  const base = { id: raw.id, ...(time ? { time } : {}) };
  const optional = (field: string): string | undefined => text(detail[field]);
  const status = (field: string, known: string[]): string => {
    const value = text(detail[field]);
    if (value === undefined) {
      oddities.push(`no ${field}`);
      return UNKNOWN_STATUS;
    }
    if (!known.includes(value))
      oddities.push(`${field} "${value.slice(0, 64)}" is not one SageMaker documents`);
    return value;
  };
  // Absent, not `undefined`: the detail is stored and compared as JSON.
  const defined = <T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T =>
    Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
  if (kind === 'execution') {
    const detail = defined<ExecutionStatusDetail>({
      pipelineArn,
      pipelineExecutionArn: executionArn,
      currentPipelineExecutionStatus: status(
        'currentPipelineExecutionStatus',
        KNOWN_EXECUTION_STATUSES,
      ),
      previousPipelineExecutionStatus: optional('previousPipelineExecutionStatus'),
      pipelineExecutionDisplayName: optional('pipelineExecutionDisplayName'),
      pipelineExecutionDescription: optional('pipelineExecutionDescription'),
      executionStartTime: optional('executionStartTime'),
      executionEndTime: optional('executionEndTime'),
    });
    return { ok: true, envelope, oddities, pipeline: { kind, ...base, detail } };
  }
  const stepName = optional('stepName');
  if (!stepName) oddities.push('no stepName');
  const step = defined<StepStatusDetail>({
    pipelineArn,
    pipelineExecutionArn: executionArn,
    stepName: stepName ?? '(unnamed step)',
    stepType: optional('stepType'),
    currentStepStatus: status('currentStepStatus', KNOWN_STEP_STATUSES),
    previousStepStatus: optional('previousStepStatus'),
    stepStartTime: optional('stepStartTime'),
    stepEndTime: optional('stepEndTime'),
    failureReason: optional('failureReason'),
  });
  return { ok: true, envelope, oddities, pipeline: { kind, ...base, detail: step } };
}

/** A non-empty string, or undefined for anything else (null, "", a number, an object). */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** SageMaker lists the pipeline and the execution ARN in `resources`: a fallback for the detail. */
function resourceArn(json: unknown, marker: string): string | undefined {
  const resources = (json as { resources?: unknown }).resources;
  if (!Array.isArray(resources)) return undefined;
  return resources.find((r): r is string => typeof r === 'string' && r.includes(marker));
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'body'} (${i.message})`)
    .join(', ');
}
