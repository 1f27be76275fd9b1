import type { Logger } from '../../logger.js';
import type { DeadLetterRepository, DeadLettersPort, ReceivedDeadLetter } from '../ports.js';

/**
 * EventBridge Scheduler's dead-letter event, as its guide ("Retrieve the dead-letter event")
 * describes it: the message body is the target's input, and what failed is in string message
 * attributes — ERROR_CODE, ERROR_MESSAGE, EXECUTION_ID, EXHAUSTED_RETRY_CONDITION
 * (MaximumRetryAttempts | MaximumEventAgeInSeconds), IS_PAYLOAD_TRUNCATED, RETRY_ATTEMPTS,
 * SCHEDULED_TIME (ISO 8601, UTC), SCHEDULE_ARN and TARGET_ARN. Pinned in
 * test/scheduling/aws/dead-letters.test.ts.
 *
 * Read leniently: nothing here is required, an unknown attribute is kept, and a message the bot
 * cannot match to a schedule is still stored (and logged by the caller).
 */
export function readDeadLetterEvent(
  message: { messageId?: string; body: string; attributes: Record<string, string> },
  receivedAt: Date,
): ReceivedDeadLetter {
  const a = message.attributes;
  const text = (name: string) => {
    const value = a[name]?.trim();
    return value ? value : undefined;
  };
  const scheduled = text('SCHEDULED_TIME');
  const scheduledTime = scheduled ? new Date(scheduled) : undefined;
  const retries = text('RETRY_ATTEMPTS');
  const optional = {
    scheduleArn: text('SCHEDULE_ARN'),
    scheduledTime:
      scheduledTime && !Number.isNaN(scheduledTime.getTime()) ? scheduledTime : undefined,
    errorCode: text('ERROR_CODE'),
    retryAttempts: retries && /^\d+$/.test(retries) ? Number(retries) : undefined,
    exhaustedRetryCondition: text('EXHAUSTED_RETRY_CONDITION'),
    targetArn: text('TARGET_ARN'),
  };
  return {
    messageId: message.messageId ?? `no-id:${receivedAt.getTime()}:${message.body.length}`,
    errorMessage: text('ERROR_MESSAGE') ?? 'the dead-letter event gives no error message',
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    body: message.body,
    attributes: { ...a },
    receivedAt,
  };
}

/**
 * Stores each dead-letter event from the queue before it is deleted there; one that names no
 * schedule or time is stored too, and logged, since it can explain nothing the bot can find.
 */
export function deadLetterInbox(repository: DeadLetterRepository, log: Logger) {
  return async (message: {
    messageId?: string;
    body: string;
    attributes: Record<string, string>;
  }): Promise<{ ok: true; duplicate: boolean }> => {
    const letter = readDeadLetterEvent(message, new Date());
    const stored = await repository.insert(letter);
    const fields = {
      messageId: letter.messageId,
      schedule: letter.scheduleArn,
      scheduledTime: letter.scheduledTime?.toISOString(),
      errorCode: letter.errorCode,
      errorMessage: letter.errorMessage,
    };
    if (!letter.scheduleArn || !letter.scheduledTime)
      log.warn(
        { ...fields, attributes: Object.keys(letter.attributes) },
        'a dead-letter event without SCHEDULE_ARN or SCHEDULED_TIME: stored, but no run can quote it',
      );
    else if (stored) log.info(fields, 'dead-letter event stored');
    return { ok: true, duplicate: !stored };
  };
}

/**
 * SCHEDULED_TIME is the occurrence (the value `<aws.scheduler.scheduled-time>` gives), to the
 * second; within a flexible window it is looked for up to the window's end too, never as far as
 * a neighbouring occurrence of a rate(1 minute).
 */
const MATCH_SLACK_MS = 1000;

/** The AWS back end's dead letters: the ones read from the queue, stored by the bot. */
export function storedDeadLetters(repository: DeadLetterRepository): DeadLettersPort {
  return {
    async find(schedule, occurrence) {
      const from = new Date(occurrence.getTime() - MATCH_SLACK_MS);
      const to = new Date(occurrence.getTime() + (schedule.flexibleWindowMinutes ?? 0) * 60_000);
      const letter = await repository.find(schedule.arn, from, to);
      if (!letter) return undefined;
      return {
        scheduleArn: schedule.arn,
        scheduledTime: letter.scheduledTime ?? occurrence,
        ...(letter.errorCode ? { errorCode: letter.errorCode } : {}),
        errorMessage: letter.errorMessage,
        ...(letter.retryAttempts !== undefined ? { retryAttempts: letter.retryAttempts } : {}),
      };
    },
  };
}
