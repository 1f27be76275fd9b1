import type {
  ActionsBlock,
  Button,
  ConfirmationDialog,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/web-api';
import { formatInstant } from '../../scheduling/expression/index.js';
import { ids } from '../ids.js';
import { LIMITS } from './limits.js';

/**
 * Small Block Kit builders shared by the views. Each one clips what it is given to the limit
 * Slack enforces (see limits.ts), so a long name degrades into "…" rather than a rejected call.
 */

/** Cuts `text` to at most `max` UTF-16 units, ending with "…", without splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Keeps the end, which is the telling part of an ARN (`…:role/PipelineRunner`). */
export function clipStart(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(text.length - (max - 1));
  if (/^[\uDC00-\uDFFF]/.test(cut)) cut = cut.slice(1);
  return `…${cut}`;
}

/**
 * Text that did not come from the bot's own templates (names, reasons, parameters, event and AWS
 * text, what people typed), made safe for a mrkdwn field or a message's `text`. Apply it exactly
 * once, where the value meets the template: escaping escaped text shows `&amp;amp;`.
 *
 * - `&`, `<` and `>` are mrkdwn's only control characters (Slack: formatting-message-text), so
 *   once they are entities no `<!channel>`, `<@U…>`, `<#C…>` or `<url|label>` can come alive.
 * - Backticks become a look-alike (ˋ): the views set ids, values and times in code spans right
 *   next to untrusted text, and a stray backtick would pair with one of those, moving where a code
 *   span starts or ends (a forged failure reason could close the bot's span, or open one that
 *   swallows the bot's own markup after it).
 * - `*`, `_` and `~` stay as they are: Slack has no escape for them, they can only restyle a
 *   stretch of text (never make a link, a mention or a notification), and they are ordinary in
 *   real values (snake_case parameters, `s3://bucket/*` keys) that replacing would misprint.
 */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, 'ˋ');
}

/**
 * What Slack shows for escaped text: the entities back as characters. For a front end that
 * prints the same messages (the terminal), never for text going back to Slack.
 */
export function unesc(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Inline code. Slack still reads `<…>` inside code, so the text is escaped like any other. */
export function code(text: string): string {
  return `\`${esc(text)}\``;
}

/**
 * A fenced block, clipped to `max` characters in all (fences included). esc() leaves no backtick
 * inside, so neither a ``` nor backticks next to a fence can end the block early.
 */
export function codeBlock(text: string, max: number = LIMITS.sectionText): string {
  return `\`\`\`${clip(esc(text), max - 6)}\`\`\``;
}

export const plain = (text: string, max: number): PlainTextElement => ({
  type: 'plain_text',
  // Slack rejects empty text objects.
  text: clip(text, max) || ' ',
});

export const mrkdwn = (text: string, max: number = LIMITS.sectionText): MrkdwnElement => ({
  type: 'mrkdwn',
  text: clip(text, max) || ' ',
});

export const header = (text: string): HeaderBlock => ({
  type: 'header',
  text: plain(text, LIMITS.headerText),
});

export const section = (text: string, extra: Partial<SectionBlock> = {}): SectionBlock => ({
  type: 'section',
  text: mrkdwn(text),
  ...extra,
});

/** A section of up to 10 `*label*\nvalue` fields; empty values are left out. */
export function fieldsSection(fields: Array<[label: string, value: string | undefined]>) {
  const present = fields.filter((f): f is [string, string] => !!f[1]);
  return present.length
    ? [
        {
          type: 'section',
          fields: present
            .slice(0, LIMITS.sectionFields)
            .map(([label, value]) => mrkdwn(`*${label}*\n${value}`, LIMITS.sectionFieldText)),
        } satisfies SectionBlock,
      ]
    : [];
}

export const context = (...texts: string[]): ContextBlock => ({
  type: 'context',
  elements: texts.slice(0, LIMITS.contextElements).map((t) => mrkdwn(t, LIMITS.contextText)),
});

export const divider = (): KnownBlock => ({ type: 'divider' });

/**
 * Lines packed into as few sections as fit 3000 characters each; lines past `maxBlocks`
 * sections become a last "…and N more" line, so a long list never breaks the block budget.
 */
export function sections(lines: string[], maxBlocks = Number.POSITIVE_INFINITY): SectionBlock[] {
  const out: string[][] = [[]];
  let size = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = clip(lines[i] ?? '', LIMITS.sectionText - 40);
    const current = out[out.length - 1] ?? [];
    if (current.length && size + line.length + 1 > LIMITS.sectionText - 40) {
      if (out.length >= maxBlocks) {
        current.push(`_…and ${lines.length - i} more_`);
        break;
      }
      out.push([line]);
      size = line.length;
    } else {
      current.push(line);
      size += line.length + 1;
    }
  }
  return out.filter((l) => l.length).map((l) => section(l.join('\n')));
}

export function confirmDialog(
  title: string,
  text: string,
  confirm: string,
  deny = 'Cancel',
): ConfirmationDialog {
  return {
    title: plain(title, LIMITS.confirmTitle),
    text: plain(text, LIMITS.confirmText),
    confirm: plain(confirm, LIMITS.confirmButton),
    deny: plain(deny, LIMITS.confirmButton),
    style: 'danger',
  };
}

export function button(
  actionId: string,
  text: string,
  value?: string,
  extra: Pick<Button, 'style' | 'confirm'> = {},
): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: plain(text, LIMITS.buttonText),
    ...(value !== undefined ? { value: clip(value, LIMITS.buttonValue) } : {}),
    ...extra,
  };
}

export const actions = (blockId: string, elements: Button[]): ActionsBlock => ({
  type: 'actions',
  block_id: clip(blockId, LIMITS.blockId),
  elements: elements.slice(0, LIMITS.actionsElements),
});

export const option = (text: string, value: string, description?: string): PlainTextOption => ({
  text: plain(text, LIMITS.optionText),
  value,
  ...(description ? { description: plain(description, LIMITS.optionDescription) } : {}),
});

/** A trigger as the buttons see it: enough to pick Pause or Resume and whether Run now applies. */
export interface TriggerRef {
  name: string;
  kind: 'schedule' | 'event';
  state: 'ENABLED' | 'DISABLED';
}

/**
 * Pause/Resume (by state), Run now (schedules), Delete (with a confirm). Values carry the trigger
 * name only; the listener re-checks who may do it.
 */
export function triggerButtons(t: TriggerRef, { details = false } = {}): Button[] {
  return [
    ...(details ? [button(ids.actions.describe, 'Details', t.name)] : []),
    t.state === 'ENABLED'
      ? button(ids.actions.pause, 'Pause', t.name)
      : button(ids.actions.resume, 'Resume', t.name, { style: 'primary' }),
    ...(t.kind === 'schedule' ? [button(ids.actions.runNow, 'Run now', t.name)] : []),
    deleteButton(t),
  ];
}

/** Delete, behind a confirm dialog: the click that gets through it is the person's yes. */
export function deleteButton(t: Pick<TriggerRef, 'name' | 'kind'>): Button {
  const what = t.kind === 'schedule' ? 'schedule' : 'rule';
  return button(ids.actions.delete, 'Delete', t.name, {
    style: 'danger',
    confirm: confirmDialog(
      `Delete ${what}?`,
      `Delete the ${what} ${t.name}? It stops starting its pipeline, and this cannot be undone.`,
      'Delete',
    ),
  });
}

/**
 * Clean up, confirming exactly what it removes: schedules and rules deleted, dead targets taken
 * out of rules that keep their other targets.
 */
export function cleanUpButton(plan: {
  schedules: number;
  rules: number;
  targets: { count: number; rules: number };
}): Button {
  const n = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
  const steps = [
    ...(plan.schedules ? [`delete ${n(plan.schedules, 'schedule')}`] : []),
    ...(plan.rules ? [`delete ${n(plan.rules, 'rule')}`] : []),
    ...(plan.targets.count
      ? [
          `remove ${n(plan.targets.count, 'dead target')} from ${n(plan.targets.rules, 'rule')} (their other targets stay)`,
        ]
      : []),
  ];
  const sentence = steps.join(', ').replace(/, ([^,]*)$/, ' and $1');
  return button(ids.actions.cleanUpOrphans, 'Clean up', 'all', {
    style: 'danger',
    confirm: confirmDialog(
      'Clean up orphans?',
      `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}, whose pipeline no longer exists? This cannot be undone.`,
      'Clean up',
    ),
  });
}

/** `<@U…>` for Slack user ids, so Slack shows the person; anything else (cli:ana) as text. */
export function person(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : esc(id);
}

/** `<#C…>` for channel ids; anything else as text. */
export function channel(id: string): string {
  return /^[CGD][A-Z0-9]{2,}$/.test(id) ? `<#${id}>` : esc(id);
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'short',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      f = null; // not a zone Intl knows: callers fall back to UTC
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The wall-clock fields of an instant in a zone (weekday, year, month, day, hour, minute, all
 * two-digit but the weekday), or undefined for a zone Intl does not know.
 */
export function wallParts(instant: Date, timeZone: string): Record<string, string> | undefined {
  const f = formatterFor(timeZone);
  if (!f || Number.isNaN(instant.getTime())) return undefined;
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(instant)) parts[p.type] = p.value;
  return parts;
}

/** `Mon 2026-01-05 09:00 Europe/Berlin`: a wall time in a zone, for one reader. Uses Intl. */
export function inZone(instant: Date, timeZone: string): string {
  const known = wallParts(instant, timeZone);
  const parts = known ?? wallParts(instant, 'UTC');
  if (!parts) return formatInstant(instant);
  const zone = known ? timeZone : 'UTC';
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zone}`;
}

/**
 * An instant for a message: a schedule's run in the schedule's own zone (what its expression
 * means), any other instant in UTC; then Slack's date token, which each reader's client
 * renders in their own zone. The fallback (shown if the token can't be parsed) is the
 * requester's zone when known, else UTC.
 */
export function when(instant: Date, userTimeZone?: string, scheduleZone?: string): string {
  const seconds = Math.floor(instant.getTime() / 1000);
  const fallback = inZone(instant, userTimeZone ?? 'UTC');
  const fixed = scheduleZone ? inZone(instant, scheduleZone) : code(formatInstant(instant));
  return `${fixed} · <!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}
