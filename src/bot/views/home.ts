import type { HomeView, KnownBlock } from '@slack/web-api';
import { requestText } from '../../auth/access.js';
import type { ApprovalRequest } from '../../auth/approval-store.js';
import type { Orphan, TriggerListItem } from '../../scheduling/scheduling-service.js';
import type { Tick } from '../../scheduling/ticks.js';
import { ids } from '../ids.js';
import { decisionButtons } from './approval-message.js';
import {
  actions,
  button,
  cleanUpButton,
  clip,
  code,
  context,
  divider,
  esc,
  header,
  person,
  section,
  sections,
  triggerButtons,
  when,
} from './kit.js';
import { LIMITS } from './limits.js';
import { cleanUpPlan, tickBrief } from './provenance.js';
import { listLine, orphanLine } from './trigger-replies.js';

export interface HomeData {
  userId: string;
  myTriggers: TriggerListItem[];
  /** Each of those schedules' latest runs, newest first, by ref. */
  recentRuns?: Record<string, Tick[]>;
  pendingApprovals: Array<{ request: ApprovalRequest; approvals: number }>;
  dueSoon: Array<{ name: string; pipelineName: string; at: Date }>;
  orphans?: Orphan[];
}

/**
 * Rows with their own buttons (2 blocks each). With every section full the tab holds
 * 10×2 + 25×2 + 18 others = 88 blocks, under the Home tab's 100.
 */
const MAX_APPROVAL_ROWS = 10;
const MAX_TRIGGER_ROWS = 25;

/**
 * The App Home tab: requests waiting for a decision, the person's triggers with the same buttons
 * as the messages, what runs soon, and orphans to clean up. Pure; long lists end with "and N
 * more" so the tab stays within 100 blocks.
 */
export function homeView(data: HomeData): HomeView {
  const blocks: KnownBlock[] = [
    header('Pipeline schedules'),
    section(
      `Hi ${person(data.userId)}. Schedule SageMaker pipelines, see what runs next, and decide on requests. In any channel, ${code(`${ids.command} help`)} lists the commands.`,
    ),
    actions(`${ids.blocks.createActions}_0`, [
      button(ids.actions.openCreate, 'New trigger', undefined, { style: 'primary' }),
    ]),
    divider(),
    ...approvalBlocks(data),
    divider(),
    ...triggerBlocks(data.myTriggers, data.recentRuns ?? {}),
    divider(),
    ...dueSoonBlocks(data.dueSoon),
    ...orphanBlocks(data.orphans ?? []),
  ];
  // The row caps above keep to the limit; this is only a backstop.
  return { type: 'home', blocks: blocks.slice(0, LIMITS.blocks.home) };
}

function approvalBlocks(data: HomeData): KnownBlock[] {
  const pending = data.pendingApprovals;
  if (pending.length === 0)
    return [header('Waiting for a decision'), context('Nothing is waiting for a decision.')];
  const rows = pending.slice(0, MAX_APPROVAL_ROWS);
  return [
    header(`Waiting for a decision (${pending.length})`),
    ...rows.flatMap(({ request: r, approvals }, i): KnownBlock[] => {
      const own = r.requestedBy === data.userId;
      const summary = `${code(r.id)} *${esc(r.action)}*${r.triggerName ? ` ${esc(r.triggerName)}` : ''} (${esc(clip(r.pipelineNames.join(', '), 500))}) by ${own ? 'you' : person(r.requestedBy)} · ${approvals} of ${r.requiredApprovals} approvals · expires ${when(r.expiresAt)}\n${code(clip(requestText(r.payload), 1000))}`;
      // The requester can't approve their own request: no buttons for them, just where it stands.
      return own
        ? [section(`${summary}\n_You asked for this; someone else decides._`)]
        : [section(summary), actions(`${ids.blocks.requestActions}_${i}`, decisionButtons(r))];
    }),
    ...moreLine(pending.length - rows.length, `${ids.command} approvals`),
  ];
}

function triggerBlocks(
  triggers: TriggerListItem[],
  recentRuns: Record<string, Tick[]>,
): KnownBlock[] {
  if (triggers.length === 0)
    return [
      header('Your triggers'),
      section(
        `You have no triggers yet. *New trigger* above makes one, or type ${code(`${ids.command} create <pipeline> <expression>`)} in a channel.`,
      ),
    ];
  const rows = triggers.slice(0, MAX_TRIGGER_ROWS);
  const rest = triggers.slice(rows.length);
  return [
    header(`Your triggers (${triggers.length})`),
    ...rows.flatMap((t, i): KnownBlock[] => [
      section(
        recentRuns[t.ref]?.length
          ? `${listLine(t)}\n_Last runs:_ ${recentRuns[t.ref]?.map(tickBrief).join(' · ')}`
          : listLine(t),
      ),
      actions(
        `${ids.blocks.triggerActions}_${i}`,
        triggerButtons({ ...t, name: t.ref }, { details: true }),
      ),
    ]),
    ...(rest.length
      ? [
          ...sections(rest.map(listLine), 1),
          context(`${rest.length} more without buttons here: ${code(`${ids.command} list`)}`),
        ]
      : []),
  ];
}

function dueSoonBlocks(due: HomeData['dueSoon']): KnownBlock[] {
  if (due.length === 0) return [header('Coming up'), context('Nothing is due to run soon.')];
  return [
    header('Coming up'),
    ...sections(
      due.map((d) => `• ${when(d.at)}  *${esc(d.name)}* starts ${esc(d.pipelineName)}`),
      2,
    ),
  ];
}

function orphanBlocks(orphans: Orphan[]): KnownBlock[] {
  if (orphans.length === 0) return [];
  return [
    divider(),
    header(`Orphaned triggers (${orphans.length})`),
    ...sections(
      orphans.map((o) => `• ${orphanLine(o, false)}`),
      1,
    ),
    actions(`${ids.blocks.orphanActions}_0`, [cleanUpButton(cleanUpPlan(orphans))]),
  ];
}

function moreLine(count: number, command: string): KnownBlock[] {
  return count > 0 ? [context(`…and ${count} more: ${code(command)}`)] : [];
}
