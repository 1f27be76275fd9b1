import { nextOccurrences, occurrenceBounds, parseExpression } from './expression/index.js';
import { DYNAMIC_VALUE, type ParameterValue } from './pipeline.js';
import type { FoundTrigger } from './trigger-listing.js';

/**
 * What started a pipeline execution. SageMaker does not say which schedule or rule started it
 * (Scheduler's templated target sets no description, display name or tag), so the bot works it
 * out without changing what it creates, which also covers triggers made elsewhere:
 *
 * - an execution the bot started itself (`run`) is recorded when it starts: certain;
 * - a schedule is matched by pipeline, parameters and the occurrence window: the start lies
 *   between an occurrence and its end of window plus the retry policy's maximum event age.
 *   Scheduler substitutes `<aws.scheduler.schedule-arn>` and `<aws.scheduler.scheduled-time>`
 *   inside parameter values, so a schedule that passes either is known for certain (and the
 *   scheduled time names the occurrence exactly); otherwise the match is "likely";
 * - a rule is matched by pipeline and parameters (values read from the event match anything),
 *   and a rule on a schedule by its UTC runs as well: always "likely";
 * - anything else was started outside the bot, by the IAM identity SageMaker reports when it
 *   does.
 *
 * Text from the execution (its description, display name) never decides: anyone may write it.
 */
export type StartedBy =
  | {
      kind: 'run';
      requestId: string;
      userId?: string;
      approvedBy?: string[];
      channelId?: string;
    }
  | {
      kind: 'schedule';
      ref: string;
      /** Its schedule group and name (the ref leaves out the bot's own group). */
      group: string;
      name: string;
      /** The occurrence this execution belongs to (ISO instant). */
      occurrence: string;
      timeZone: string;
      likely: boolean;
      /** Started after its window (a retry within the retry policy). */
      late?: boolean;
    }
  | {
      kind: 'rule';
      ref: string;
      /** A rule on a schedule: the UTC run this execution belongs to. */
      occurrence?: string;
      likely: true;
    }
  | { kind: 'outside'; identity?: string }
  /** The back end did not answer when asked (throttled, say): not told, rather than told wrong. */
  | { kind: 'unknown' };

/** An execution as far as attribution needs it. */
export interface ExecutionFacts {
  pipelineName: string;
  startTime: Date;
  /** Every value it ran with: SageMaker reports the defaults it used too. */
  parameters: ParameterValue[];
  /** The pipeline's default values: a trigger that does not pass one runs with its default. */
  defaults: ParameterValue[];
  /** The IAM identity SageMaker reports (CreatedBy), when it does. */
  startedByIdentity?: string;
}

/** A trigger that starts the pipeline, with the ref a command takes. */
export interface Candidate {
  ref: string;
  found: FoundTrigger;
}

/** Scheduler's precision is a minute: a run within the minute after its window is on time. */
export const ON_TIME_SLACK_MS = 60_000;
/** EventBridge rule targets retry for up to 24 hours by default. */
const RULE_EVENT_AGE_MS = 24 * 3600_000;
/** Occurrences looked at per candidate (a rate(1 minute) within a day of retries). */
const MAX_LOOKBACK_OCCURRENCES = 1500;

const SCHEDULE_ARN_ATTRIBUTE = '<aws.scheduler.schedule-arn>';
const SCHEDULED_TIME_ATTRIBUTE = '<aws.scheduler.scheduled-time>';
/** Any context attribute: its value is Scheduler's to choose. */
const CONTEXT_ATTRIBUTE = /<aws\.scheduler\.[a-z-]+>/;

interface Match {
  startedBy: StartedBy;
  /** Lower is better: certain before likely, on time before late, nearer before farther. */
  rank: [number, number, number];
}

/** The trigger that most plausibly started the execution, or "outside the bot". */
export function attribute(execution: ExecutionFacts, candidates: Candidate[]): StartedBy {
  const matches: Match[] = [];
  for (const candidate of candidates) {
    const match =
      candidate.found.kind === 'schedule'
        ? matchSchedule(execution, candidate.ref, candidate.found.record)
        : matchRule(execution, candidate.ref, candidate.found.record);
    if (match) matches.push(match);
  }
  matches.sort((a, b) => compareRanks(a.rank, b.rank));
  return (
    matches[0]?.startedBy ?? {
      kind: 'outside',
      ...(execution.startedByIdentity ? { identity: execution.startedByIdentity } : {}),
    }
  );
}

function matchSchedule(
  execution: ExecutionFacts,
  ref: string,
  record: Extract<FoundTrigger, { kind: 'schedule' }>['record'],
): Match | undefined {
  if (record.pipelineName.toLowerCase() !== execution.pipelineName.toLowerCase()) return undefined;
  const values = parameterMatch(record.parameters, execution, record.arn);
  if (!values) return undefined;
  const windowMs = (record.flexibleWindowMinutes ?? 0) * 60_000;
  const start = execution.startTime.getTime();
  const maxAgeMs = record.retryPolicy.maximumEventAgeSeconds * 1000;
  let occurrence: number | undefined = values.scheduledTime;
  if (occurrence === undefined) {
    const parsed = parseExpression(record.expression);
    if (!parsed.ok) return undefined;
    const bounds = occurrenceBounds(parsed.expression.kind, record);
    const lookFrom = start - windowMs - maxAgeMs - ON_TIME_SLACK_MS;
    const runs = nextOccurrences(parsed.expression, {
      after: new Date(Math.max(lookFrom, (bounds.earliest ?? lookFrom) - 1)),
      timeZone: record.timeZone,
      ...(bounds.start !== undefined ? { start: new Date(bounds.start) } : {}),
      ...(bounds.end !== undefined ? { end: new Date(bounds.end) } : {}),
      count: MAX_LOOKBACK_OCCURRENCES,
    }).filter((d) => d.getTime() <= start);
    occurrence = runs.at(-1)?.getTime();
  }
  if (occurrence === undefined || start < occurrence) return undefined;
  const lateBy = start - (occurrence + windowMs + ON_TIME_SLACK_MS);
  if (lateBy > maxAgeMs) return undefined;
  const certain = values.byArn || values.scheduledTime !== undefined;
  const late = lateBy > 0;
  return {
    startedBy: {
      kind: 'schedule',
      ref,
      group: record.group,
      name: record.name,
      occurrence: new Date(occurrence).toISOString(),
      timeZone: record.timeZone,
      likely: !certain,
      ...(late ? { late } : {}),
    },
    rank: [certain ? 0 : 1, late ? 1 : 0, start - occurrence],
  };
}

function matchRule(
  execution: ExecutionFacts,
  ref: string,
  record: Extract<FoundTrigger, { kind: 'event' }>['record'],
): Match | undefined {
  const targets = record.targets.filter(
    (t) => t.pipelineName.toLowerCase() === execution.pipelineName.toLowerCase(),
  );
  if (!targets.some((t) => parameterMatch(t.parameters, execution, record.arn))) return undefined;
  const start = execution.startTime.getTime();
  if (!record.scheduleExpression)
    // An event can come at any time: below any schedule that fits its window.
    return { startedBy: { kind: 'rule', ref, likely: true }, rank: [1, 1, 0] };
  const parsed = parseExpression(record.scheduleExpression, { dialect: 'rules' });
  if (!parsed.ok) return undefined;
  const runs = nextOccurrences(parsed.expression, {
    after: new Date(start - RULE_EVENT_AGE_MS),
    count: MAX_LOOKBACK_OCCURRENCES,
  }).filter((d) => d.getTime() <= start);
  const occurrence = runs.at(-1)?.getTime();
  if (occurrence === undefined) return undefined;
  const late = start - occurrence > ON_TIME_SLACK_MS;
  return {
    startedBy: {
      kind: 'rule',
      ref,
      occurrence: new Date(occurrence).toISOString(),
      likely: true,
    },
    rank: [1, late ? 1 : 0, start - occurrence],
  };
}

/**
 * Whether the execution ran with what the trigger passes, and with the pipeline's defaults for
 * the rest. A value the trigger leaves to Scheduler (a context attribute) or to the event (a
 * JSON path) matches any value, except the schedule's ARN, which must be this one's, and the
 * scheduled time, which is read back.
 */
function parameterMatch(
  passed: ParameterValue[],
  execution: ExecutionFacts,
  triggerArn: string,
): { byArn: boolean; scheduledTime?: number } | undefined {
  const actual = new Map(execution.parameters.map((p) => [p.name, p.value]));
  const expected = new Map(execution.defaults.map((p) => [p.name, p.value]));
  for (const { name, value } of passed) expected.set(name, value);
  // A value the trigger does not set, different from the default: someone chose it.
  for (const [name, value] of actual)
    if (expected.has(name) ? false : value !== '') return undefined;
  let byArn = false;
  let scheduledTime: number | undefined;
  for (const [name, value] of expected) {
    const got = actual.get(name);
    if (got === undefined) {
      // A default the execution does not report (a back end that lists only what was passed).
      if (!passed.some((p) => p.name === name)) continue;
      return undefined;
    }
    if (DYNAMIC_VALUE.test(value)) continue;
    if (value === SCHEDULE_ARN_ATTRIBUTE) {
      if (got !== triggerArn) return undefined;
      byArn = true;
      continue;
    }
    if (value === SCHEDULED_TIME_ATTRIBUTE) {
      const at = Date.parse(got);
      if (Number.isNaN(at)) return undefined;
      scheduledTime = at;
      continue;
    }
    if (!templateMatches(value, got)) return undefined;
  }
  return { byArn, ...(scheduledTime !== undefined ? { scheduledTime } : {}) };
}

/** A value with context attributes inside it ("run-<aws.scheduler.execution-id>") as a pattern. */
function templateMatches(template: string, value: string): boolean {
  if (!CONTEXT_ATTRIBUTE.test(template)) return template === value;
  const pattern = template
    .split(CONTEXT_ATTRIBUTE)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${pattern}$`, 's').test(value);
}

function compareRanks(a: Match['rank'], b: Match['rank']): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * A trigger starts one execution per occurrence (a retry only follows a start that failed): of
 * several likely claims on one occurrence, the earliest keeps it and the others were started
 * outside the bot. Certain attributions are left as they are.
 */
export function onePerOccurrence<T extends { startTime: Date; startedBy: StartedBy }>(
  executions: T[],
): T[] {
  const claimedBy = new Map<string, T>();
  for (const e of executions) {
    const key = occurrenceKey(e.startedBy);
    if (!key) continue;
    const held = claimedBy.get(key);
    if (!held || e.startTime < held.startTime) claimedBy.set(key, e);
  }
  return executions.map((e) => {
    const key = occurrenceKey(e.startedBy);
    return key && claimedBy.get(key) !== e ? { ...e, startedBy: { kind: 'outside' } } : e;
  });
}

function occurrenceKey(s: StartedBy): string | undefined {
  if ((s.kind === 'schedule' || s.kind === 'rule') && s.likely && s.occurrence)
    return `${s.kind}|${s.ref}|${s.occurrence}`;
  return undefined;
}
