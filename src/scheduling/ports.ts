import type { ParameterValue, Pipeline, PipelineSummary } from './pipeline.js';
import type { RolesPort } from './role-check.js';
import type {
  EventTrigger,
  Execution,
  ExecutionSummary,
  Page,
  PageRequest,
  RuleRecord,
  RuleSummary,
  ScheduleRecord,
  ScheduleSummary,
  ScheduleTrigger,
  TriggerState,
} from './triggers.js';

/**
 * What the scheduling service needs from a back end. Two implementations: AWS (the SDK v3
 * clients) and local (the embedded engine). Every method throws TriggerError for expected
 * failures (NOT_FOUND, ALREADY_EXISTS, VALIDATION with AWS's own words, THROTTLED, ACCESS_DENIED).
 */

/** EventBridge Scheduler. */
export interface SchedulesPort {
  /** Creates the schedule group if it does not exist. */
  ensureGroup(group: string): Promise<void>;
  /** ALREADY_EXISTS when the name is taken; the same client token twice creates once. */
  create(schedule: ScheduleTrigger, clientToken: string): Promise<{ arn: string }>;
  get(group: string, name: string): Promise<ScheduleRecord>;
  /** Replaces the whole schedule, as UpdateSchedule does. */
  update(schedule: ScheduleTrigger, clientToken: string): Promise<{ arn: string }>;
  delete(group: string, name: string, clientToken: string): Promise<void>;
  list(query: PageRequest & { group: string; namePrefix?: string }): Promise<Page<ScheduleSummary>>;
  /** Every schedule group of the account (for watching `*`). */
  listGroups(): Promise<string[]>;
}

/**
 * EventBridge rules, each with up to five targets: the bot makes its own on the default bus;
 * `bus` (default: the default bus) reaches the others it watches.
 */
export interface RulesPort {
  /** PutRule then PutTargets on the default bus, removing targets the trigger no longer names. */
  put(rule: EventTrigger): Promise<{ arn: string }>;
  get(name: string, bus?: string): Promise<RuleRecord>;
  /**
   * Writes back a rule read with get() and changed: PutRule with every field of the rule, then
   * PutTargets of its pipeline targets; its other targets are neither sent nor removed.
   */
  update(rule: RuleRecord): Promise<void>;
  setState(name: string, state: TriggerState, bus?: string): Promise<void>;
  /** RemoveTargets of every target, then DeleteRule. */
  delete(name: string, bus?: string): Promise<void>;
  /** RemoveTargets with exactly these ids; the rule and its other targets stay. */
  removeTargets(name: string, ids: string[], bus?: string): Promise<void>;
  list(query: PageRequest & { namePrefix?: string; bus?: string }): Promise<Page<RuleSummary>>;
  /** The names of the rules with a target of this ARN (ListRuleNamesByTarget). */
  namesByTarget(targetArn: string, bus?: string): Promise<string[]>;
  /** The rule's tags: CloudFormation's `aws:cloudformation:stack-name` tells who made it. */
  tags(ruleArn: string, name: string): Promise<Record<string, string>>;
}

export interface StartExecutionRequest {
  pipelineName: string;
  parameters: ParameterValue[];
  /** 32-128 characters; the same token twice starts once. */
  clientToken: string;
  displayName?: string;
  description?: string;
}

/** SageMaker pipelines and their executions. */
export interface PipelinesPort {
  list(query: PageRequest & { namePrefix?: string }): Promise<Page<PipelineSummary>>;
  /** With the parameters parsed from the pipeline definition. NOT_FOUND when it does not exist. */
  describe(nameOrArn: string): Promise<Pipeline>;
  start(request: StartExecutionRequest): Promise<{ executionArn: string }>;
  listExecutions(pipelineName: string, query: PageRequest): Promise<Page<ExecutionSummary>>;
  describeExecution(executionArn: string): Promise<Execution>;
  stopExecution(executionArn: string): Promise<void>;
}

/** One request a change sends, as the service's wire shows it (for dry runs). */
export interface BackendRequest {
  operation: string;
  input: unknown;
}

/** The requests each change would send, without sending them. Pure. */
export interface RequestRenderer {
  createSchedule(schedule: ScheduleTrigger, clientToken: string): BackendRequest[];
  updateSchedule(schedule: ScheduleTrigger, clientToken: string): BackendRequest[];
  deleteSchedule(group: string, name: string, clientToken: string): BackendRequest[];
  putRule(rule: EventTrigger): BackendRequest[];
  updateRule(rule: RuleRecord): BackendRequest[];
  setRuleState(name: string, state: TriggerState, bus?: string): BackendRequest[];
  deleteRule(rule: EventTrigger & { bus?: string }, ids?: string[]): BackendRequest[];
  removeRuleTargets(name: string, ids: string[], bus?: string): BackendRequest[];
  startExecution(request: StartExecutionRequest): BackendRequest[];
}

/** What Scheduler said when it gave up on one occurrence (its dead-letter event). */
export interface DeadLetter {
  scheduleArn: string;
  scheduledTime: Date;
  /** ERROR_CODE and ERROR_MESSAGE: what the target's API answered (or Scheduler's own error). */
  errorCode?: string;
  errorMessage: string;
  /** RETRY_ATTEMPTS */
  retryAttempts?: number;
}

/** Dead-letter events the back end has received, looked up by schedule and occurrence. */
export interface DeadLettersPort {
  find(
    schedule: { arn: string; group: string; name: string; flexibleWindowMinutes?: number },
    occurrence: Date,
  ): Promise<DeadLetter | undefined>;
}

/**
 * A dead-letter event as read from the queue, kept whole: what the bot does not use (the body,
 * attributes Scheduler may add) is stored all the same, and a message missing the fields the
 * bot matches on is stored too, just never matched.
 */
export interface ReceivedDeadLetter extends Omit<DeadLetter, 'scheduleArn' | 'scheduledTime'> {
  messageId: string;
  scheduleArn?: string;
  scheduledTime?: Date;
  /** EXHAUSTED_RETRY_CONDITION: MaximumRetryAttempts or MaximumEventAgeInSeconds. */
  exhaustedRetryCondition?: string;
  targetArn?: string;
  /** The message body: the target's input, as Scheduler sent it. */
  body: string;
  /** Every string message attribute, by name. */
  attributes: Record<string, string>;
  receivedAt: Date;
}

export interface DeadLetterRepository {
  /** False when this message was stored before (SQS delivers at least once). */
  insert(letter: ReceivedDeadLetter): Promise<boolean>;
  /** The schedule's dead letter for a scheduled time in [from, to], the earliest. */
  find(scheduleArn: string, from: Date, to: Date): Promise<ReceivedDeadLetter | undefined>;
}

export interface Backend {
  kind: 'aws' | 'local';
  /** Where execution roles are checked before use; unchecked when absent. */
  roles?: RolesPort;
  /** Where dead-letter events are read; absent when the back end has none to read. */
  deadLetters?: DeadLettersPort;
  schedules: SchedulesPort;
  rules: RulesPort;
  pipelines: PipelinesPort;
  requests: RequestRenderer;
}
