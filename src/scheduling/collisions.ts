import { previewSchedule, previewStoredSchedule } from './expression/index.js';
import { madeElsewhereWords, type Provenance } from './provenance.js';
import type { FoundTrigger, TriggerListItem } from './trigger-listing.js';

/**
 * Collisions, before they happen: a new schedule for a pipeline that another trigger already
 * starts at the same times — the SageMaker SDK's `default/<pipeline>` and a console rule
 * included — would run it twice. Found among every trigger of the pipeline the bot can see:
 * the same name in the default group (where `put_triggers` puts it, named after the pipeline by
 * default), or a run in the next 7 days at the same minute.
 */

export interface Collision {
  ref: string;
  kind: 'schedule' | 'event';
  place: string;
  provenance: Provenance;
  reason: 'same-name' | 'same-time';
  /** The other trigger's timing, in words ("at 06:00, only on Monday, UTC"). */
  timing?: string;
  /** The first run both would start (same-time). */
  together?: Date;
}

export interface PlannedSchedule {
  name?: string;
  pipelineName: string;
  expression: string;
  timeZone?: string;
  start?: Date;
  end?: Date;
}

const HORIZON_MS = 7 * 86_400_000;
/** Enough for a rate(5 minutes) over 7 days; a finer one is compared over its first runs. */
const MAX_RUNS = 2_100;

export function collisionsWith(
  planned: PlannedSchedule,
  others: Array<{ item: TriggerListItem; found: FoundTrigger }>,
  now: Date,
): Collision[] {
  const horizon = now.getTime() + HORIZON_MS;
  const mine = new Set(
    minutesOf(
      previewSchedule({
        expression: planned.expression,
        now,
        count: MAX_RUNS,
        ...(planned.timeZone ? { timeZone: planned.timeZone } : {}),
        ...(planned.start ? { start: planned.start } : {}),
        ...(planned.end ? { end: planned.end } : {}),
      }),
      horizon,
    ),
  );
  const collisions: Collision[] = [];
  for (const { item, found } of others) {
    const about = {
      ref: item.ref,
      kind: item.kind,
      place: item.place,
      provenance: item.provenance,
    };
    const theirs = timingOf(found, now);
    const timing = theirs?.ok ? { timing: theirs.preview.description } : {};
    const sameName =
      found.kind === 'schedule' &&
      found.record.group === 'default' &&
      found.record.name.toLowerCase() === (planned.name ?? planned.pipelineName).toLowerCase();
    if (sameName) {
      collisions.push({ ...about, reason: 'same-name', ...timing });
      continue;
    }
    if (!theirs || found.record.state !== 'ENABLED') continue;
    const together = minutesOf(theirs, horizon).find((minute) => mine.has(minute));
    if (together !== undefined)
      collisions.push({ ...about, reason: 'same-time', ...timing, together: new Date(together) });
  }
  return collisions;
}

/** The other trigger's runs, when it runs on a schedule (an event rule does not). */
function timingOf(found: FoundTrigger, now: Date) {
  if (found.kind === 'schedule')
    return previewStoredSchedule(found.record, { now, count: MAX_RUNS });
  const expression = found.record.scheduleExpression;
  return expression
    ? previewSchedule({ expression, dialect: 'rules', now, count: MAX_RUNS })
    : undefined;
}

/** The runs before the horizon, by the minute they start in, in order. */
function minutesOf(preview: ReturnType<typeof previewSchedule>, horizon: number): number[] {
  if (!preview.ok) return [];
  return preview.preview.occurrences
    .map((d) => Math.floor(d.getTime() / 60_000) * 60_000)
    .filter((t) => t <= horizon);
}

/** One sentence per collision, for the preview and the refusal. */
export function collisionWords(c: Collision, planned: PlannedSchedule): string {
  const maker = madeElsewhereWords(c.provenance) ?? 'made with this bot';
  const where = c.kind === 'schedule' ? `from ${c.ref}` : `from rule ${c.ref}`;
  if (c.reason === 'same-name')
    return `${planned.pipelineName} already has a schedule ${c.ref} in the default group (${c.timing ?? 'its own timing'}), ${maker}: the SageMaker SDK names its schedules after the pipeline, so this is likely the same job`;
  return `${planned.pipelineName} already runs ${c.timing ?? 'at the same times'} ${where}, ${maker}; both would start it at ${c.together?.toISOString() ?? 'the same minute'}`;
}
