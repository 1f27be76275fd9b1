import {
  type PreviewResult,
  previewSchedule,
  resolveTimeZone,
  type ScheduleInputError,
  type SchedulePreview,
} from '../../scheduling/expression/index.js';
import { parseInstant } from './instant.js';
import { runText, type TextView, utcView } from './time-text.js';

/**
 * `next` and `validate`: what every front end (slash command, terminal chat, CLI) runs. Inputs
 * arrive as the text a person typed; results are values the front end renders its own way.
 */

export interface PreviewCommandInput {
  expression: string;
  timeZone?: string;
  /** Occurrences strictly after this; now when omitted. */
  from?: string;
  start?: string;
  end?: string;
  count?: string;
}

export type CommandError =
  | ScheduleInputError
  | { code: 'INVALID_OPTION'; message: string; field: string };

export type PreviewCommandResult =
  | { ok: true; preview: SchedulePreview }
  | { ok: false; error: CommandError };

/** Upper bound for `count`: enough for any plan, small enough to answer at once. */
export const MAX_COUNT = 10_000;

export function runPreviewCommand(
  input: PreviewCommandInput,
  now: Date,
  defaultCount: number,
): PreviewCommandResult {
  let timeZone = 'UTC';
  if (input.timeZone !== undefined) {
    const zone = resolveTimeZone(input.timeZone);
    if (!zone.ok)
      return {
        ok: false,
        error: { code: 'INVALID_TIME_ZONE', message: zone.message, field: 'timeZone' },
      };
    timeZone = zone.timeZone;
  }
  const instants: Partial<Record<'from' | 'start' | 'end', Date>> = {};
  for (const field of ['from', 'start', 'end'] as const) {
    const text = input[field];
    if (text === undefined) continue;
    const parsed = parseInstant(field, text, timeZone);
    if (!parsed.ok)
      return { ok: false, error: { code: 'INVALID_OPTION', message: parsed.message, field } };
    instants[field] = parsed.instant;
  }
  let count = defaultCount;
  if (input.count !== undefined) {
    if (!/^\d+$/.test(input.count) || Number(input.count) < 1 || Number(input.count) > MAX_COUNT) {
      return {
        ok: false,
        error: {
          code: 'INVALID_OPTION',
          message: `count: "${input.count}" should be a whole number from 1 to ${MAX_COUNT}`,
          field: 'count',
        },
      };
    }
    count = Number(input.count);
  }
  const result: PreviewResult = previewSchedule({
    expression: input.expression,
    timeZone,
    now: instants.from ?? now,
    ...(instants.start ? { start: instants.start } : {}),
    ...(instants.end ? { end: instants.end } : {}),
    count,
  });
  return result;
}

/** Plain-text rendering shared by the CLI and the terminal chat. */
export function formatPreviewText(
  preview: SchedulePreview,
  options: { occurrences: boolean },
  view: TextView = utcView(),
): string[] {
  const lines = [preview.description];
  if (options.occurrences) {
    lines.push(preview.occurrences.length ? 'next runs:' : 'next runs: none');
    for (const instant of preview.occurrences)
      lines.push(`  ${runText(instant, preview.timeZone, view)}`);
  }
  for (const warning of preview.warnings) lines.push(`warning: ${warning.message}`);
  return lines;
}

/** The error and, when it points into the expression, a caret under the culprit. */
export function formatCommandError(error: CommandError, expression: string): string[] {
  const lines = [error.message];
  if ('span' in error && error.span) {
    const text = expression.trim();
    const width = Math.max(1, error.span.end - error.span.start);
    lines.push(`  ${text}`, `  ${' '.repeat(error.span.start)}${'^'.repeat(width)}`);
  }
  return lines;
}
