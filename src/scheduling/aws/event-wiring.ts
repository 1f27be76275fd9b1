import { parseArgs } from 'node:util';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { isTriggerError } from '../errors.js';
import {
  checkSetupOptions,
  DEFAULT_WIRING_NAME,
  type SetupEventsOptions,
  SetupInputError,
  type SetupOutcome,
  type SetupStep,
} from './event-wiring-plan.js';
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
      Sends SageMaker pipeline status events to the bot: through an EventBridge API destination
      that POSTs to <url>/aws/events with the header x-api-key (the key is EVENTS_API_KEY), or
      into an SQS queue the bot reads (EVENTS_QUEUE_URL). Safe to run again: it changes only
      what differs.
Options:
  --api-key KEY     the key the bot checks (default: EVENTS_API_KEY); --url only
  --role ARN        role EventBridge assumes to call the API destination; required with --url
  --name NAME       connection, API destination and rule name (default ${DEFAULT_WIRING_NAME})
  --pipeline ARN    only this pipeline's events; repeat for more (default: every pipeline)
  --dry-run         show what would change; send no change`;

const cliOptions = {
  url: { type: 'string' },
  queue: { type: 'string' },
  'api-key': { type: 'string' },
  name: { type: 'string' },
  pipeline: { type: 'string', multiple: true },
  role: { type: 'string' },
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
  return step.kind === 'target'
    ? `${verb} target of rule ${ruleName} -> ${step.resource}`
    : `${verb} ${step.kind} ${step.resource}`;
}

/**
 * `setup-events` from argv (the arguments after the command name). The caller passes the API
 * key from its config as `--api-key` or `defaults.apiKey`: this function reads no environment.
 * Exit codes: 0 done, 2 bad input (nothing sent), 1 AWS refused or failed.
 */
export async function setupEventsFromArgs(
  argv: string[],
  io: SetupEventsIo,
  client?: EventBridgeClient,
  defaults: { apiKey?: string } = {},
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
    dryRun: values['dry-run'] ?? false,
  };
  const problems = checkSetupOptions(options);
  if (problems.length > 0) return usageError(io, problems);

  const name = options.name ?? DEFAULT_WIRING_NAME;
  const eventBridge = client ?? new EventBridgeClient({});
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
          'connection, iam:PassRole on the invoke role).',
      );
    }
    return 1;
  } finally {
    if (!client) eventBridge.destroy();
  }
}

function usageError(io: SetupEventsIo, problems: string[]): number {
  for (const problem of problems) io.stderr(`pipeline-schedule: ${problem}`);
  io.stderr("Run 'pipeline-schedule setup-events --help' for usage.");
  return 2;
}
