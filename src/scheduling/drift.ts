import { z } from 'zod';
import type { ParameterValue } from './pipeline.js';
import type { EventTrigger, RuleRecord, ScheduleRecord, ScheduleTrigger } from './triggers.js';

/**
 * Drift: what AWS holds that differs from what the bot last wrote (someone changed a trigger in
 * the console, or another tool did). Compared field by field, in people's words.
 */

/** A schedule as the trigger record keeps it: JSON, so its dates are ISO text. */
export type SerializedSchedule = Omit<ScheduleTrigger, 'start' | 'end'> & {
  start?: string;
  end?: string;
};

const parameters = z.array(z.object({ name: z.string(), value: z.string() }));

/** What drift compares of a recorded schedule; the rest of the record rides along. */
const recordedSchedule = z
  .object({
    expression: z.string(),
    timeZone: z.string(),
    state: z.enum(['ENABLED', 'DISABLED']),
    roleArn: z.string(),
    pipelineArn: z.string(),
    parameters,
  })
  .loose();

const recordedRule = z
  .object({
    eventPattern: z.string(),
    state: z.enum(['ENABLED', 'DISABLED']),
    targets: z.array(z.object({ pipelineName: z.string(), parameters }).loose()),
  })
  .loose();

/**
 * A trigger record's spec (the JSON the bot wrote), checked before drift reads it; undefined
 * when it is not one the bot wrote (a record from another version, or damaged), so drift
 * says nothing instead of failing describe.
 */
export function readRecordedSchedule(spec: string): SerializedSchedule | undefined {
  return readJson(spec, recordedSchedule) as SerializedSchedule | undefined;
}

/** A recorded schedule as the domain's trigger, its dates revived; undefined as above. */
export function recordedScheduleTrigger(spec: string): ScheduleTrigger | undefined {
  const recorded = readRecordedSchedule(spec);
  if (!recorded) return undefined;
  const { start, end, ...rest } = recorded;
  const date = (text: string | undefined) => {
    const at = text === undefined ? undefined : new Date(text);
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  };
  const revivedStart = date(start);
  const revivedEnd = date(end);
  return {
    ...rest,
    ...(revivedStart ? { start: revivedStart } : {}),
    ...(revivedEnd ? { end: revivedEnd } : {}),
  };
}

export function readRecordedRule(spec: string): EventTrigger | undefined {
  return readJson(spec, recordedRule) as EventTrigger | undefined;
}

function readJson(text: string, schema: z.ZodType): unknown {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The schedule fields whose value in AWS differs from the recorded one. */
export function scheduleDrift(recorded: SerializedSchedule, actual: ScheduleRecord): string[] {
  const drift: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const checks: Array<[string, unknown, unknown]> = [
    ['expression', recorded.expression, actual.expression],
    ['time zone', recorded.timeZone, actual.timeZone],
    ['state', recorded.state, actual.state],
    ['role', recorded.roleArn, actual.roleArn],
    ['parameters', sortParams(recorded.parameters), sortParams(actual.parameters)],
    ['start', recorded.start, actual.start?.toISOString()],
    ['end', recorded.end, actual.end?.toISOString()],
    ['flexible window', recorded.flexibleWindowMinutes, actual.flexibleWindowMinutes],
    ['target pipeline', recorded.pipelineArn.toLowerCase(), actual.pipelineArn.toLowerCase()],
    ['retry policy', recorded.retryPolicy, actual.retryPolicy],
    ['dead-letter queue', recorded.deadLetterArn, actual.deadLetterArn],
  ];
  for (const [field, before, after] of checks) if (!same(before, after)) drift.push(field);
  return drift;
}

/** The rule fields whose value in AWS differs from the recorded one. */
export function ruleDrift(recorded: EventTrigger, actual: RuleRecord): string[] {
  const drift: string[] = [];
  if (canonicalJson(recorded.eventPattern) !== canonicalJson(actual.eventPattern))
    drift.push('event pattern');
  if (recorded.state !== actual.state) drift.push('state');
  const targets = (t: EventTrigger['targets']) =>
    JSON.stringify(
      t.map((x) => ({ p: x.pipelineName.toLowerCase(), v: sortParams(x.parameters) })),
    );
  if (targets(recorded.targets) !== targets(actual.targets)) drift.push('targets');
  return drift;
}

function sortParams(parameters: ParameterValue[] | undefined): ParameterValue[] {
  return [...(parameters ?? [])].sort((a, b) => a.name.localeCompare(b.name));
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}
