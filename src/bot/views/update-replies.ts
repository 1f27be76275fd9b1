import type { KnownBlock } from '@slack/web-api';
import type { FieldChange } from '../../scheduling/trigger-changes.js';
import type { RunsBeforeAndAfter } from '../commands/replies.js';
import { ids } from '../ids.js';
import { actions, button, clip, code, esc, fieldsSection, section } from './kit.js';
import { LIMITS } from './limits.js';
import { requestBlocks, runsText, warningBlocks } from './preview-replies.js';
import type { ReplyOf, SlackMessage } from './reply-blocks.js';

/** An update, done or previewed: the change as a diff, the next runs before and after. */
export function triggerUpdatedMessage(
  reply: ReplyOf<'trigger-updated'>,
  tz: string | undefined,
  now?: Date,
): SlackMessage {
  const u = reply.update;
  const what = u.kind === 'schedule' ? 'schedule' : 'rule';
  const head = u.dryRun
    ? `*Dry run:* nothing was changed. The ${what} *${esc(u.ref)}* would change:`
    : `:pencil2: Updated ${what} *${esc(u.ref)}*:`;
  return {
    text: u.dryRun
      ? `dry run: ${what} ${u.ref} would change ${u.changes.map((c) => c.field).join(', ')}`
      : `updated ${what} ${u.ref}: ${u.changes.map((c) => c.field).join(', ')}`,
    blocks: [
      section(`${head}\n${changeLines(u.changes)}`),
      ...changedRunsBlocks(reply.runs, tz, now),
      ...warningBlocks(reply.warnings ?? []),
      ...(u.requests ? requestBlocks(u.requests) : []),
      ...(u.dryRun
        ? []
        : [
            actions(`${ids.blocks.triggerActions}_0`, [
              button(ids.actions.describe, 'Details', u.ref),
            ]),
          ]),
    ],
  };
}

/** `• *expression*: `cron(0 8 …)` → `cron(30 6 …)`` a line a field; values are escaped. */
export function changeLines(changes: FieldChange[]): string {
  const value = (v: string | undefined) => (v === undefined ? '_not set_' : code(clip(v, 300)));
  const lines = changes.map((c) => `• *${esc(c.field)}*: ${value(c.before)} → ${value(c.after)}`);
  return clip(lines.join('\n'), LIMITS.sectionText - 400);
}

/** A schedule's next runs before and after a change, side by side. */
export function changedRunsBlocks(
  runs: RunsBeforeAndAfter | undefined,
  tz: string | undefined,
  now?: Date,
): KnownBlock[] {
  if (!runs) return [];
  const list = (dates: Date[], zone: string) =>
    runsText(dates, tz, zone, 'none', now).replace(/^\*Next runs\*\n|^\*Next runs:\* /, '');
  return fieldsSection([
    ['Next runs before', list(runs.before, runs.timeZone)],
    ['Next runs after', list(runs.after, runs.afterZone)],
  ]);
}
