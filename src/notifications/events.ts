import { z } from 'zod';

/**
 * The EventBridge envelope and SageMaker's pipeline events, checked at the edge. Other events are
 * accepted (someone may have subscribed to them) but only these two drive execution messages.
 */
export const EXECUTION_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Status Change';
export const STEP_STATUS_CHANGE = 'SageMaker Model Building Pipeline Execution Step Status Change';

export const envelopeSchema = z.object({
  version: z.string().optional(),
  id: z.string().min(1).max(256),
  'detail-type': z.string().min(1).max(256),
  source: z.string().min(1).max(256),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});

export type Envelope = z.infer<typeof envelopeSchema>;

const executionStatus = z.enum(['Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded']);
const stepStatus = z.enum(['Starting', 'Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded']);

export const executionStatusDetail = z.object({
  pipelineArn: z.string(),
  pipelineExecutionArn: z.string(),
  currentPipelineExecutionStatus: executionStatus,
  previousPipelineExecutionStatus: executionStatus.optional(),
  pipelineExecutionDisplayName: z.string().optional(),
  pipelineExecutionDescription: z.string().optional(),
  executionStartTime: z.string().optional(),
  executionEndTime: z.string().optional(),
});

export const stepStatusDetail = z.object({
  pipelineArn: z.string(),
  pipelineExecutionArn: z.string(),
  stepName: z.string(),
  stepType: z.string().optional(),
  currentStepStatus: stepStatus,
  previousStepStatus: stepStatus.optional(),
  stepStartTime: z.string().optional(),
  stepEndTime: z.string().optional(),
  failureReason: z.string().optional(),
});

export type ExecutionStatusDetail = z.infer<typeof executionStatusDetail>;
export type StepStatusDetail = z.infer<typeof stepStatusDetail>;

export type PipelineEvent =
  | { kind: 'execution'; id: string; time?: string; detail: ExecutionStatusDetail }
  | { kind: 'step'; id: string; time?: string; detail: StepStatusDetail };

export type ParsedEvent =
  | { ok: true; envelope: Envelope; pipeline?: PipelineEvent }
  | { ok: false; reason: string };

/** Reads an event body: the envelope must be whole; SageMaker's two kinds must have their fields. */
export function parseEvent(body: string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success)
    return { ok: false, reason: `not an EventBridge event: ${issues(envelope.error)}` };
  const e = envelope.data;
  if (e.source !== 'aws.sagemaker') return { ok: true, envelope: e };
  const base = { id: e.id, ...(e.time ? { time: e.time } : {}) };
  if (e['detail-type'] === EXECUTION_STATUS_CHANGE) {
    const detail = executionStatusDetail.safeParse(e.detail);
    if (!detail.success)
      return { ok: false, reason: `execution status change without ${issues(detail.error)}` };
    return { ok: true, envelope: e, pipeline: { kind: 'execution', ...base, detail: detail.data } };
  }
  if (e['detail-type'] === STEP_STATUS_CHANGE) {
    const detail = stepStatusDetail.safeParse(e.detail);
    if (!detail.success)
      return { ok: false, reason: `step status change without ${issues(detail.error)}` };
    return { ok: true, envelope: e, pipeline: { kind: 'step', ...base, detail: detail.data } };
  }
  return { ok: true, envelope: e };
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'body'} (${i.message})`)
    .join(', ');
}
