/**
 * The bot's own record of the triggers it wrote: AWS keeps the triggers, not who asked for them
 * or what exactly was sent. The scheduling service reads it for drift and attribution; access
 * control and notifications read it too (what a request made, which channel a trigger was made
 * in). `src/store` implements the repository.
 */

/** What the bot recorded when it created or changed a trigger: for drift and attribution. */
export interface TriggerRecord {
  kind: 'schedule' | 'event';
  /** `group/name` for schedules, the rule name for event triggers. */
  key: string;
  pipelineNames: string[];
  /** The trigger as the bot last wrote it (JSON of ScheduleTrigger or EventTrigger). */
  spec: string;
  createdBy?: string;
  approvedBy?: string[];
  requestId?: string;
  /** The Slack channel it was asked for in: its executions are posted there. */
  channelId?: string;
  /** The trigger's ARN as AWS gave it when the bot created it. */
  arn?: string;
  /**
   * A one-time schedule's run: kept after Scheduler deletes the schedule (ActionAfterCompletion
   * DELETE), so a run that failed before that is still reported.
   */
  runsOnceAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface TriggerRecordRepository {
  /** Creates or replaces the record of this kind and key. */
  put(record: TriggerRecord): Promise<void>;
  get(kind: TriggerRecord['kind'], key: string): Promise<TriggerRecord | undefined>;
  delete(kind: TriggerRecord['kind'], key: string): Promise<void>;
  /** The channels triggers of this pipeline were created in. */
  channelsFor(pipelineName: string): Promise<string[]>;
  /** The triggers a request (its id is the request id of the change) created, by key. */
  forRequest(requestId: string): Promise<TriggerRecord[]>;
  /** One-time schedules whose run is in (from, to], oldest first. */
  runningOnceBetween(from: Date, to: Date): Promise<TriggerRecord[]>;
}
