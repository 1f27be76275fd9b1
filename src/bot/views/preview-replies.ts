import type { KnownBlock } from '@slack/web-api';
import type { SchedulePreview, ScheduleWarning } from '../../scheduling/expression/index.js';
import { relativeText } from '../commands/time-text.js';
import { code, codeBlock, context, esc, section, when } from './kit.js';
import { LIMITS } from './limits.js';
import type { ReplyOf, SlackMessage } from './reply-blocks.js';

/** Replies that show what would happen: an expression's next runs, a dry run's requests. */

const MAX_DRY_RUN_REQUESTS = 40;

/** An expression explained, with its next runs (or only the runs). */
export function previewMessage(
  reply: ReplyOf<'preview'>,
  tz: string | undefined,
  now?: Date,
): SlackMessage {
  return {
    text: reply.runsOnly
      ? `next runs of ${reply.preview.expression.text}`
      : `${reply.preview.expression.text}: ${reply.preview.description}`,
    blocks: reply.runsOnly
      ? [section(runsText(reply.preview.occurrences, tz, reply.preview.timeZone, 'none', now))]
      : previewBlocks(reply.preview, tz, now),
  };
}

/** The requests a dry run would have sent. */
export function dryRunMessage(reply: ReplyOf<'dry-run'>): SlackMessage {
  return {
    text: 'dry run: nothing was changed',
    blocks: [
      section('*Dry run:* nothing was changed. These requests would be sent:'),
      ...requestBlocks(reply.requests),
      ...warningBlocks(reply.warnings ?? []),
    ],
  };
}

/** Each request a dry run would send, its body as JSON. */
export function requestBlocks(requests: ReplyOf<'dry-run'>['requests']): KnownBlock[] {
  const shown = requests.slice(0, MAX_DRY_RUN_REQUESTS);
  return [
    ...shown.map((r) =>
      section(
        `*${esc(r.operation)}*\n${codeBlock(JSON.stringify(r.input, null, 2), LIMITS.sectionText - r.operation.length - 20)}`,
      ),
    ),
    ...moreLine(requests.length - shown.length),
  ];
}

/** An expression, its zone and meaning, its next runs and its warnings. */
function previewBlocks(preview: SchedulePreview, tz: string | undefined, now?: Date): KnownBlock[] {
  return [
    section(
      `${code(preview.expression.text)}${preview.timeZone !== 'UTC' ? ` in ${esc(preview.timeZone)}` : ''}\n*${esc(preview.description)}*`,
    ),
    section(runsText(preview.occurrences, tz, preview.timeZone, 'none', now)),
    ...warningBlocks(preview.warnings),
  ];
}

/** `*Next runs*` and a line a run, in the reader's time. */
/** The next runs: each in the schedule's zone, then in every reader's own (Slack's token). */
export function runsText(
  runs: Date[],
  tz: string | undefined,
  scheduleZone: string,
  none = 'none',
  now?: Date,
): string {
  return runs.length
    ? `*Next runs*\n${runs.map((d) => `• ${when(d, tz, scheduleZone)}${howSoon(d, tz ?? scheduleZone, now)}`).join('\n')}`
    : `*Next runs:* ${none}`;
}

/**
 * ` · in 4 min`, for a reply read as it arrives (a message that stays, such as an approval
 * request, would go stale: it has only Slack's own tokens). Today, tomorrow and yesterday are
 * already said by Slack's date token.
 */
function howSoon(instant: Date, timeZone: string, now: Date | undefined): string {
  if (!now) return '';
  const phrase = relativeText(instant, { timeZone, now });
  return phrase && !/^(tomorrow|yesterday)$/.test(phrase) ? ` · ${phrase}` : '';
}

/** The warnings of a schedule, as one context block. */
export function warningBlocks(warnings: ScheduleWarning[]): KnownBlock[] {
  // One context element per warning, up to the 10 a context block holds; the rest summarized.
  if (warnings.length === 0) return [];
  const shown = warnings.slice(0, LIMITS.contextElements - 1);
  return [
    context(
      ...shown.map((w) => `:warning: ${esc(w.message)}`),
      ...(warnings.length > shown.length ? [`…and ${warnings.length - shown.length} more`] : []),
    ),
  ];
}

/** `…and N more`, when something was left out. */
function moreLine(count: number): KnownBlock[] {
  return count > 0 ? [context(`…and ${count} more`)] : [];
}
