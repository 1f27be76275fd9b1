import { parseArgs } from 'node:util';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { isTriggerError } from '../errors.js';
import {
  checkSetupOptions,
  DEFAULT_WIRING_NAME,
  type SetupEventsOptions,
  SetupInputError,
  type SetupOutcome,
  type SetupStep,
} from './event-wiring-plan.js';
import { AwsSchedules } from './schedules.js';
import { sendToDeadLetterStatement, setupSchedulerDeadLetters } from './setup-dead-letters.js';
import { setupEvents } from './setup-events.js';

/**
 * `pipeline-schedule setup-events` on the command line: wires SageMaker pipeline status events
 * to the bot (an API destination that POSTs to `/aws/events`, or an SQS queue the bot reads).
 * The checks live in event-wiring-plan.ts, the writes in setup-events.ts.
 */

// ---------------------------------------------------------------------------------------------
// Command line

export interface SetupEventsIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

export const SETUP_EVENTS_USAGE = `Usage:
  pipeline-schedule setup-events --url https://BOT-HOST [--role ARN] [options]
  pipeline-schedule setup-events --queue arn:aws:sqs:REGION:ACCOUNT:QUEUE [options]
  pipeline-schedule setup-events --scheduler-dlq QUEUE-NAME [--group GROUP]
      Sends SageMaker pipeline status events to the bot: through an EventBridge API destination
      that POSTs to <url>/aws/events with the header x-api-key (the key is EVENTS_API_KEY), or
      into an SQS queue the bot reads (EVENTS_QUEUE_URL). With --scheduler-dlq (alone or with
      either), also creates an SQS dead-letter queue for runs Scheduler gives up on and sets it
      on the group's pipeline schedules that have none (DEAD_LETTER_QUEUE_URL). Safe to run
      again: it changes only what differs.
Options:
  --api-key KEY     the key the bot checks (default: EVENTS_API_KEY); --url only
  --role ARN        role EventBridge assumes to call the API destination; required with --url
  --name NAME       connection, API destination and rule name (default ${DEFAULT_WIRING_NAME})
  --pipeline ARN    only this pipeline's events; repeat for more (default: every pipeline)
  --scheduler-dlq NAME  the dead-letter queue to create (or reuse) and set on the schedules
  --group GROUP     the schedule group given the queue (default: SCHEDULE_GROUP)
  --dry-run         show what would change; send no change`;

const cliOptions = {
  url: { type: 'string' },
  queue: { type: 'string' },
  'api-key': { type: 'string' },
  name: { type: 'string' },
  pipeline: { type: 'string', multiple: true },
  role: { type: 'string' },
  'scheduler-dlq': { type: 'string' },
  group: { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const verbs: Record<SetupOutcome, string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  'would-create': 'would create',
  'would-update': 'would update',
};

/** One line per step: "created connection pipeline-schedule-bot". */
export function formatStep(step: SetupStep, ruleName: string): string {
  const verb = verbs[step.outcome];
  const line =
    step.kind === 'target'
      ? `${verb} target of rule ${ruleName} -> ${step.resource}`
      : step.kind === 'schedule' && step.note === undefined
        ? `${verb} schedule ${step.resource}: dead-letter queue`
        : `${verb} ${step.kind} ${step.resource}`;
  return step.note ? `${line} (${step.note})` : line;
}

/** The clients setup-events talks through; each is made from the environment when not given. */
export interface SetupClients {
  eventBridge?: EventBridgeClient;
  sqs?: SQSClient;
  scheduler?: SchedulerClient;
}

/**
 * `setup-events` from argv (the arguments after the command name). The caller passes the API
 * key from its config as `--api-key` or `defaults.apiKey`: this function reads no environment.
 * Exit codes: 0 done, 2 bad input (nothing sent), 1 AWS refused or failed.
 */
export async function setupEventsFromArgs(
  argv: string[],
  io: SetupEventsIo,
  clients: SetupClients = {},
  defaults: { apiKey?: string; group?: string } = {},
): Promise<number> {
  const args = argv[0] === 'setup-events' ? argv.slice(1) : argv;
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof cliOptions; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options: cliOptions, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs adds "To specify a positional argument…"; the first sentence is the news.
    const message = error instanceof Error ? error.message : String(error);
    return usageError(io, [message.split('. ')[0]?.replace(/\.$/, '') ?? message]);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usageError(io, [`unexpected argument "${positionals[0]}"`]);
  if (values.help) {
    io.stdout(SETUP_EVENTS_USAGE);
    return 0;
  }
  if (values.queue !== undefined && values.url === undefined && values['api-key'] !== undefined) {
    return usageError(io, ['--api-key is for --url only: the queue needs no key']);
  }
  const apiKey = values['api-key'] ?? defaults.apiKey;
  const options: SetupEventsOptions = {
    ...(values.url !== undefined ? { url: values.url } : {}),
    ...(values.queue !== undefined ? { queueArn: values.queue } : {}),
    ...(values.url !== undefined && apiKey !== undefined ? { apiKey } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.pipeline !== undefined ? { pipelineArns: values.pipeline } : {}),
    ...(values.role !== undefined ? { roleArn: values.role } : {}),
    ...(values['scheduler-dlq'] !== undefined ? { schedulerDlq: values['scheduler-dlq'] } : {}),
    dryRun: values['dry-run'] ?? false,
  };
  const group = values.group ?? defaults.group;
  const problems = checkSetupOptions(options);
  if (values.group !== undefined && options.schedulerDlq === undefined) {
    problems.push('--group is for --scheduler-dlq only');
  }
  if (options.schedulerDlq !== undefined && group === undefined) {
    problems.push('--scheduler-dlq needs the schedule group: pass --group or set SCHEDULE_GROUP');
  }
  if (problems.length > 0) return usageError(io, problems);

  const name = options.name ?? DEFAULT_WIRING_NAME;
  const eventBridge = clients.eventBridge ?? new EventBridgeClient({});
  const sqs = clients.sqs ?? new SQSClient({});
  const scheduler = clients.scheduler ?? new SchedulerClient({});
  try {
    const result = await setupEvents(eventBridge, {
      ...options,
      onStep: (s) => io.stdout(formatStep(s, name)),
    });
    if (result.queuePolicy) {
      io.stdout('');
      io.stdout(
        `The queue's access policy must let this rule send to it (setup-events does not change ` +
          'the queue); a queue encrypted with a customer-managed KMS key also needs ' +
          'kms:GenerateDataKey and kms:Decrypt for events.amazonaws.com in the key policy:',
      );
      for (const line of JSON.stringify(result.queuePolicy, null, 2).split('\n')) io.stdout(line);
    }
    if (options.schedulerDlq !== undefined && group !== undefined) {
      const dlq = await setupSchedulerDeadLetters(sqs, new AwsSchedules(scheduler), {
        queueName: options.schedulerDlq,
        group,
        dryRun: options.dryRun ?? false,
        onStep: (s) => io.stdout(formatStep(s, name)),
      });
      tellDeadLetterNextSteps(io, dlq);
    }
    if (options.dryRun) io.stdout('dry run: nothing was changed');
    return 0;
  } catch (error) {
    if (error instanceof SetupInputError) return usageError(io, error.problems);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`pipeline-schedule: ${message}`);
    if (isTriggerError(error, 'ACCESS_DENIED')) {
      io.stderr(
        'The AWS credentials running setup-events need the permissions in ' +
          'deploy/iam/setup-events-policy.json (EventBridge, Secrets Manager for the ' +
          'connection, iam:PassRole on the invoke role; with --scheduler-dlq, SQS and ' +
          'Scheduler).',
      );
    }
    return 1;
  } finally {
    if (!clients.eventBridge) eventBridge.destroy();
    if (!clients.sqs) sqs.destroy();
    if (!clients.scheduler) scheduler.destroy();
  }
}

/** What setup-events cannot do itself: the bot's setting and the execution roles' permission. */
function tellDeadLetterNextSteps(
  io: SetupEventsIo,
  dlq: Awaited<ReturnType<typeof setupSchedulerDeadLetters>>,
): void {
  if (dlq.queueUrl) {
    io.stdout('');
    io.stdout(
      `Set DEAD_LETTER_QUEUE_URL=${dlq.queueUrl} so the bot reads the queue and gives it to ` +
        'new schedules.',
    );
  }
  if (dlq.queueArn && dlq.roleArns.length > 0) {
    io.stdout('');
    io.stdout(
      "Scheduler sends to the queue as the schedule's execution role (setup-events does not " +
        'change roles); each of these needs the statement below:',
    );
    for (const role of dlq.roleArns) io.stdout(`  ${role}`);
    const statement = JSON.stringify(sendToDeadLetterStatement(dlq.queueArn), null, 2);
    for (const line of statement.split('\n')) io.stdout(line);
  }
}

function usageError(io: SetupEventsIo, problems: string[]): number {
  for (const problem of problems) io.stderr(`pipeline-schedule: ${problem}`);
  io.stderr("Run 'pipeline-schedule setup-events --help' for usage.");
  return 2;
}
