import type { ScheduleExpression } from './types.js';

/** The dates of a schedule as its back end holds them. */
export interface ScheduleDates {
  start?: Date;
  end?: Date;
  /** CreationDate: when the back end created the schedule. */
  createdAt?: Date;
  /** LastModificationDate: when its current definition was written; createdAt until updated. */
  modifiedAt?: Date;
}

export interface OccurrenceBounds {
  /** nextOccurrences' start: a rate()'s anchor, a lower bound for cron(). */
  start?: number;
  end?: number;
  /**
   * The first instant an occurrence may have: none from before the schedule's current
   * definition was written (created, or updated — a resume does not replay the paused runs).
   * Undefined when the back end did not say when that was.
   */
  earliest?: number;
}

/** The start of the second holding `ms`: describe prints seconds, and a rate() counts in them. */
export function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/**
 * How the runs of a stored schedule are counted: the one reading the local engine fires by, and
 * describe and the reply to create preview by, so that what they print is what fires.
 *
 * Runs are strictly after the instant the current definition was written (a cron slot that
 * passed a moment before CreateSchedule, or while a schedule was paused, is not run). Scheduler
 * documents that a rate() without StartDate "starts invoking the target immediately"; which
 * instant within the creation second it counts from is not documented, so it is anchored on the
 * whole second of its creation — the printed instant — and that first run is the one allowed to
 * precede the write, by less than a second.
 */
export function occurrenceBounds(
  kind: ScheduleExpression['kind'],
  dates: ScheduleDates,
): OccurrenceBounds {
  const created = dates.createdAt ? wholeSecond(dates.createdAt.getTime()) : undefined;
  const written = (dates.modifiedAt ?? dates.createdAt)?.getTime();
  const anchoredOnCreation = kind === 'rate' && !dates.start && created !== undefined;
  const start = dates.start?.getTime() ?? (anchoredOnCreation ? created : undefined);
  const earliest =
    written === undefined
      ? undefined
      : anchoredOnCreation && wholeSecond(written) === created
        ? created
        : written + 1;
  return {
    ...(start !== undefined ? { start } : {}),
    ...(dates.end ? { end: dates.end.getTime() } : {}),
    ...(earliest !== undefined ? { earliest } : {}),
  };
}
