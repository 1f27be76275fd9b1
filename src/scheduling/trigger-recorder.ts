import { nextOccurrences, parseExpression } from './expression/index.js';
import type { Attribution, RequestContext } from './scheduling-service.js';
import type { TriggerRecord, TriggerRecordRepository } from './trigger-records.js';
import type { EventTrigger, ScheduleTrigger } from './triggers.js';

/**
 * Keeps the bot's record of each trigger it writes: what was sent (for drift), who asked and
 * who approved (attribution), and the channel it was asked in (where its runs are posted).
 */
export class TriggerRecorder {
  constructor(private readonly records: TriggerRecordRepository) {}

  get(kind: TriggerRecord['kind'], trigger: { name: string; group?: string }) {
    return this.records.get(kind, recordKey(kind, trigger));
  }

  /** The bot's one-time schedules whose run is in (from, to], whether or not AWS still has them. */
  runningOnceBetween(from: Date, to: Date) {
    return this.records.runningOnceBetween(from, to);
  }

  delete(kind: TriggerRecord['kind'], trigger: { name: string; group?: string }) {
    return this.records.delete(kind, recordKey(kind, trigger));
  }

  /**
   * Records what was written; `keepAuthor` (a pause, a resume) keeps who created it, and the
   * ARN AWS gave on creation.
   */
  async record(
    kind: TriggerRecord['kind'],
    trigger: ScheduleTrigger | EventTrigger,
    ctx: RequestContext,
    keepAuthor = false,
    arn?: string,
  ): Promise<void> {
    const key = recordKey(kind, trigger);
    const previous = keepAuthor ? await this.records.get(kind, key) : undefined;
    const now = ctx.now ?? new Date();
    const createdBy = previous?.createdBy ?? ctx.userId;
    const approvedBy = previous?.approvedBy ?? ctx.approvedBy;
    const recordedArn = arn || previous?.arn;
    const runsOnceAt = trigger.kind === 'schedule' ? selfDeletingRun(trigger) : undefined;
    await this.records.put({
      kind,
      key,
      pipelineNames:
        trigger.kind === 'schedule'
          ? [trigger.pipelineName]
          : trigger.targets.map((t) => t.pipelineName),
      spec: JSON.stringify(trigger),
      ...(createdBy ? { createdBy } : {}),
      ...(approvedBy ? { approvedBy } : {}),
      requestId: previous?.requestId ?? ctx.requestId,
      ...((previous?.channelId ?? ctx.channelId)
        ? { channelId: previous?.channelId ?? ctx.channelId }
        : {}),
      ...(recordedArn ? { arn: recordedArn } : {}),
      ...(runsOnceAt ? { runsOnceAt } : {}),
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
    });
  }
}

/** Who made a trigger and when, from its record (nothing for a trigger the bot did not write). */
export function attributionOf(recorded: TriggerRecord | undefined): Attribution {
  if (!recorded) return {};
  return {
    ...(recorded.createdBy ? { createdBy: recorded.createdBy } : {}),
    ...(recorded.approvedBy ? { approvedBy: recorded.approvedBy } : {}),
    createdAt: recorded.createdAt,
  };
}

/**
 * The run of a one-time schedule that Scheduler deletes once it has run (at() with
 * ActionAfterCompletion DELETE, the bot's default): after that AWS lists nothing to watch.
 */
function selfDeletingRun(schedule: ScheduleTrigger): Date | undefined {
  if (!schedule.deleteAfterCompletion) return undefined;
  const parsed = parseExpression(schedule.expression);
  if (!parsed.ok || parsed.expression.kind !== 'at') return undefined;
  return nextOccurrences(parsed.expression, {
    after: new Date(0),
    timeZone: schedule.timeZone,
    count: 1,
  })[0];
}

function recordKey(kind: TriggerRecord['kind'], trigger: { name: string; group?: string }): string {
  return kind === 'schedule' ? `${trigger.group}/${trigger.name}` : trigger.name;
}
