import type { KnownBlock } from '@slack/web-api';
import { usages } from '../commands/grammar.js';
import type { Reply } from '../commands/replies.js';
import { ids } from '../ids.js';
import {
  approvalDecidedMessage,
  approvalRecordedMessage,
  approvalRequestedMessage,
  approvalsMessage,
  auditMessage,
} from './approval-replies.js';
import {
  eventPublishedMessage,
  historyMessage,
  pipelinesMessage,
  startedMessage,
  subscribedMessage,
  ticksMessage,
  unsubscribedMessage,
} from './execution-replies.js';
import {
  actions,
  button,
  clip,
  code,
  codeBlock,
  context,
  esc,
  header,
  section,
  sections,
} from './kit.js';
import { LIMITS } from './limits.js';
import { dryRunMessage, previewMessage, warningBlocks } from './preview-replies.js';
import {
  changedMessage,
  confirmDeleteMessage,
  describedMessage,
  listMessage,
  orphansMessage,
  patternResultMessage,
  ruleCreatedMessage,
  scheduleCreatedMessage,
} from './trigger-replies.js';
import { triggerUpdatedMessage } from './update-replies.js';

export interface SlackMessage {
  /** The notification and screen-reader text; Slack shows it where blocks can't be. */
  text: string;
  blocks: KnownBlock[];
}

export interface ReplyOptions {
  /** The reader's IANA zone (users.info → tz): the fallback of Slack's date tokens. */
  userTimeZone?: string;
  /** When the reply is read (it is, as it arrives): next runs say how soon ("in 4 min"). */
  now?: Date;
}

/** Slack truncates top-level text at 40,000 characters; a notification needs far less. */
const FALLBACK_TEXT_MAX = 3000;

/** One kind of reply. */
export type ReplyOf<K extends Reply['kind']> = Extract<Reply, { kind: K }>;

/**
 * A command's reply as a Slack message: the same content as the plain-text renderer
 * (render-text.ts), with buttons where a person would act next. Pure; every message stays
 * within Block Kit's limits (see limits.ts).
 */
export function replyBlocks(reply: Reply, options: ReplyOptions = {}): SlackMessage {
  const tz = options.userTimeZone;
  const m = build(reply, tz, options.now);
  return {
    // Slack reads `text` as mrkdwn too, and notifies from it: build() gives it as plain words
    // (like render-text.ts), escaped here once, so a usage such as <pipeline> or a name
    // with <!channel> in it stays text.
    text: clip(esc(m.text), FALLBACK_TEXT_MAX),
    blocks: m.blocks.slice(0, LIMITS.blocks.message),
  };
}

/** The blocks, escaped where values meet the templates, and `text` as unescaped plain words. */
function build(reply: Reply, tz: string | undefined, now?: Date): SlackMessage {
  switch (reply.kind) {
    case 'help':
      return helpMessage(reply.topic);
    case 'error':
      return {
        text: reply.message,
        blocks: [
          section(`:warning: ${esc(reply.message)}`),
          ...(reply.excerpt?.length ? [section(codeBlock(reply.excerpt.join('\n')))] : []),
          ...(reply.usage
            ? [context(`Usage: ${reply.usage.split('\n').map(code).join('\n')}`)]
            : []),
        ],
      };
    case 'preview':
      return previewMessage(reply, tz, now);
    case 'schedule-created':
      return scheduleCreatedMessage(reply, tz, now);
    case 'rule-created':
      return ruleCreatedMessage(reply);
    case 'dry-run':
      return dryRunMessage(reply);
    case 'described':
      return describedMessage(reply.description, tz, now ?? reply.now);
    case 'list':
      return listMessage(reply);
    case 'changed':
      return changedMessage(reply);
    case 'trigger-updated':
      return triggerUpdatedMessage(reply, tz, now);
    case 'confirm-delete':
      return confirmDeleteMessage(reply);
    case 'adopted': {
      const now = `${reply.schedule.group}/${reply.schedule.name}`;
      return {
        text: `adopted ${reply.from.ref} as ${now}`,
        blocks: [
          section(
            `:inbox_tray: Adopted *${esc(reply.from.ref)}*: it is now *${esc(now)}*, made here, and the original is deleted.`,
          ),
          ...warningBlocks(reply.warnings ?? []),
          actions(`${ids.blocks.triggerActions}_0`, [
            button(ids.actions.describe, 'Describe', reply.schedule.name),
          ]),
        ],
      };
    }
    case 'started':
      return startedMessage(reply);
    case 'history':
      return historyMessage(reply, tz);
    case 'ticks':
      return ticksMessage(reply);
    case 'orphans':
      return orphansMessage(reply.orphans, reply.cleaned);
    case 'pipelines':
      return pipelinesMessage(reply);
    case 'pattern-result':
      return patternResultMessage(reply);
    case 'event-published':
      return eventPublishedMessage(reply);
    case 'interactive-needed':
      return {
        text: 'create opens a form',
        blocks: [
          section('Fill in the form, or give everything at once:'),
          context(
            code(`${ids.command} ${usages.create?.syntax ?? 'create'}`),
            `e.g. ${code(`${ids.command} ${usages.create?.example ?? ''}`)}`,
          ),
          actions(`${ids.blocks.createActions}_0`, [
            button(ids.actions.openCreate, 'Open the form', undefined, { style: 'primary' }),
          ]),
        ],
      };
    case 'approval-requested':
      return approvalRequestedMessage(reply, tz);
    case 'approvals':
      return approvalsMessage(reply.pending, tz);
    case 'approval-recorded':
      return approvalRecordedMessage(reply);
    case 'approval-decided':
      return approvalDecidedMessage(reply);
    case 'subscribed':
      return subscribedMessage(reply);
    case 'unsubscribed':
      return unsubscribedMessage(reply);
    case 'audit':
      return auditMessage(reply, tz);
  }
}

function helpMessage(topic: string | undefined): SlackMessage {
  const example = (e: string) => code(`${ids.command} ${e}`);
  if (topic) {
    const usage = usages[topic];
    if (!usage)
      return {
        text: `no command ${topic}`,
        blocks: [section(`No command *${esc(topic)}*; ${example('help')} lists them all.`)],
      };
    return {
      text: `${topic}: ${usage.summary}`,
      blocks: [
        section(`${code(usage.syntax)}\n${esc(usage.summary)}`),
        context(`e.g. ${example(usage.example)}`),
      ],
    };
  }
  return {
    text: 'what you can do with the pipeline scheduler',
    blocks: [
      header('What you can do'),
      ...sections(
        Object.entries(usages).map(
          ([name, u]) => `*${esc(name)}*  ${esc(u.summary)}\n      e.g. ${example(u.example)}`,
        ),
      ),
      context(
        `Details: ${example('help <command>')}. Expressions: ${code('at(2026-12-24T09:00:00)')}, ${code('rate(5 minutes)')}, ${code('cron(0 8 ? * MON-FRI *)')} — day-of-week 1 = Sunday.`,
      ),
    ],
  };
}
