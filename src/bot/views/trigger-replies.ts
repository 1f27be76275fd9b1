import type { KnownBlock } from '@slack/web-api';
import type { Provenance } from '../../scheduling/provenance.js';
import type { Orphan, TriggerListItem } from '../../scheduling/scheduling-service.js';
import type { Tick } from '../../scheduling/ticks.js';
import type { Reply } from '../commands/replies.js';
import { ids } from '../ids.js';
import {
  actions,
  button,
  cleanUpButton,
  clip,
  code,
  codeBlock,
  confirmDialog,
  context,
  deleteButton,
  esc,
  fieldsSection,
  header,
  section,
  sections,
  triggerButtons,
  when,
} from './kit.js';
import { LIMITS } from './limits.js';
import { listPageValue } from './list-page-value.js';
import { runsText, warningBlocks } from './preview-replies.js';
import {
  cleanUpPlan,
  orphanSummary,
  otherTargetsText,
  placeText,
  provenanceTag,
  provenanceText,
  tickText,
} from './provenance.js';
import type { ReplyOf, SlackMessage } from './reply-blocks.js';

/** Replies about schedules and rules: created, changed, described, listed, orphaned, matched. */

/** Rows that get their own buttons; the rest of a list is text (2 blocks per row, 50 max). */
const MAX_BUTTON_ROWS = 20;

/** A schedule just created, with its next runs and its buttons. */
export function scheduleCreatedMessage(
  reply: ReplyOf<'schedule-created'>,
  tz: string | undefined,
  now?: Date,
): SlackMessage {
  const s = reply.schedule;
  const runs = reply.preview?.description ?? s.expression;
  return {
    text: `created schedule ${s.name} (${s.state.toLowerCase()}): ${s.pipelineName} ${runs}`,
    blocks: [
      section(
        `:white_check_mark: Created schedule *${esc(s.name)}* (${s.state.toLowerCase()}): starts *${esc(s.pipelineName)}* ${esc(runs)}`,
      ),
      ...fieldsSection([
        ['Expression', code(s.expression)],
        ['Time zone', esc(s.timeZone)],
        ['Role', code(s.roleArn)],
        ['Parameters', parametersText(s.parameters)],
      ]),
      ...(reply.preview
        ? [section(runsText(reply.preview.occurrences, tz, reply.preview.timeZone, 'none', now))]
        : []),
      ...warningBlocks(reply.preview?.warnings ?? []),
      context(`ARN ${code(s.arn)}`),
      actions(`${ids.blocks.triggerActions}_0`, triggerButtons({ ...s, kind: 'schedule' })),
    ],
  };
}

/** A rule just created, with its pattern and targets. */
export function ruleCreatedMessage(reply: ReplyOf<'rule-created'>): SlackMessage {
  const r = reply.rule;
  const pipelines = r.targets.map((t) => t.pipelineName);
  return {
    text: `created rule ${r.name} (${r.state.toLowerCase()}): starts ${pipelines.join(', ')} on matching events`,
    blocks: [
      section(
        `:white_check_mark: Created rule *${esc(r.name)}* (${r.state.toLowerCase()}): starts ${pipelines.map((p) => `*${esc(p)}*`).join(', ')} on matching events`,
      ),
      section(`*Pattern*\n${codeBlock(r.eventPattern, LIMITS.sectionText - 20)}`),
      ...sections(targetLines(r.targets), 3),
      ...warningBlocks(reply.warnings ?? []),
      context(`ARN ${code(r.arn)}`),
      actions(`${ids.blocks.triggerActions}_0`, triggerButtons({ ...r, kind: 'event' })),
    ],
  };
}

/** A trigger paused, resumed or deleted, with the button that undoes a pause. */
export function changedMessage(reply: ReplyOf<'changed'>): SlackMessage {
  const what = reply.item.kind === 'schedule' ? 'schedule' : 'rule';
  const icon = {
    paused: ':double_vertical_bar:',
    resumed: ':arrow_forward:',
    deleted: ':wastebasket:',
  };
  const next =
    reply.action === 'paused'
      ? [button(ids.actions.resume, 'Resume', reply.item.ref, { style: 'primary' })]
      : reply.action === 'resumed'
        ? [button(ids.actions.pause, 'Pause', reply.item.ref)]
        : [];
  return {
    text: `${reply.action} ${what} ${reply.item.ref}`,
    blocks: [
      section(`${icon[reply.action]} ${capitalize(reply.action)} ${what} *${esc(reply.item.ref)}*`),
      ...(next.length ? [actions(`${ids.blocks.triggerActions}_0`, next)] : []),
    ],
  };
}

/** "Delete this?": what stops if it goes, and the Delete button behind its confirm dialog. */
export function confirmDeleteMessage(reply: ReplyOf<'confirm-delete'>): SlackMessage {
  const pipelines = reply.pipelines.map((p) => `*${esc(p)}*`).join(', ') || 'no pipeline';
  return {
    text: `delete the ${reply.what} ${reply.ref}? nothing is deleted until you click Delete`,
    blocks: [
      section(
        `:wastebasket: Delete the ${reply.what} *${esc(reply.ref)}*? It starts ${pipelines} ${esc(reply.summary)}. Nothing is deleted until you click Delete.`,
      ),
      actions(`${ids.blocks.triggerActions}_0`, [
        deleteButton({ name: reply.ref, kind: reply.what === 'schedule' ? 'schedule' : 'event' }),
      ]),
    ],
  };
}

/** Whether an event matches a pattern. */
export function patternResultMessage(reply: ReplyOf<'pattern-result'>): SlackMessage {
  return reply.matches
    ? {
        text: 'true: the event matches the pattern',
        blocks: [section(':white_check_mark: The event matches the pattern.')],
      }
    : {
        text: 'false: the event does not match the pattern',
        blocks: [section(':x: The event does not match the pattern.')],
      };
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function parametersText(parameters: Array<{ name: string; value: string }>): string | undefined {
  return parameters.length
    ? clip(parameters.map((p) => code(`${p.name}=${p.value}`)).join(', '), 1900)
    : undefined;
}

function targetLines(
  targets: Array<{ pipelineName: string; parameters: Array<{ name: string; value: string }> }>,
  exists: Record<string, boolean> = {},
): string[] {
  return targets.map((t) => {
    const params = parametersText(t.parameters);
    return `• starts *${esc(t.pipelineName)}*${exists[t.pipelineName] === false ? ' :warning: _does not exist_' : ''}${params ? `\n      ${params}` : ''}`;
  });
}

/** Who made it, with when for the bot's own. */
function madeLine(p: Provenance, tz: string | undefined): string {
  const made = capitalize(provenanceText(p, { surface: 'slack' }));
  return p.source === 'bot' && p.createdAt ? `${made} on ${when(p.createdAt, tz)}` : made;
}

/** One row of a list: how to name it, what it is, what it starts, who made it. */
export function listLine(i: TriggerListItem): string {
  const what = i.scheduleExpression
    ? code(i.scheduleExpression)
    : i.kind === 'schedule'
      ? 'schedule'
      : 'rule';
  const others = otherTargetsText(i.otherTargets);
  const made = provenanceTag(i.provenance, 'slack');
  return `*${esc(i.ref)}*  ${what} · ${i.state === 'ENABLED' ? 'enabled' : 'paused'} · ${esc(clip(i.pipelineNames.join(', '), 1000))}${others ? ` ${others}` : ''}${made ? ` · ${made}` : ''}`;
}

/** The buttons of a trigger, acting on it by ref: a bare name could mean another place's. */
function buttonsFor(t: { ref: string; kind: 'schedule' | 'event'; state: 'ENABLED' | 'DISABLED' }) {
  return triggerButtons({ name: t.ref, kind: t.kind, state: t.state });
}

/**
 * A schedule made elsewhere, outside the bot's group (its ref names the group), can be adopted;
 * a Lambda schedule never gets this far (describe refuses what does not start a pipeline).
 */
function adoptable(d: Extract<Reply, { kind: 'described' }>['description']): boolean {
  return d.kind === 'schedule' && d.provenance.source !== 'bot' && d.ref.includes('/');
}

function adoptButton(ref: string) {
  return button(ids.actions.adopt, 'Adopt', ref, {
    confirm: confirmDialog(
      'Adopt this schedule?',
      `Create the identical schedule in the bot's group, then delete ${ref}? The policy decides it as a create and a delete.`,
      'Adopt',
    ),
  });
}

/** One trigger in full: its settings, who made it, drift, next runs, other targets. */
export function describedMessage(
  d: Extract<Reply, { kind: 'described' }>['description'],
  tz: string | undefined,
  now?: Date,
): SlackMessage {
  const drift = d.drift.length
    ? [`:warning: Changed outside the bot: ${d.drift.map(esc).join(', ')}`]
    : [];
  const about = section([madeLine(d.provenance, tz), ...drift].join('\n'));
  const made = provenanceText(d.provenance, { surface: 'text', short: true });
  if (d.kind === 'schedule') {
    const t = d.trigger;
    const retries = `up to ${t.retryPolicy.maximumRetryAttempts} within ${t.retryPolicy.maximumEventAgeSeconds} s${t.deadLetterArn ? `, then ${code(t.deadLetterArn)}` : ''}`;
    return {
      text: `${d.ref}: schedule, ${t.state.toLowerCase()}, ${made}: ${d.description}`,
      blocks: [
        header(d.ref),
        section(
          `${capitalize(placeText('schedule', t.group, 'slack'))}, *${t.state.toLowerCase()}* — ${esc(d.description)}`,
        ),
        ...fieldsSection([
          [
            'Pipeline',
            `${esc(t.pipelineName)}${t.targetKind === 'universal' ? "\nstarted through Scheduler's universal target" : ''}${d.pipelineExists ? '' : '\n:warning: does not exist: this schedule is an orphan'}`,
          ],
          ['Expression', code(t.expression)],
          ['Time zone', esc(t.timeZone)],
          ['Role', code(t.roleArn)],
          ['Parameters', parametersText(t.parameters)],
          [
            'Flexible window',
            t.flexibleWindowMinutes ? `${t.flexibleWindowMinutes} minutes` : 'off',
          ],
          ['Retries', `${retries}${t.deleteAfterCompletion ? '\nDeleted after its last run' : ''}`],
          ['Start', t.start ? when(t.start, tz) : undefined],
          ['End', t.end ? when(t.end, tz) : undefined],
          ['Description', t.description ? esc(t.description) : undefined],
        ]),
        about,
        section(
          runsText(
            d.nextRuns,
            tz,
            t.timeZone,
            t.state === 'DISABLED' ? 'none while it is paused' : 'none',
            now,
          ),
        ),
        ...recentRunsBlocks(d.recentRuns),
        ...warningBlocks(d.warnings),
        context(`ARN ${code(t.arn)}`),
        actions(`${ids.blocks.triggerActions}_0`, [
          ...buttonsFor({ ...t, ref: d.ref }),
          ...(t.targetKind === 'other' ? [] : [button(ids.actions.edit, 'Edit', d.ref)]),
          ...(adoptable(d) ? [adoptButton(d.ref)] : []),
        ]),
      ],
    };
  }
  const r = d.trigger;
  const others = otherTargetsText(r.otherTargets.length, { left: true });
  return {
    text: `${d.ref}: EventBridge rule, ${r.state.toLowerCase()}, ${made}`,
    blocks: [
      header(d.ref),
      section(
        `EventBridge ${placeText('event', r.bus, 'slack')}, *${r.state.toLowerCase()}*; role ${code(r.roleArn)}`,
      ),
      ...(r.scheduleExpression
        ? [
            section(
              `*Schedule* ${code(r.scheduleExpression)} — ${esc(d.schedule?.description ?? r.scheduleExpression)}\n_EventBridge runs a rule's schedule in UTC._`,
            ),
            section(
              runsText(
                d.schedule?.nextRuns ?? [],
                tz,
                'UTC',
                r.state === 'DISABLED' ? 'none while it is paused' : 'none',
                now,
              ),
            ),
          ]
        : []),
      ...(r.eventPattern
        ? [section(`*Pattern*\n${codeBlock(r.eventPattern, LIMITS.sectionText - 20)}`)]
        : []),
      ...sections(
        [...targetLines(r.targets, d.pipelinesExist), ...(others ? [`• ${others}`] : [])],
        3,
      ),
      ...recentRunsBlocks(d.recentRuns),
      about,
      context(`ARN ${code(r.arn)}`),
      actions(`${ids.blocks.triggerActions}_0`, [
        ...buttonsFor({ ...r, ref: d.ref }),
        // A managed rule is changed by its service; one on a schedule has no pattern to edit.
        ...(r.managedBy || !r.eventPattern ? [] : [button(ids.actions.edit, 'Edit', d.ref)]),
      ]),
    ],
  };
}

/** A trigger's recent runs and what became of each, when it has any. */
function recentRunsBlocks(runs: Tick[]): KnownBlock[] {
  if (runs.length === 0) return [];
  return [
    section(`*Recent runs*\n${runs.map((tick) => `• ${tickText(tick, 'slack')}`).join('\n')}`),
  ];
}

/** The triggers, the first rows with their buttons, the rest as text. */
export function listMessage({
  items,
  filter,
  more,
  nextToken,
}: Extract<Reply, { kind: 'list' }>): SlackMessage {
  if (items.length === 0) {
    const none = filter
      ? `No triggers start *${esc(filter)}*.`
      : `No triggers yet: create one with ${code(`${ids.command} create <pipeline> <expression>`)}.`;
    return {
      text: filter ? `no triggers start ${filter}` : 'no triggers yet',
      blocks: [
        section(none),
        ...(filter
          ? []
          : [
              actions(`${ids.blocks.createActions}_0`, [
                button(ids.actions.openCreate, 'New trigger', undefined, { style: 'primary' }),
              ]),
            ]),
      ],
    };
  }
  const rows = items.slice(0, MAX_BUTTON_ROWS);
  const rest = items.slice(rows.length);
  return {
    text: `${items.length}${more ? '+' : ''} triggers${filter ? ` for ${filter}` : ''}`,
    blocks: [
      section(`*Triggers${filter ? ` that start ${esc(filter)}` : ''}*`),
      ...rows.flatMap((item, i): KnownBlock[] => [
        section(listLine(item)),
        actions(
          `${ids.blocks.triggerActions}_${i}`,
          triggerButtons({ ...item, name: item.ref }, { details: true }),
        ),
      ]),
      ...sections(rest.map(listLine), 3),
      ...moreTriggers(more, filter, nextToken),
    ],
  };
}

/** The Next page button, when the page stopped early and its position fits in a button. */
function moreTriggers(
  more: boolean,
  filter: string | undefined,
  nextToken: string | undefined,
): KnownBlock[] {
  if (!more) return [];
  const page = nextToken
    ? listPageValue({ ...(filter ? { pipeline: filter } : {}), after: nextToken })
    : undefined;
  // A clipped position would list the wrong page: past the limit, say how to narrow it instead.
  if (page === undefined || page.length > LIMITS.buttonValue)
    return [context(`More exist: narrow it with ${code(`${ids.command} list <pipeline>`)}.`)];
  return [
    actions(`${ids.blocks.listActions}_0`, [button(ids.actions.listNextPage, 'Next page', page)]),
  ];
}

/** Triggers whose pipeline is gone, with the clean-up button (or what was removed). */
export function orphansMessage(
  orphans: Extract<Reply, { kind: 'orphans' }>['orphans'],
  cleaned: boolean,
): SlackMessage {
  if (orphans.length === 0) {
    const none = cleaned
      ? 'No orphans to clean up.'
      : 'No orphans: every trigger starts a pipeline that exists.';
    return { text: none, blocks: [section(`:sparkles: ${none}`)] };
  }
  const lines = orphans.map((o) => `• ${orphanLine(o, cleaned)}`);
  return {
    text: cleaned
      ? `cleaned up ${orphans.length} orphaned triggers`
      : `${orphans.length} triggers start a pipeline that no longer exists`,
    blocks: [
      section(cleaned ? '*Cleaned up:*' : '*Triggers whose pipeline no longer exists* (orphans):'),
      ...sections(lines, 10),
      ...(cleaned
        ? []
        : [actions(`${ids.blocks.orphanActions}_0`, [cleanUpButton(cleanUpPlan(orphans))])]),
    ],
  };
}

/** An orphan: how to name it, where it is, who made it, what is gone and what clean-up does. */
export function orphanLine(o: Orphan, cleaned: boolean): string {
  return `*${esc(o.ref)}* (${placeText(o.kind, o.place, 'slack')}, ${provenanceText(o.provenance, { surface: 'slack', short: true })}): ${orphanSummary(o, 'slack', { done: cleaned })}`;
}
