import { nextOccurrences, occurrenceBounds, parseExpression } from './expression/index.js';
import type { ScheduleRecord } from './triggers.js';

/**
 * A tick: one occurrence of a schedule and what became of it. The bot knows exactly when each
 * schedule it can see should start its pipeline, and sees every execution: an occurrence with
 * no execution once its window and a grace have passed is a missed run, said once in the
 * trigger's channels; a run that starts later (a retry within the retry policy) turns it into
 * "started late". A run that should not happen (the schedule is paused, or daylight saving
 * removes its wall time) is recorded as skipped, for the history; no channel is told of it.
 */
export type TickOutcome = 'started' | 'late' | 'missed' | 'skipped';

export interface Tick {
  /** `group/name` of the schedule. */
  triggerKey: string;
  /** The ref a command takes (the bare name in the bot's own group). */
  ref: string;
  pipelineName: string;
  occurrence: Date;
  timeZone: string;
  outcome: TickOutcome;
  executionArn?: string;
  /**
   * A run daylight saving skipped: the wall time it would have had (`YYYY-MM-DD HH:MM`, which
   * exists in no offset; `occurrence` is the instant under the offset before the change).
   */
  wallTime?: string;
  /**
   * Runs a paused schedule skipped one after another, recorded as one tick: `occurrence` is the
   * first, `through` the last, `runs` how many (a paused rate(1 minute) would be 1,440 a day).
   */
  through?: Date;
  runs?: number;
  /** A rule's run that a matched event started: `occurrence` is the execution's start. */
  byEvent?: boolean;
  /** For a missed run: the probable cause, as exact as the bot can tell. */
  reason?: string;
  /** When it was first recorded; a missed run's message is posted then. */
  recordedAt: Date;
  updatedAt: Date;
  /** The outcome the trigger's channels were last told of; unset until they are told. */
  told?: TickOutcome;
}

export interface TickRepository {
  /** False when this occurrence already has a tick: a missed run is reported once. */
  insert(tick: Tick): Promise<boolean>;
  update(tick: Tick): Promise<void>;
  get(triggerKey: string, occurrence: Date): Promise<Tick | undefined>;
  /** A schedule's recent ticks, newest first. */
  recent(triggerKey: string, limit: number): Promise<Tick[]>;
  /**
   * Ticks whose news the channels have not had yet (a miss, or a miss that started late),
   * oldest first: a leader that crashed before telling them finds them here.
   */
  untold(limit: number): Promise<Tick[]>;
  /** The channels have been told of this outcome (unless it changed meanwhile). */
  markTold(tick: Tick): Promise<void>;
  /** Forgets ticks whose last occurrence is before an instant; how many went. */
  pruneBefore(before: Date): Promise<number>;
  /** Missed runs since an instant, that a late start could still turn into "started late". */
  missedSince(since: Date): Promise<Tick[]>;
}

/** After the window, this long for the start to show up before a run counts as missed. */
export const MISSED_GRACE_MS = 60_000;

/** The instant after which an occurrence with no execution is a missed run. */
export function missedAfter(
  schedule: ScheduleRecord,
  occurrence: number,
  graceMs = MISSED_GRACE_MS,
): number {
  return occurrence + (schedule.flexibleWindowMinutes ?? 0) * 60_000 + graceMs;
}

/** Until when a retry may still start it (the retry policy's maximum event age). */
export function retriesUntil(schedule: ScheduleRecord, occurrence: number): number {
  return (
    occurrence +
    (schedule.flexibleWindowMinutes ?? 0) * 60_000 +
    schedule.retryPolicy.maximumEventAgeSeconds * 1000
  );
}

/**
 * The occurrences of an enabled schedule whose missed-run deadline fell in (from, to]: the ones
 * to look at now. A paused schedule has none (its runs are not due); neither do instants before
 * its start, after its end, before its current definition was written (a resume does not replay
 * the paused runs), nor a wall time daylight saving skips — the expression engine never yields
 * those, exactly as Scheduler never runs them.
 */
export function dueOccurrences(
  schedule: ScheduleRecord,
  from: number,
  to: number,
  graceMs = MISSED_GRACE_MS,
): Date[] {
  if (schedule.state !== 'ENABLED' || schedule.targetKind === 'other') return [];
  const parsed = parseExpression(schedule.expression);
  if (!parsed.ok) return [];
  const bounds = occurrenceBounds(parsed.expression.kind, schedule);
  const lag = missedAfter(schedule, 0, graceMs);
  const after = Math.max(from - lag, (bounds.earliest ?? Number.NEGATIVE_INFINITY) - 1);
  const runs = nextOccurrences(parsed.expression, {
    after: new Date(after),
    timeZone: schedule.timeZone,
    ...(bounds.start !== undefined ? { start: new Date(bounds.start) } : {}),
    ...(bounds.end !== undefined ? { end: new Date(bounds.end) } : {}),
    count: MAX_OCCURRENCES_PER_LOOK,
  });
  return runs.filter((d) => {
    const deadline = missedAfter(schedule, d.getTime(), graceMs);
    return deadline > from && deadline <= to;
  });
}

/** Enough for a rate(1 minute) schedule over a long outage; older runs are not reported. */
const MAX_OCCURRENCES_PER_LOOK = 240;
