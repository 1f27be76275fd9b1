import { unesc } from '../views/kit.js';

/**
 * A Slack message as terminal lines: what the Block Kit message shows (who started the run,
 * its parameters, steps, duration, why it failed), not only its short fallback text. Pure.
 * Mentions become @names, Slack's date tokens their fallback, links their text and address,
 * and the few emoji the bot uses a symbol a terminal shows.
 */

interface Block {
  type: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<{ text?: string | { text?: string }; type?: string }>;
}

const EMOJI: Record<string, string> = {
  ':white_check_mark:': '✓',
  ':x:': '✗',
  ':warning:': '⚠',
  ':hourglass:': '⌛',
  ':hourglass_flowing_sand:': '⏳',
  ':double_vertical_bar:': '⏸',
  ':black_square_for_stop:': '■',
  ':fast_forward:': '⏩',
  ':inbox_tray:': '↳',
  ':grey_question:': '?',
};

/** People by id, when the terminal knows their names (LOCAL_IDENTITIES gives none: ids show). */
export type NameOf = (userId: string) => string | undefined;

/** One mrkdwn string as plain text. */
export function mrkdwnText(text: string, nameOf: NameOf = () => undefined): string {
  return unesc(
    text
      .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
      .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => {
        return `@${label || nameOf(id) || id}`;
      })
      .replace(/<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => {
        return `#${label || id}`;
      })
      .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => {
        return label || `@${id}`;
      })
      .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
      .replace(/<(https?:\/\/[^>]+)>/g, '$1')
      .replace(/:[a-z_]+:/g, (emoji) => EMOJI[emoji] ?? emoji)
      // Bold and italics lose their marks; code keeps its text.
      .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1$2')
      .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1$2')
      .replace(/`([^`\n]*)`/g, '$1'),
  );
}

/** The message's blocks as lines; its fallback text when it has none. */
export function messageLines(
  message: { text: string; blocks?: unknown[] },
  nameOf?: NameOf,
): string[] {
  const blocks = (message.blocks ?? []) as Block[];
  if (blocks.length === 0) return mrkdwnText(message.text, nameOf).split('\n');
  const lines: string[] = [];
  for (const block of blocks) {
    if (block.type === 'section' || block.type === 'header') {
      if (block.text?.text) lines.push(...mrkdwnText(block.text.text, nameOf).split('\n'));
      const fields = (block.fields ?? []).map((f) => fieldText(f.text ?? '', nameOf));
      if (fields.length) lines.push(...fields);
    } else if (block.type === 'context') {
      const parts = (block.elements ?? [])
        .map((e) => (typeof e.text === 'string' ? e.text : (e.text?.text ?? '')))
        .filter(Boolean)
        .map((t) => mrkdwnText(t, nameOf));
      if (parts.length) lines.push(parts.join(' · '));
    }
  }
  return lines;
}

/** One line for a message that changed: its first line, then its fields, side by side. */
export function summaryLine(message: { text: string; blocks?: unknown[] }, nameOf?: NameOf) {
  const blocks = (message.blocks ?? []) as Block[];
  const [first] = blocks;
  if (!first?.text?.text) return mrkdwnText(message.text, nameOf).split('\n')[0] ?? '';
  const fields = blocks.flatMap((b) =>
    (b.fields ?? []).map((f) => {
      const [label = '', ...value] = fieldText(f.text ?? '', nameOf).split(': ');
      return `${label} ${value.join(': ')}`;
    }),
  );
  // The step running now, from the steps list (the message's other sections).
  const running = blocks
    .flatMap((b) => (b.text?.text ?? '').split('\n'))
    .find((line) => / — executing$/.test(line));
  const failed = blocks.find((b) => b.text?.text?.startsWith('*Why it failed:*'));
  return [
    mrkdwnText(first.text.text, nameOf).split('\n')[0],
    ...(running
      ? [
          `now ${mrkdwnText(running, nameOf)
            .replace(/^\S+ /, '')
            .replace(/ — executing$/, '')}`,
        ]
      : []),
    ...fields,
    ...(failed?.text?.text ? [mrkdwnText(failed.text.text, nameOf)] : []),
  ].join(' · ');
}

/** A field is "*Label*\nvalue": "Label: value". */
function fieldText(text: string, nameOf?: NameOf): string {
  const [label = '', ...value] = text.split('\n');
  const plain = mrkdwnText(label, nameOf);
  return value.length ? `${plain}: ${mrkdwnText(value.join(' '), nameOf)}` : plain;
}
