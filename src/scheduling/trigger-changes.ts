import { formatInstantIn } from './expression/index.js';
import type { ParameterValue } from './pipeline.js';
import type { EventTrigger, RetryPolicy, ScheduleTrigger } from './triggers.js';

/**
 * What an update changes, field by field, as the preview and the approver read it: `before` and
 * `after` are the values in words, undefined where the field is not set.
 */
export interface FieldChange {
  field: string;
  before?: string;
  after?: string;
}

/** What a person asked to change; a field left out stays as it is. `null` clears it. */
export interface TriggerChanges {
  expression?: string;
  timeZone?: string;
  start?: Date | null;
  end?: Date | null;
  flexibleWindowMinutes?: number | null;
  roleArn?: string;
  /** An empty description clears it. */
  description?: string;
  /** Merged by name into the trigger's own: the ones not named keep their values. */
  parameters?: ParameterValue[];
  /** Parameters the trigger stops setting, so the pipeline's defaults apply. */
  unsetParameters?: string[];
  retryPolicy?: Partial<RetryPolicy>;
  deadLetterArn?: string | null;
  /** Rules only: the event pattern, as JSON text. */
  eventPattern?: string;
}

/** `param:` values as typed, laid over the current ones: same order, new names at the end. */
export function mergeParameters(
  current: readonly ParameterValue[],
  changed: readonly ParameterValue[] | undefined,
  unset: readonly string[] = [],
): ParameterValue[] {
  if (unset.length > 0)
    return mergeParameters(
      current.filter((p) => !unset.includes(p.name)),
      changed?.filter((p) => !unset.includes(p.name)),
    );
  if (!changed || changed.length === 0) return [...current];
  const byName = new Map(changed.map((p) => [p.name, p.value]));
  const merged = current.map((p) =>
    byName.has(p.name) ? { name: p.name, value: byName.get(p.name) ?? '' } : { ...p },
  );
  for (const p of changed)
    if (!current.some((c) => c.name === p.name)) merged.push({ name: p.name, value: p.value });
  return merged;
}

/** An instant with the schedule zone's offset: a person reads local time, a program the instant. */
const instant = (d: Date | undefined, zone: string) => (d ? formatInstantIn(d, zone) : undefined);

/** The fields of a schedule a person can change, in the order describe shows them. */
function scheduleFields(s: ScheduleTrigger): Array<[string, string | undefined]> {
  return [
    ['expression', s.expression],
    ['time zone', s.timeZone],
    ['start', instant(s.start, s.timeZone)],
    ['end', instant(s.end, s.timeZone)],
    [
      'flexible window',
      s.flexibleWindowMinutes === undefined ? undefined : `${s.flexibleWindowMinutes} min`,
    ],
    ['state', s.state],
    ['role', s.roleArn],
    ['description', s.description || undefined],
    ['retries', String(s.retryPolicy.maximumRetryAttempts)],
    ['max-age', `${s.retryPolicy.maximumEventAgeSeconds} s`],
    ['dead-letter queue', s.deadLetterArn],
    // A new expression decides this again: an at() removes itself once it has run.
    ['after its last run', s.deleteAfterCompletion ? 'deleted' : 'kept'],
  ];
}

function parameterFields(
  parameters: readonly ParameterValue[],
  label = (name: string) => `param:${name}`,
): Map<string, string> {
  return new Map(parameters.map((p) => [label(p.name), p.value]));
}

function changesBetween(
  before: Array<[string, string | undefined]>,
  after: Array<[string, string | undefined]>,
): FieldChange[] {
  const afterByField = new Map(after);
  const fields = [...new Set([...before.map(([f]) => f), ...after.map(([f]) => f)])];
  const beforeByField = new Map(before);
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const was = beforeByField.get(field);
    const now = afterByField.get(field);
    if (was === now) continue;
    changes.push({
      field,
      ...(was !== undefined ? { before: was } : {}),
      ...(now !== undefined ? { after: now } : {}),
    });
  }
  return changes;
}

/** Every field an update of a schedule changes; empty when it changes nothing. */
export function scheduleChanges(before: ScheduleTrigger, after: ScheduleTrigger): FieldChange[] {
  return changesBetween(
    [...scheduleFields(before), ...parameterFields(before.parameters)],
    [...scheduleFields(after), ...parameterFields(after.parameters)],
  );
}

/** Every field an update of a rule changes: pattern, role, description, each target's values. */
export function ruleChanges(before: EventTrigger, after: EventTrigger): FieldChange[] {
  const fields = (rule: EventTrigger): Array<[string, string | undefined]> => {
    const several = rule.targets.length > 1;
    return [
      ['event pattern', rule.eventPattern || undefined],
      ['state', rule.state],
      ['role', rule.roleArn || undefined],
      ['description', rule.description || undefined],
      ...rule.targets.flatMap((t) => [
        ...parameterFields(t.parameters, (name) =>
          several ? `param:${name} (${t.pipelineName})` : `param:${name}`,
        ),
      ]),
    ];
  };
  return changesBetween(fields(before), fields(after));
}
