import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { isTriggerError } from '../errors.js';
import type { SchedulesPort } from '../ports.js';
import { scheduleTargetKind } from '../schedule-document.js';
import type { ScheduleSummary } from '../triggers.js';
import { type AwsCall, callAws } from './aws-errors.js';
import type { SetupOutcome, SetupStep } from './event-wiring-plan.js';

/**
 * `setup-events --scheduler-dlq NAME`: one SQS dead-letter queue for the bot's schedule group,
 * set on each of the group's pipeline schedules that has none. Scheduler writes a dead-letter
 * event there once it gives up on a run; the bot reads it (DEAD_LETTER_QUEUE_URL) and quotes the
 * error in the missed-run message.
 *
 * What it never does: replace a queue a schedule already has (`dlq=` given per schedule stays),
 * touch a schedule whose target starts no pipeline, or change a schedule in any other field
 * (each is read whole and written back with only DeadLetterConfig added).
 */

export interface SchedulerDeadLetterOptions {
  /** The queue's name: created when missing, reused when it exists. */
  queueName: string;
  /** The bot's schedule group (SCHEDULE_GROUP). */
  group: string;
  dryRun: boolean;
  onStep: (step: SetupStep) => void;
}

export interface SchedulerDeadLetterResult {
  queueUrl?: string;
  queueArn?: string;
  /** The execution roles of the schedules given the queue: each needs sqs:SendMessage on it. */
  roleArns: string[];
}

/** Dead-letter events are read within minutes, but a stopped bot should find them later. */
const RETENTION_SECONDS = String(14 * 24 * 3600);

export async function setupSchedulerDeadLetters(
  sqs: SQSClient,
  schedules: SchedulesPort,
  options: SchedulerDeadLetterOptions,
): Promise<SchedulerDeadLetterResult> {
  const queue = await putQueue(sqs, options);
  const roleArns = new Set<string>();
  for (const summary of await groupSchedules(schedules, options.group)) {
    const kind = scheduleTargetKind(summary.targetArn);
    if (kind === 'other') continue;
    const record = await schedules.get(summary.group, summary.name);
    const resource = `${summary.group}/${summary.name}`;
    if (record.deadLetterArn !== undefined && record.deadLetterArn !== queue.arn) {
      options.onStep({
        ...scheduleStep(resource, 'unchanged'),
        note: `keeps its own dead-letter queue ${record.deadLetterArn}`,
      });
      continue;
    }
    roleArns.add(record.roleArn);
    if (record.deadLetterArn !== undefined) {
      options.onStep(scheduleStep(resource, 'unchanged'));
      continue;
    }
    if (options.dryRun || queue.arn === undefined) {
      options.onStep(scheduleStep(resource, 'would-update'));
      continue;
    }
    await schedules.update({ ...record, deadLetterArn: queue.arn }, randomUUID());
    options.onStep(scheduleStep(resource, 'updated'));
  }
  return {
    ...(queue.url ? { queueUrl: queue.url } : {}),
    ...(queue.arn ? { queueArn: queue.arn } : {}),
    roleArns: [...roleArns].sort(),
  };
}

/** What each execution role given the queue must allow (the guide's DLQ permissions step). */
export function sendToDeadLetterStatement(queueArn: string) {
  return {
    Sid: 'SchedulerDeadLetters',
    Effect: 'Allow',
    Action: 'sqs:SendMessage',
    Resource: queueArn,
  } as const;
}

async function putQueue(
  sqs: SQSClient,
  options: SchedulerDeadLetterOptions,
): Promise<{ url?: string; arn?: string }> {
  const name = options.queueName;
  const existing = await callAws(call('GetQueueUrl', name), () =>
    sqs.send(new GetQueueUrlCommand({ QueueName: name })),
  ).catch((error: unknown) => {
    if (isTriggerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  });
  let url = existing?.QueueUrl;
  if (url) {
    options.onStep(queueStep(name, 'unchanged'));
  } else if (options.dryRun) {
    options.onStep(queueStep(name, 'would-create'));
    return {};
  } else {
    // An existing queue is used as it is: its settings are the operator's.
    const created = await callAws(call('CreateQueue', name), () =>
      sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { MessageRetentionPeriod: RETENTION_SECONDS, SqsManagedSseEnabled: 'true' },
        }),
      ),
    );
    url = created.QueueUrl;
    options.onStep(queueStep(name, 'created'));
  }
  if (!url) return {};
  const queueUrl = url;
  const attributes = await callAws(call('GetQueueAttributes', name), () =>
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })),
  );
  const arn = attributes.Attributes?.QueueArn;
  return { url: queueUrl, ...(arn ? { arn } : {}) };
}

async function groupSchedules(schedules: SchedulesPort, group: string): Promise<ScheduleSummary[]> {
  const all: ScheduleSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await schedules.list({
      group,
      maxResults: 100,
      ...(nextToken ? { nextToken } : {}),
    });
    all.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

function call(operation: string, name: string): AwsCall {
  return { service: 'sqs', operation, resource: { kind: 'queue', name } };
}

function queueStep(name: string, outcome: SetupOutcome): SetupStep {
  return { kind: 'dead-letter queue', operation: 'CreateQueue', resource: name, outcome };
}

function scheduleStep(resource: string, outcome: SetupOutcome): SetupStep {
  return { kind: 'schedule', operation: 'UpdateSchedule', resource, outcome };
}
