import type { ParameterValue } from './pipeline.js';

/**
 * The two kinds of trigger the bot manages, in our own terms; the AWS and local back ends
 * translate them to and from EventBridge Scheduler schedules and EventBridge rules.
 */

export type TriggerState = 'ENABLED' | 'DISABLED';

export interface RetryPolicy {
  /** 60-86400: how long Scheduler keeps retrying one invocation. */
  maximumEventAgeSeconds: number;
  /** 0-185 */
  maximumRetryAttempts: number;
}

/**
 * Scheduler's own defaults are undocumented (24 h / 185 attempts is quoted second-hand), so we
 * always send ours: a pipeline that cannot start within an hour should page a person, not retry
 * all day.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maximumEventAgeSeconds: 3600,
  maximumRetryAttempts: 3,
};

/**
 * The whole of a trigger as the back end holds it (for a schedule, GetSchedule's members), opaque
 * to the domain: a write starts from it and changes only the fields the domain changed, so what
 * the domain does not model (KmsKeyArn, a target's Input, a field AWS adds later) goes back as
 * it was. Absent on a trigger the bot is about to create.
 */
export type HeldDocument = Readonly<Record<string, unknown>>;

export interface ScheduleTrigger {
  kind: 'schedule';
  name: string;
  group: string;
  pipelineArn: string;
  pipelineName: string;
  /** at(…), rate(…) or cron(…), as EventBridge Scheduler takes it. */
  expression: string;
  /** IANA zone; UTC when the person gave none. */
  timeZone: string;
  start?: Date;
  end?: Date;
  /** Minutes of flexible window; undefined = OFF (run within the scheduled minute). */
  flexibleWindowMinutes?: number;
  state: TriggerState;
  roleArn: string;
  parameters: ParameterValue[];
  description?: string;
  retryPolicy: RetryPolicy;
  deadLetterArn?: string;
  /** ActionAfterCompletion DELETE: remove a one-time schedule once it has run. */
  deleteAfterCompletion: boolean;
  /**
   * Absent for the templated pipeline target the bot makes. `universal`: Scheduler's universal
   * target starting the pipeline (pipeline and parameters read from its Input); `other`: a
   * target that is not a pipeline (Lambda, SQS, …), never started or changed by the bot.
   */
  targetKind?: 'universal' | 'other';
  /** The target's own ARN, when it is not the pipeline's. */
  targetArn?: string;
  held?: HeldDocument;
}

/** A schedule as a back end holds it. */
export interface ScheduleRecord extends ScheduleTrigger {
  arn: string;
  createdAt?: Date;
  modifiedAt?: Date;
}

export interface ScheduleSummary {
  name: string;
  group: string;
  arn: string;
  state: TriggerState;
  targetArn: string;
  /** ListSchedules' LastModificationDate: a schedule read before is read again only if it moved. */
  modifiedAt?: Date;
}

/** A schedule that starts a pipeline: the templated target, or the universal one. */
export function startsPipeline(schedule: { targetKind?: string }): boolean {
  return schedule.targetKind !== 'other';
}

export interface RuleTarget {
  /** Unique within the rule; we use the pipeline name. */
  id: string;
  pipelineArn: string;
  pipelineName: string;
  /** A value written as a JSON path ($.detail.key) is taken from the matched event. */
  parameters: ParameterValue[];
}

export interface EventTrigger {
  kind: 'event';
  name: string;
  /** The pattern, as JSON text. */
  eventPattern: string;
  state: TriggerState;
  roleArn: string;
  description?: string;
  /** At most 5: EventBridge's limit of targets per rule. */
  targets: RuleTarget[];
}

/** A rule target that does not start a pipeline (Lambda, SQS, an API destination, …). */
export interface OtherTarget {
  id: string;
  arn: string;
}

export const DEFAULT_EVENT_BUS = 'default';

export interface RuleRecord extends EventTrigger {
  arn: string;
  /** The event bus it is on; the bot makes its own rules on the default bus. */
  bus: string;
  /** A rule that runs on a schedule (cron/rate, always UTC) instead of on events: no pattern. */
  scheduleExpression?: string;
  /** Counted and shown, never started, changed or removed by a clean-up. */
  otherTargets: OtherTarget[];
  /** The AWS service that manages the rule, when one does (DescribeRule ManagedBy). */
  managedBy?: string;
  /**
   * The rule and its pipeline targets as EventBridge answered (DescribeRule, ListTargetsByRule):
   * an update writes them back with only the modelled fields changed, so a target's retry
   * policy, dead-letter queue or input settings survive it.
   */
  held?: HeldRule;
}

export interface HeldRule {
  rule: Record<string, unknown>;
  targets: Array<Record<string, unknown>>;
}

export interface RuleSummary {
  name: string;
  arn: string;
  state: TriggerState;
  bus?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface PageRequest {
  nextToken?: string;
  maxResults?: number;
}

export type ExecutionStatus = 'Executing' | 'Stopping' | 'Stopped' | 'Failed' | 'Succeeded';

export interface ExecutionSummary {
  arn: string;
  pipelineArn: string;
  status: ExecutionStatus;
  startTime: Date;
  displayName?: string;
  description?: string;
  failureReason?: string;
}

export interface Execution extends ExecutionSummary {
  endTime?: Date;
  parameters: ParameterValue[];
  /**
   * Who SageMaker says started it (DescribePipelineExecution CreatedBy: the IAM identity's ARN,
   * or the Studio user profile), when it says.
   */
  startedByIdentity?: string;
}

// The limits' old home, kept while files outside src/scheduling (the access policy's schema, the
// AWS stand-in in test/support) still import them from here; they live in trigger-rules.ts.

/**
 * A dead-letter queue in another account than the execution role's receives every failed
 * invocation's payload (pipeline parameters included): allowed, since cross-account queues
 * are a real pattern, but said out loud every time the schedule is shown.
 */
export function deadLetterWarnings(trigger: {
  roleArn: string;
  deadLetterArn?: string;
}): Array<{ code: 'DLQ_OTHER_ACCOUNT'; message: string }> {
  const queueAccount = trigger.deadLetterArn?.split(':')[4];
  const roleAccount = trigger.roleArn.split(':')[4];
  if (!queueAccount || !roleAccount || queueAccount === roleAccount) return [];
  return [
    {
      code: 'DLQ_OTHER_ACCOUNT',
      message: `the dead-letter queue is in account ${queueAccount}, not ${roleAccount} where the schedule runs: failed runs and their parameters are sent out of this account`,
    },
  ];
}
