import { ROLE_ARN } from '../trigger-rules.js';

/** SQS's limit is 1–80 characters; Scheduler's DeadLetterConfig pattern allows no `.fifo`. */
export const DEAD_LETTER_QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * `pipeline-schedule setup-events`, what it is asked for: the options, their checks, and the
 * pattern and queue policy they imply. `setup-events.ts` sends the writes; `event-wiring.ts` is
 * the command line. It wires SageMaker pipeline status events to the bot, either
 * through an API destination that POSTs each event to `/aws/events`, or into an SQS queue the
 * bot long-polls. Every step reads first and writes only what differs, so running it twice is
 * safe; deploy/cloudformation.yml builds the same wiring.
 */

export const DEFAULT_WIRING_NAME = 'pipeline-schedule-bot';
/** The route the bot serves events on (DESIGN.md, "Events in"). */
export const EVENTS_PATH = '/aws/events';
/** The header the bot checks against EVENTS_API_KEY. */
export const API_KEY_HEADER = 'x-api-key';
export const PIPELINE_DETAIL_TYPES = [
  'SageMaker Model Building Pipeline Execution Status Change',
  'SageMaker Model Building Pipeline Execution Step Status Change',
] as const;
/** Modest: status changes are few, and a slow bot should see a backlog, not a flood. */
export const INVOCATION_RATE_LIMIT = 10;
/** The event-pattern size quota (2,048 characters by default; the model allows 4,096). */
export const MAX_PATTERN_CHARS = 2048;

export type WiringKind =
  | 'connection'
  | 'api destination'
  | 'rule'
  | 'target'
  | 'dead-letter queue'
  | 'schedule';
export type SetupOutcome = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update';

export interface SetupStep {
  kind: WiringKind;
  /** The write sent (or, for a dry run or an unchanged resource, the one that would be). */
  operation: string;
  /** A name, or for a target the ARN it delivers to. */
  resource: string;
  outcome: SetupOutcome;
  /** Why an unchanged resource was left as it is, when that is news. */
  note?: string;
}

export interface SetupEventsOptions {
  /** The bot's public HTTPS URL (base or full `/aws/events`): events go to an API destination. */
  url?: string;
  /** An SQS queue ARN: events go to the queue instead. */
  queueArn?: string;
  /** EVENTS_API_KEY; required with `url`. */
  apiKey?: string;
  /** Name of the connection, API destination and rule (also the target id). */
  name?: string;
  /** Only these pipelines' events; all pipelines in the account and Region when omitted. */
  pipelineArns?: string[];
  /** The role EventBridge assumes to invoke the API destination (events:InvokeApiDestination). */
  roleArn?: string;
  /**
   * A Scheduler dead-letter queue of this name for the bot's group: created when missing and
   * set on the group's pipeline schedules that have none.
   */
  schedulerDlq?: string;
  /** Reads only: reports what would change and sends no write. */
  dryRun?: boolean;
  /** Called as each step completes, so progress shows even when a later step fails. */
  onStep?: (step: SetupStep) => void;
}

export interface QueuePolicy {
  Version: '2012-10-17';
  Statement: Array<{
    Sid: string;
    Effect: 'Allow';
    Principal: { Service: 'events.amazonaws.com' };
    Action: 'sqs:SendMessage';
    Resource: string;
    Condition: { ArnEquals: { 'aws:SourceArn': string } };
  }>;
}

export interface SetupEventsResult {
  steps: SetupStep[];
  ruleArn?: string;
  /** With a queue: the access policy the queue needs (setup-events does not change it). */
  queuePolicy?: QueuePolicy;
}

/** The options were wrong; nothing was sent. */
export class SetupInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'SetupInputError';
  }
}

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
export const QUEUE_ARN = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(\.fifo)?)$/;
const PIPELINE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:pipeline\/[A-Za-z0-9-]{1,256}$/;

/**
 * The API destination endpoint for a URL people give: the base URL gets `/aws/events`
 * appended; a URL already ending in it is kept. Only https (EventBridge requires it).
 */
export function eventsEndpoint(
  url: string,
): { ok: true; url: string } | { ok: false; problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: `--url "${url}" is not a URL` };
  }
  if (parsed.protocol !== 'https:') {
    return { ok: false, problem: '--url must be https (EventBridge only calls HTTPS endpoints)' };
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    return { ok: false, problem: '--url may not carry credentials, a query or a fragment' };
  }
  // A "*" in the endpoint is an API-destination path wildcard, filled per target.
  if (url.includes('*')) return { ok: false, problem: '--url may not contain "*"' };
  const path = parsed.pathname.replace(/\/+$/, '');
  const full = path.endsWith(EVENTS_PATH) ? path : `${path}${EVENTS_PATH}`;
  const endpoint = `${parsed.origin}${full}`;
  if (endpoint.length > 2048) return { ok: false, problem: '--url is longer than 2048 characters' };
  return { ok: true, url: endpoint };
}

/**
 * Pipeline status and step events, optionally of some pipelines only. ARNs match ignoring case:
 * whether SageMaker reports pipeline ARNs in the case they were created with is unconfirmed.
 */
export function notificationPattern(pipelineArns: string[] = []): Record<string, unknown> {
  const seen = new Set<string>();
  const unique = pipelineArns.filter((arn) => {
    const key = arn.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    source: ['aws.sagemaker'],
    'detail-type': [...PIPELINE_DETAIL_TYPES],
    ...(unique.length > 0
      ? { detail: { pipelineArn: unique.map((arn) => ({ 'equals-ignore-case': arn })) } }
      : {}),
  };
}

/** What the queue's access policy must allow: this rule, and nothing else, may send. */
export function queuePolicyFor(queueArn: string, ruleArn: string): QueuePolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowPipelineStatusRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  };
}

/** Every problem with the options, in people's words; empty when they are usable. */
export function checkSetupOptions(options: SetupEventsOptions): string[] {
  const problems: string[] = [];
  const name = options.name ?? DEFAULT_WIRING_NAME;
  if (!NAME.test(name)) {
    problems.push(`--name "${name}" must be 1-64 letters, digits, ".", "-" or "_"`);
  }
  if (options.url !== undefined && options.queueArn !== undefined) {
    problems.push('give one of --url (an API destination) or --queue (an SQS queue ARN), not both');
  } else if (
    options.url === undefined &&
    options.queueArn === undefined &&
    options.schedulerDlq === undefined
  ) {
    problems.push(
      'give --url (an API destination) or --queue (an SQS queue ARN) for status events, ' +
        "and/or --scheduler-dlq NAME for a dead-letter queue on the bot's schedules",
    );
  }
  if (options.schedulerDlq !== undefined && !DEAD_LETTER_QUEUE_NAME.test(options.schedulerDlq)) {
    problems.push(
      `--scheduler-dlq "${options.schedulerDlq}" must be a standard queue name: 1-80 letters, ` +
        'digits, "-" or "_" (Scheduler takes no FIFO queue)',
    );
  }
  if (options.url !== undefined) {
    const endpoint = eventsEndpoint(options.url);
    if (!endpoint.ok) problems.push(endpoint.problem);
    if (!options.apiKey) {
      problems.push('--url needs the API key the bot checks: pass --api-key or set EVENTS_API_KEY');
    } else if (options.apiKey.length > 512 || /[\r\n]/.test(options.apiKey)) {
      problems.push(
        'the API key must be at most 512 characters on one line (it travels as a header)',
      );
    }
    if (options.roleArn === undefined) {
      problems.push(
        '--url needs --role: the role EventBridge assumes to call the API destination ' +
          '(events:InvokeApiDestination; see deploy/iam/api-destination-invoke-role-*.json)',
      );
    } else if (!ROLE_ARN.test(options.roleArn)) {
      problems.push(`--role "${options.roleArn}" is not an IAM role ARN`);
    }
  }
  if (options.queueArn !== undefined) {
    const queue = QUEUE_ARN.exec(options.queueArn);
    if (!queue) {
      problems.push(
        `--queue "${options.queueArn}" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)`,
      );
    } else if (queue[5]) {
      problems.push('--queue must be a standard queue; a FIFO queue needs a message group id');
    }
    if (options.roleArn !== undefined) {
      problems.push(
        '--role is for --url only: EventBridge sends to a queue under its access policy',
      );
    }
  }
  for (const arn of options.pipelineArns ?? []) {
    if (!PIPELINE_ARN.test(arn)) {
      problems.push(
        `--pipeline "${arn}" is not a pipeline ARN (arn:aws:sagemaker:<region>:<account>:pipeline/<name>)`,
      );
    }
  }
  const patternChars = JSON.stringify(notificationPattern(options.pipelineArns)).length;
  if (patternChars > MAX_PATTERN_CHARS) {
    problems.push(
      `the event pattern for ${options.pipelineArns?.length} pipelines is ${patternChars} characters, ` +
        `over EventBridge's ${MAX_PATTERN_CHARS}; name fewer pipelines or leave --pipeline out`,
    );
  }
  return problems;
}
