import type { KnownBlock } from '@slack/web-api';
import { requestText } from '../../auth/access.js';
import type { ApprovalRequest } from '../../auth/approval-store.js';
import { auditSummary } from '../../auth/audit.js';
import type { SchedulePreview, ScheduleWarning } from '../../scheduling/expression/index.js';
import type { Attribution } from '../../scheduling/scheduling-service.js';
import type { ExecutionStatus } from '../../scheduling/triggers.js';
import { usages } from '../commands/grammar.js';
import type { Reply } from '../commands/replies.js';
import { ids } from '../ids.js';
import { approvalsNeeded, decisionButtons, requestIcon } from './approval-message.js';
import {
  actions,
  button,
  channel,
  cleanUpButton,
  clip,
  code,
  codeBlock,
  context,
  esc,
  fieldsSection,
  header,
  person,
  section,
  sections,
  triggerButtons,
  when,
} from './kit.js';
import { LIMITS } from './limits.js';

export interface SlackMessage {
  /** The notification and screen-reader text; Slack shows it where blocks can't be. */
  text: string;
  blocks: KnownBlock[];
}

export interface ReplyOptions {
  /** The reader's IANA zone (users.info → tz): the fallback of Slack's date tokens. */
  userTimeZone?: string;
}

/** Slack truncates top-level text at 40,000 characters; a notification needs far less. */
const FALLBACK_TEXT_MAX = 3000;
/** Rows that get their own buttons; the rest of a list is text (2 blocks per row, 50 max). */
const MAX_BUTTON_ROWS = 20;
const MAX_DRY_RUN_REQUESTS = 40;

/**
 * A command's reply as a Slack message: the same content as the plain-text renderer
 * (render-text.ts), with buttons where a person would act next. Pure; every message stays
 * within Block Kit's limits (see limits.ts).
 */
export function replyBlocks(reply: Reply, options: ReplyOptions = {}): SlackMessage {
  const tz = options.userTimeZone;
  const m = build(reply, tz);
  return {
    // Slack reads `text` as mrkdwn too, and notifies from it: build() gives it as plain words
    // (like render-text.ts), escaped here once, so a usage such as <pipeline> or a name
    // with <!channel> in it stays text.
    text: clip(esc(m.text), FALLBACK_TEXT_MAX),
    blocks: m.blocks.slice(0, LIMITS.blocks.message),
  };
}

/** The blocks, escaped where values meet the templates, and `text` as unescaped plain words. */
function build(reply: Reply, tz: string | undefined): SlackMessage {
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
      return {
        text: reply.runsOnly
          ? `next runs of ${reply.preview.expression.text}`
          : `${reply.preview.expression.text}: ${reply.preview.description}`,
        blocks: reply.runsOnly
          ? [section(runsText(reply.preview.occurrences, tz))]
          : previewBlocks(reply.preview, tz),
      };
    case 'schedule-created': {
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
          ...(reply.preview ? [section(runsText(reply.preview.occurrences, tz))] : []),
          ...warningBlocks(reply.preview?.warnings ?? []),
          context(`ARN ${code(s.arn)}`),
          actions(`${ids.blocks.triggerActions}_0`, triggerButtons({ ...s, kind: 'schedule' })),
        ],
      };
    }
    case 'rule-created': {
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
          context(`ARN ${code(r.arn)}`),
          actions(`${ids.blocks.triggerActions}_0`, triggerButtons({ ...r, kind: 'event' })),
        ],
      };
    }
    case 'dry-run': {
      const shown = reply.requests.slice(0, MAX_DRY_RUN_REQUESTS);
      return {
        text: 'dry run: nothing was changed',
        blocks: [
          section('*Dry run:* nothing was changed. These requests would be sent:'),
          ...shown.map((r) =>
            section(
              `*${esc(r.operation)}*\n${codeBlock(JSON.stringify(r.input, null, 2), LIMITS.sectionText - r.operation.length - 20)}`,
            ),
          ),
          ...moreLine(reply.requests.length - shown.length),
        ],
      };
    }
    case 'described':
      return describedMessage(reply.description, tz);
    case 'list':
      return listMessage(reply.items, reply.filter, reply.more);
    case 'changed': {
      const what = reply.item.kind === 'schedule' ? 'schedule' : 'rule';
      const icon = {
        paused: ':double_vertical_bar:',
        resumed: ':arrow_forward:',
        deleted: ':wastebasket:',
      };
      const next =
        reply.action === 'paused'
          ? [button(ids.actions.resume, 'Resume', reply.item.name, { style: 'primary' })]
          : reply.action === 'resumed'
            ? [button(ids.actions.pause, 'Pause', reply.item.name)]
            : [];
      return {
        text: `${reply.action} ${what} ${reply.item.name}`,
        blocks: [
          section(
            `${icon[reply.action]} ${capitalize(reply.action)} ${what} *${esc(reply.item.name)}*`,
          ),
          ...(next.length ? [actions(`${ids.blocks.triggerActions}_0`, next)] : []),
        ],
      };
    }
    case 'started':
      return {
        text: `started ${reply.pipeline}: ${reply.executionArn}`,
        blocks: [
          section(`:rocket: Started *${esc(reply.pipeline)}*`),
          context(`Execution ${code(reply.executionArn)}`),
        ],
      };
    case 'history': {
      const run = actions(`${ids.blocks.pipelineActions}_0`, [
        button(ids.actions.runPipeline, 'Run now', reply.pipeline),
      ]);
      if (reply.executions.length === 0)
        return {
          text: `${reply.pipeline} has not run yet`,
          blocks: [section(`*${esc(reply.pipeline)}* has not run yet.`), run],
        };
      return {
        text: `recent runs of ${reply.pipeline}`,
        blocks: [
          section(`*Recent runs of ${esc(reply.pipeline)}*`),
          ...sections(
            reply.executions.map(
              (e) =>
                `${statusIcon(e.status)} ${when(e.startTime, tz)}  *${esc(e.status)}*  ${code(e.arn.split('/').at(-1) ?? e.arn)}${e.failureReason ? `  ${esc(clip(e.failureReason, 300))}` : ''}`,
            ),
            10,
          ),
          run,
        ],
      };
    }
    case 'orphans':
      return orphansMessage(reply.orphans, reply.cleaned);
    case 'pipelines':
      if (reply.pipelines.length === 0)
        return { text: 'no pipelines found', blocks: [section('No pipelines found.')] };
      return {
        text: `${reply.pipelines.length} pipelines`,
        blocks: [
          ...sections(
            reply.pipelines.map(
              (p) => `*${esc(p.name)}*${p.description ? `  ${esc(clip(p.description, 200))}` : ''}`,
            ),
            10,
          ),
          ...(reply.more ? [context('More pipelines exist: narrow it with a prefix.')] : []),
        ],
      };
    case 'pattern-result':
      return reply.matches
        ? {
            text: 'true: the event matches the pattern',
            blocks: [section(':white_check_mark: The event matches the pattern.')],
          }
        : {
            text: 'false: the event does not match the pattern',
            blocks: [section(':x: The event does not match the pattern.')],
          };
    case 'event-published':
      if (reply.duplicate)
        return {
          text: `already received (event id ${esc(reply.id)}): nothing was published again`,
          blocks: [
            section(
              `:repeat: Already received (event id ${code(reply.id)}): nothing was published again.`,
            ),
          ],
        };
      return {
        text: `published event ${reply.id} (${reply.source}, ${reply.detailType})`,
        blocks: [
          section(
            `:incoming_envelope: Published event ${code(reply.id)} (${esc(reply.source)}, ${esc(reply.detailType)})`,
          ),
        ],
      };
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
    case 'approval-requested': {
      const r = reply.request;
      const needs = approvalsNeeded(r);
      return {
        text: `request ${r.id} needs ${approvalsNeeded(r, { escaped: false })}`,
        blocks: [
          section(
            `:hourglass_flowing_sand: Request ${code(r.id)} needs ${needs}${reply.approvalChannel ? `. It is posted in ${channel(reply.approvalChannel)}` : ''}.`,
          ),
          context(
            `It runs once approved; it expires ${when(r.expiresAt, tz)}. Withdraw it with ${code(`${ids.command} cancel ${r.id}`)}`,
          ),
        ],
      };
    }
    case 'approvals':
      return approvalsMessage(reply.pending, tz);
    case 'approval-recorded':
      return {
        text: `approval recorded: ${reply.approvals} of ${reply.required} for ${reply.request.id}`,
        blocks: [
          section(
            `:ballot_box_with_check: Approval recorded: ${reply.approvals} of ${reply.required} for ${code(reply.request.id)}`,
          ),
        ],
      };
    case 'approval-decided':
      return {
        text: `${reply.request.id} is ${reply.request.status.toLowerCase()}: ${reply.summary}`,
        blocks: [
          section(
            `${requestIcon(reply.request.status)} ${code(reply.request.id)} is *${reply.request.status.toLowerCase()}*: ${esc(reply.summary)}`,
          ),
        ],
      };
    case 'subscribed': {
      const what = reply.failuresOnly ? 'failed executions' : 'executions';
      return {
        text: `${reply.pipeline}'s ${what} will be posted in ${reply.channel}.`,
        blocks: [
          section(
            `*${esc(reply.pipeline)}*'s ${what} will be posted in ${channel(reply.channel)}.`,
          ),
        ],
      };
    }
    case 'unsubscribed':
      return reply.existed
        ? {
            text: `${reply.pipeline}'s executions will no longer be posted in ${reply.channel}.`,
            blocks: [
              section(
                `*${esc(reply.pipeline)}*'s executions will no longer be posted in ${channel(reply.channel)}.`,
              ),
            ],
          }
        : {
            text: `${reply.channel} was not subscribed to ${reply.pipeline}.`,
            blocks: [
              section(`${channel(reply.channel)} was not subscribed to *${esc(reply.pipeline)}*.`),
            ],
          };
    case 'audit': {
      if (reply.entries.length === 0)
        return reply.pipeline
          ? {
              text: `Nothing on record for ${reply.pipeline}.`,
              blocks: [section(`Nothing on record for *${esc(reply.pipeline)}*.`)],
            }
          : { text: 'Nothing on record yet.', blocks: [section('Nothing on record yet.')] };
      return {
        text: `${reply.entries.length} audit entries`,
        blocks: [
          section(`*Audit log${reply.pipeline ? ` of ${esc(reply.pipeline)}` : ''}*`),
          ...sections(
            reply.entries.map((e) => {
              const what = [
                e.action,
                e.triggerName,
                e.pipelineNames.length ? `(${e.pipelineNames.join(', ')})` : '',
              ]
                .filter(Boolean)
                .join(' ');
              const reason = auditSummary(e);
              return `${when(e.at, tz)}  ${person(e.actor)}  *${esc(e.event)}*${what ? `  ${esc(what)}` : ''}${e.requestId ? `  ${code(e.requestId)}` : ''}${reason ? `  — ${esc(clip(reason, 300))}` : ''}`;
            }),
            LIMITS.blocks.message - 1,
          ),
        ],
      };
    }
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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

function previewBlocks(preview: SchedulePreview, tz: string | undefined): KnownBlock[] {
  return [
    section(
      `${code(preview.expression.text)}${preview.timeZone !== 'UTC' ? ` in ${esc(preview.timeZone)}` : ''}\n*${esc(preview.description)}*`,
    ),
    section(runsText(preview.occurrences, tz)),
    ...warningBlocks(preview.warnings),
  ];
}

function runsText(runs: Date[], tz: string | undefined, none = 'none'): string {
  return runs.length
    ? `*Next runs*\n${runs.map((d) => `• ${when(d, tz)}`).join('\n')}`
    : `*Next runs:* ${none}`;
}

function warningBlocks(warnings: ScheduleWarning[]): KnownBlock[] {
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

function attributionLines(a: Attribution, tz: string | undefined): string[] {
  const lines: string[] = [];
  if (a.createdBy)
    lines.push(
      `Created by ${person(a.createdBy)}${a.createdAt ? ` on ${when(a.createdAt, tz)}` : ''}`,
    );
  if (a.approvedBy?.length) lines.push(`Approved by ${a.approvedBy.map(person).join(', ')}`);
  return lines;
}

function describedMessage(
  d: Extract<Reply, { kind: 'described' }>['description'],
  tz: string | undefined,
): SlackMessage {
  const drift = d.drift.length
    ? [`:warning: Changed outside the bot: ${d.drift.map(esc).join(', ')}`]
    : [];
  if (d.kind === 'schedule') {
    const t = d.trigger;
    const retries = `up to ${t.retryPolicy.maximumRetryAttempts} within ${t.retryPolicy.maximumEventAgeSeconds} s${t.deadLetterArn ? `, then ${code(t.deadLetterArn)}` : ''}`;
    const about = [...attributionLines(d.attribution, tz), ...drift];
    return {
      text: `${t.name}: schedule, ${t.state.toLowerCase()}: ${d.description}`,
      blocks: [
        header(t.name),
        section(
          `Schedule in group ${code(t.group)}, *${t.state.toLowerCase()}* — ${esc(d.description)}`,
        ),
        ...fieldsSection([
          [
            'Pipeline',
            `${esc(t.pipelineName)}${d.pipelineExists ? '' : '\n:warning: does not exist: this schedule is an orphan'}`,
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
        ...(about.length ? [section(about.join('\n'))] : []),
        section(
          runsText(d.nextRuns, tz, t.state === 'DISABLED' ? 'none while it is paused' : 'none'),
        ),
        ...warningBlocks(d.warnings),
        context(`ARN ${code(t.arn)}`),
        actions(`${ids.blocks.triggerActions}_0`, triggerButtons({ ...t, kind: 'schedule' })),
      ],
    };
  }
  const r = d.trigger;
  const about = [...attributionLines(d.attribution, tz), ...drift];
  return {
    text: `${r.name}: EventBridge rule, ${r.state.toLowerCase()}`,
    blocks: [
      header(r.name),
      section(`EventBridge rule, *${r.state.toLowerCase()}*; role ${code(r.roleArn)}`),
      section(`*Pattern*\n${codeBlock(r.eventPattern, LIMITS.sectionText - 20)}`),
      ...sections(targetLines(r.targets, d.pipelinesExist), 3),
      ...(about.length ? [section(about.join('\n'))] : []),
      context(`ARN ${code(r.arn)}`),
      actions(`${ids.blocks.triggerActions}_0`, triggerButtons({ ...r, kind: 'event' })),
    ],
  };
}

function listMessage(
  items: Extract<Reply, { kind: 'list' }>['items'],
  filter: string | undefined,
  more: boolean,
): SlackMessage {
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
  const line = (i: (typeof items)[number]) =>
    `*${esc(i.name)}*  ${i.kind === 'schedule' ? 'schedule' : 'rule'} · ${i.state === 'ENABLED' ? 'enabled' : 'paused'} · ${esc(i.pipelineNames.join(', '))}`;
  const rows = items.slice(0, MAX_BUTTON_ROWS);
  const rest = items.slice(rows.length);
  return {
    text: `${items.length}${more ? '+' : ''} triggers${filter ? ` for ${filter}` : ''}`,
    blocks: [
      section(`*Triggers${filter ? ` that start ${esc(filter)}` : ''}*`),
      ...rows.flatMap((item, i): KnownBlock[] => [
        section(line(item)),
        actions(`${ids.blocks.triggerActions}_${i}`, triggerButtons(item, { details: true })),
      ]),
      ...sections(rest.map(line), 3),
      ...(more
        ? [context(`More exist: narrow it with ${code(`${ids.command} list <pipeline>`)}.`)]
        : []),
    ],
  };
}

function orphansMessage(
  orphans: Extract<Reply, { kind: 'orphans' }>['orphans'],
  cleaned: boolean,
): SlackMessage {
  if (orphans.length === 0) {
    const none = cleaned
      ? 'No orphans to clean up.'
      : 'No orphans: every trigger starts a pipeline that exists.';
    return { text: none, blocks: [section(`:sparkles: ${none}`)] };
  }
  const lines = orphans.map(
    (o) =>
      `• *${esc(o.name)}* (${o.kind === 'schedule' ? 'schedule' : 'rule'}): ${esc(o.missingPipelines.join(', '))} is gone`,
  );
  return {
    text: cleaned
      ? `removed ${orphans.length} orphaned triggers`
      : `${orphans.length} triggers start a pipeline that no longer exists`,
    blocks: [
      section(cleaned ? '*Removed:*' : '*Triggers whose pipeline no longer exists* (orphans):'),
      ...sections(lines, 10),
      ...(cleaned
        ? []
        : [actions(`${ids.blocks.orphanActions}_0`, [cleanUpButton(orphans.length)])]),
    ],
  };
}

const MAX_APPROVAL_ROWS = 15;

function approvalsMessage(
  pending: Array<{ request: ApprovalRequest; approvals: number }>,
  tz: string | undefined,
): SlackMessage {
  if (pending.length === 0)
    return { text: 'no requests are waiting', blocks: [section('No requests are waiting.')] };
  const summary = ({ request: r, approvals }: (typeof pending)[number]) =>
    `${code(r.id)} *${esc(r.action)}*${r.triggerName ? ` ${esc(r.triggerName)}` : ''} (${esc(r.pipelineNames.join(', '))}) by ${person(r.requestedBy)}, ${approvals} of ${r.requiredApprovals} approvals, expires ${when(r.expiresAt, tz)}`;
  const rows = pending.slice(0, MAX_APPROVAL_ROWS);
  return {
    text: `${pending.length} requests are waiting`,
    blocks: [
      section('*Requests waiting for a decision*'),
      ...rows.flatMap((p, i): KnownBlock[] => [
        section(`${summary(p)}\n${codeBlock(requestText(p.request.payload), 1000)}`),
        actions(`${ids.blocks.requestActions}_${i}`, decisionButtons(p.request)),
      ]),
      ...sections(pending.slice(rows.length).map(summary), 3),
    ],
  };
}

function moreLine(count: number): KnownBlock[] {
  return count > 0 ? [context(`…and ${count} more`)] : [];
}

function statusIcon(status: ExecutionStatus): string {
  switch (status) {
    case 'Succeeded':
      return ':white_check_mark:';
    case 'Failed':
      return ':x:';
    case 'Executing':
      return ':arrows_counterclockwise:';
    case 'Stopping':
    case 'Stopped':
      return ':black_square_for_stop:';
  }
}
