import type { TriggerRecord } from './trigger-records.js';
import type { HeldDocument } from './triggers.js';

/**
 * Who made a trigger. The bot knows its own (it keeps a record of each it writes); for the rest
 * it reads what AWS shows: CloudFormation tags a rule with its stack, a service that manages a
 * rule says so (ManagedBy), and the SageMaker Python SDK's `put_triggers` writes schedules of
 * one recognisable shape — an inference, and said to be one.
 */
export type Provenance =
  | {
      source: 'bot';
      requestedBy?: string;
      approvedBy?: string[];
      requestId?: string;
      channelId?: string;
      createdAt?: Date;
    }
  | { source: 'sagemaker-sdk'; inferredFrom: string }
  | { source: 'cloudformation'; stack: string }
  | { source: 'aws-service'; managedBy: string }
  | { source: 'elsewhere' };

export function madeHere(provenance: Provenance): boolean {
  return provenance.source === 'bot';
}

/**
 * Who made a trigger the bot did not, in plain words (policy reasons, the audit log); undefined
 * for the bot's own.
 */
export function madeElsewhereWords(provenance: Provenance): string | undefined {
  switch (provenance.source) {
    case 'bot':
      return undefined;
    case 'sagemaker-sdk':
      return 'made with the SageMaker Python SDK (inferred from its shape)';
    case 'cloudformation':
      return `made by CloudFormation stack ${provenance.stack}`;
    case 'aws-service':
      return `managed by ${provenance.managedBy}`;
    default:
      return 'made outside the bot';
  }
}

/** CloudFormation tags every taggable resource of a stack with the stack's name. */
export const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';

export function provenanceFromRecord(record: TriggerRecord): Provenance {
  return {
    source: 'bot',
    ...(record.createdBy ? { requestedBy: record.createdBy } : {}),
    ...(record.approvedBy?.length ? { approvedBy: record.approvedBy } : {}),
    ...(record.requestId ? { requestId: record.requestId } : {}),
    ...(record.channelId ? { channelId: record.channelId } : {}),
    createdAt: record.createdAt,
  };
}

/**
 * A schedule the bot has no record of. `put_triggers` (sagemaker-python-sdk) sends exactly
 * Name, ScheduleExpression, State, StartDate, FlexibleTimeWindow {Mode: OFF} and
 * Target {Arn: <pipeline>, RoleArn, SageMakerPipelineParameters: {}}, in the default group:
 * no zone, no retry policy, no dead-letter queue, no description, no parameters.
 */
export function scheduleProvenance(held: HeldDocument | undefined): Provenance {
  if (held && looksLikePutTriggers(held))
    return {
      source: 'sagemaker-sdk',
      inferredFrom:
        'default group, UTC, no flexible window, retry policy, dead-letter queue, description or parameters',
    };
  return { source: 'elsewhere' };
}

export function ruleProvenance(rule: {
  managedBy?: string;
  tags?: Record<string, string>;
}): Provenance {
  const stack = rule.tags?.[CLOUDFORMATION_STACK_TAG];
  if (stack) return { source: 'cloudformation', stack };
  if (rule.managedBy) return { source: 'aws-service', managedBy: rule.managedBy };
  return { source: 'elsewhere' };
}

const PUT_TRIGGERS_MEMBERS = new Set([
  'Name',
  'GroupName',
  'ScheduleExpression',
  'ScheduleExpressionTimezone',
  'State',
  'StartDate',
  'FlexibleTimeWindow',
  'Target',
  'ActionAfterCompletion',
]);
const PUT_TRIGGERS_TARGET_MEMBERS = new Set([
  'Arn',
  'RoleArn',
  'SageMakerPipelineParameters',
  'RetryPolicy',
]);

function looksLikePutTriggers(held: HeldDocument): boolean {
  const target = (held.Target ?? {}) as Record<string, unknown>;
  const window = (held.FlexibleTimeWindow ?? {}) as Record<string, unknown>;
  const parameters = (target.SageMakerPipelineParameters ?? undefined) as
    | { PipelineParameterList?: unknown[] }
    | undefined;
  const retry = target.RetryPolicy as Record<string, unknown> | undefined;
  return (
    (held.GroupName ?? 'default') === 'default' &&
    Object.keys(held).every((key) => PUT_TRIGGERS_MEMBERS.has(key)) &&
    Object.keys(target).every((key) => PUT_TRIGGERS_TARGET_MEMBERS.has(key)) &&
    (held.ScheduleExpressionTimezone ?? 'UTC') === 'UTC' &&
    window.Mode === 'OFF' &&
    (held.ActionAfterCompletion ?? 'NONE') === 'NONE' &&
    held.StartDate !== undefined &&
    parameters !== undefined &&
    (parameters.PipelineParameterList ?? []).length === 0 &&
    // GetSchedule may echo Scheduler's default for a target sent without one.
    (retry === undefined ||
      (retry.MaximumEventAgeInSeconds === 86_400 && retry.MaximumRetryAttempts === 185))
  );
}
