import { readPayload, requestText } from '../../auth/access.js';
import { auditSubject, auditSummary } from '../../auth/audit.js';
import type { SchedulePreview } from '../../scheduling/expression/index.js';
import { formatInstant, formatInstantIn } from '../../scheduling/expression/index.js';
import type { Provenance } from '../../scheduling/provenance.js';
import type { Tick } from '../../scheduling/ticks.js';
import {
  orphanSummary,
  otherTargetsText,
  placeText,
  provenanceTag,
  provenanceText,
  startedByText,
  tickText,
} from '../views/provenance.js';
import { usages } from './grammar.js';
import { formatPreviewText } from './preview-commands.js';
import type { PlannedChange, Reply } from './replies.js';
import { instantText, runText, type TextView, utcView } from './time-text.js';

export interface TextOutput {
  stdout: string[];
  stderr: string[];
  exitCode: number;
}

const out = (...lines: string[]): TextOutput => ({ stdout: lines, stderr: [], exitCode: 0 });

/**
 * A reply as plain text, for the CLI and the terminal chat. Pure. Times are in the schedule's
 * zone with the reader's beside them (`view`: LOCAL_TZ or the machine's zone, and now).
 */
export function renderText(reply: Reply, view: TextView = utcView()): TextOutput {
  const json = jsonOf(reply);
  if (json !== undefined) return out(JSON.stringify(json));
  switch (reply.kind) {
    case 'help':
      return out(...helpText(reply.topic));
    case 'error':
      return {
        stdout: [],
        stderr: [
          reply.message,
          ...(reply.excerpt ?? []),
          ...(reply.usage ? ['usage:', ...reply.usage.split('\n').map((l) => `  ${l}`)] : []),
        ],
        exitCode: reply.exitCode,
      };
    case 'preview':
      if (reply.json) return out(JSON.stringify(previewJson(reply.preview, reply.utc ?? false)));
      // One instant per line for scripts, with the schedule zone's offset (or Z with --utc).
      return reply.runsOnly
        ? out(
            ...reply.preview.occurrences.map((d) =>
              reply.utc ? formatInstant(d) : formatInstantIn(d, reply.preview.timeZone),
            ),
          )
        : out(...formatPreviewText(reply.preview, { occurrences: true }, view));
    case 'schedule-created': {
      const s = reply.schedule;
      return out(
        `created schedule ${s.name} (${s.state.toLowerCase()}): ${s.pipelineName} ${reply.preview?.description ?? s.expression}`,
        `  expression: ${s.expression}${s.timeZone !== 'UTC' ? ` in ${s.timeZone}` : ''}`,
        ...parameterLines(s.parameters),
        `  role: ${s.roleArn}`,
        ...(reply.preview ? nextRunLines(reply.preview, view) : []),
        ...warningLines(reply.preview?.warnings ?? []),
        `  arn: ${s.arn}`,
      );
    }
    case 'rule-created': {
      const r = reply.rule;
      return out(
        `created rule ${r.name} (${r.state.toLowerCase()}): starts ${r.targets.map((t) => t.pipelineName).join(', ')} on matching events`,
        `  pattern: ${r.eventPattern}`,
        ...r.targets.flatMap((t) =>
          t.parameters.length
            ? [`  ${t.pipelineName}:`, ...parameterLines(t.parameters, '    ')]
            : [],
        ),
        ...warningLines(reply.warnings ?? []),
        `  arn: ${r.arn}`,
      );
    }
    case 'dry-run':
      return out(
        'dry run: nothing was changed. These requests would be sent:',
        ...reply.requests.flatMap((r) => [
          `${r.operation}`,
          ...indent(JSON.stringify(r.input, null, 2)),
        ]),
        ...warningLines(reply.warnings ?? []),
      );
    case 'described': {
      const d = reply.description;
      if (d.kind === 'schedule') {
        const t = d.trigger;
        return out(
          `${d.ref}: ${placeText('schedule', t.group, 'text')}, ${t.state.toLowerCase()}`,
          madeLine(d.provenance, view),
          `  runs: ${d.description}`,
          `  expression: ${t.expression}`,
          `  pipeline: ${t.pipelineName}${t.targetKind === 'universal' ? " (started through Scheduler's universal target)" : ''}${d.pipelineExists ? '' : ' (DOES NOT EXIST: this schedule is an orphan)'}`,
          ...parameterLines(t.parameters),
          `  role: ${t.roleArn}`,
          ...(t.start ? [`  start: ${formatInstantIn(t.start, t.timeZone)}`] : []),
          ...(t.end ? [`  end: ${formatInstantIn(t.end, t.timeZone)}`] : []),
          `  flexible window: ${t.flexibleWindowMinutes ? `${t.flexibleWindowMinutes} minutes` : 'off'}`,
          `  retries: up to ${t.retryPolicy.maximumRetryAttempts} within ${t.retryPolicy.maximumEventAgeSeconds} s${t.deadLetterArn ? `, then ${t.deadLetterArn}` : ''}`,
          ...(t.deleteAfterCompletion ? ['  deleted after its last run'] : []),
          ...(t.description ? [`  description: ${t.description}`] : []),
          ...(d.drift.length ? [`  changed outside the bot: ${d.drift.join(', ')}`] : []),
          ...(d.nextRuns.length
            ? [
                t.flexibleWindowMinutes
                  ? `  next runs (each starts within ${t.flexibleWindowMinutes} minutes after the time shown):`
                  : '  next runs:',
                ...d.nextRuns.map((r) => `    ${runText(r, t.timeZone, view)}`),
              ]
            : ['  next runs: none']),
          ...recentRunLines(d.recentRuns),
          ...warningLines(d.warnings),
          `  arn: ${t.arn}`,
        );
      }
      const r = d.trigger;
      const others = otherTargetsText(r.otherTargets.length, { left: true });
      return out(
        `${d.ref}: EventBridge ${placeText('event', r.bus, 'text')}, ${r.state.toLowerCase()}`,
        madeLine(d.provenance, view),
        ...(r.scheduleExpression
          ? [
              `  schedule: ${r.scheduleExpression} — ${d.schedule?.description ?? r.scheduleExpression} (rules run in UTC)`,
              ...(d.schedule?.nextRuns.length
                ? [
                    '  next runs (UTC):',
                    ...d.schedule.nextRuns.map((n) => `    ${runText(n, 'UTC', view)}`),
                  ]
                : [`  next runs: ${r.state === 'DISABLED' ? 'none while it is paused' : 'none'}`]),
            ]
          : []),
        ...(r.eventPattern ? [`  pattern: ${r.eventPattern}`] : []),
        ...r.targets.flatMap((t) => [
          `  starts ${t.pipelineName}${d.pipelinesExist[t.pipelineName] === false ? ' (DOES NOT EXIST)' : ''}`,
          ...parameterLines(t.parameters, '    '),
        ]),
        ...(others ? [`  ${others}`] : []),
        `  role: ${r.roleArn}`,
        ...(d.drift.length ? [`  changed outside the bot: ${d.drift.join(', ')}`] : []),
        ...recentRunLines(d.recentRuns),
        `  arn: ${r.arn}`,
      );
    }
    case 'list': {
      if (reply.items.length === 0)
        return out(
          reply.filter
            ? `no triggers start ${reply.filter}`
            : 'no triggers yet: create one with create <pipeline> <expression>',
        );
      const what = (i: (typeof reply.items)[number]) =>
        i.scheduleExpression ?? (i.kind === 'schedule' ? 'schedule' : 'rule');
      const width = Math.max(...reply.items.map((i) => i.ref.length));
      const whatWidth = Math.max(8, ...reply.items.map((i) => what(i).length));
      return out(
        ...reply.items.map((i) => {
          const others = otherTargetsText(i.otherTargets);
          const made = provenanceTag(i.provenance, 'text');
          return `${i.ref.padEnd(width)}  ${what(i).padEnd(whatWidth)}  ${i.state.toLowerCase().padEnd(8)}  ${i.pipelineNames.join(', ')}${others ? ` ${others}` : ''}${made ? `  ${made}` : ''}`;
        }),
        ...(reply.more ? ['… more: narrow it with list <pipeline>'] : []),
      );
    }
    case 'changed':
      return out(
        `${reply.action} ${reply.item.kind === 'schedule' ? 'schedule' : 'rule'} ${reply.item.ref}`,
      );
    case 'trigger-updated':
      return out(...updateLines(reply, view));
    case 'confirm-delete':
      // Nothing was done: a script that forgot --yes fails, and says how to go on.
      return {
        stdout: [],
        stderr: [
          `delete the ${reply.what} ${reply.ref}? It starts ${reply.pipelines.join(', ') || 'no pipeline'} ${reply.summary}, and deleting it cannot be undone.`,
          `nothing was deleted: type delete ${reply.ref} --yes to delete it`,
        ],
        exitCode: 2,
      };
    case 'adopted':
      return out(
        `adopted ${reply.from.ref} as ${reply.schedule.group}/${reply.schedule.name}: it is now made here, and the original is deleted`,
        ...warningLines(reply.warnings ?? []),
      );
    case 'started':
      return out(`started ${reply.pipeline}: ${reply.executionArn}`);
    case 'ticks':
      if (reply.ticks.length === 0) return out(`no runs of ${reply.ref} watched yet`);
      return out(...reply.ticks.map((t) => tickText(t, 'text')));
    case 'history':
      if (reply.executions.length === 0) return out(`${reply.pipeline} has not run yet`);
      return out(
        ...reply.executions.map(
          (e) =>
            `${instantText(e.startTime, view)}  ${e.status.padEnd(9)}  ${e.arn.split('/').at(-1) ?? e.arn}  ${startedByText(e.startedBy, 'text')}${e.failureReason ? `  ${e.failureReason}` : ''}`,
        ),
      );
    case 'orphans':
      if (reply.orphans.length === 0)
        return out(
          reply.cleaned
            ? 'no orphans to clean up'
            : 'no orphans: every trigger starts a pipeline that exists',
        );
      return out(
        ...(reply.cleaned
          ? ['cleaned up:']
          : [
              'triggers whose pipeline no longer exists (orphans), and what orphans clean does to each:',
            ]),
        ...reply.orphans.map(
          (o) =>
            `  ${o.ref} (${placeText(o.kind, o.place, 'text')}, ${provenanceText(o.provenance, { surface: 'text', short: true })}): ${orphanSummary(o, 'text', { done: reply.cleaned })}`,
        ),
      );
    case 'pipelines':
      if (reply.pipelines.length === 0) return out('no pipelines found');
      return out(
        ...reply.pipelines.map((p) => `${p.name}${p.description ? `  ${p.description}` : ''}`),
        ...(reply.more ? ['… more: narrow it with a prefix'] : []),
      );
    case 'pattern-result':
      return out(String(reply.matches));
    case 'event-published':
      return out(
        reply.duplicate
          ? `already received (event id ${reply.id}): nothing was published again`
          : `published event ${reply.id} (${reply.source}, ${reply.detailType})`,
      );
    case 'approval-requested': {
      const r = reply.request;
      return out(
        `request ${r.id} needs ${r.requiredApprovals === 1 ? 'an approval' : `${r.requiredApprovals} approvals`} from ${r.approverRoles.join(' or ')}${reply.approvalChannel ? ` (posted in ${reply.approvalChannel})` : ''}`,
        `  it runs once approved; it expires at ${instantText(r.expiresAt, view)}. Withdraw it with: cancel ${r.id}`,
        ...(reply.change ? ['  what it changes:', ...changeTextLines(reply.change, view)] : []),
      );
    }
    case 'approvals':
      if (reply.pending.length === 0) return out('no requests are waiting');
      return out(
        ...reply.pending.flatMap(({ request: r, approvals }) => [
          `${r.id}  ${r.action} ${r.triggerName ?? ''} (${r.pipelineNames.join(', ')}) by ${r.requestedBy}, ${approvals} of ${r.requiredApprovals} approvals, expires ${instantText(r.expiresAt, view)}`,
          `  ${requestText(r.payload)}`,
          ...changeTextLines({ changes: readPayload(r.payload)?.changes ?? [] }, view).map(
            (line) => `  ${line}`,
          ),
          `  approve ${r.id}   |   reject ${r.id} <reason>`,
        ]),
      );
    case 'approval-recorded':
      return out(
        `approval recorded: ${reply.approvals} of ${reply.required} for ${reply.request.id}`,
      );
    case 'approval-decided':
      return out(`${reply.request.id} is ${reply.request.status.toLowerCase()}: ${reply.summary}`);
    case 'audit':
      if (reply.entries.length === 0)
        return out(
          reply.pipeline ? `nothing on record for ${reply.pipeline}` : 'nothing on record yet',
        );
      return out(
        ...reply.entries.map((e) => {
          const what = auditSubject(e);
          const reason = auditSummary(e);
          return `${instantText(e.at, view)}  ${e.actor}  ${e.event}${what ? `  ${what}` : ''}${e.requestId ? `  ${e.requestId}` : ''}${reason ? `  — ${reason}` : ''}`;
        }),
      );
    case 'subscribed':
      return out(
        `${reply.pipeline}'s ${reply.failuresOnly ? 'failed executions' : 'executions'} will be posted in ${reply.channel}`,
      );
    case 'unsubscribed':
      return out(
        reply.existed
          ? `${reply.pipeline}'s executions will no longer be posted in ${reply.channel}`
          : `${reply.channel} was not subscribed to ${reply.pipeline}`,
      );
    case 'interactive-needed':
      return out(
        `create asks its questions in the chat; here, give them at once:`,
        `  ${usages.create?.syntax ?? ''}`,
        `  e.g. ${usages.create?.example ?? ''}`,
      );
  }
}

function helpText(topic: string | undefined): string[] {
  if (topic) {
    const usage = usages[topic];
    if (!usage) return [`no command ${topic}; type help for the list`];
    return [usage.syntax, `  ${usage.summary}`, `  e.g. ${usage.example}`];
  }
  return [
    'commands (help <command> for details):',
    ...Object.entries(usages).map(([name, u]) => `  ${name.padEnd(13)} ${u.summary}`),
    'expressions: at(2026-12-24T09:00:00), rate(5 minutes), cron(0 8 ? * MON-FRI *) — day-of-week 1 = Sunday',
  ];
}

function parameterLines(
  parameters: Array<{ name: string; value: string }>,
  prefix = '  ',
): string[] {
  return parameters.length
    ? [`${prefix}parameters: ${parameters.map((p) => `${p.name}=${p.value}`).join(', ')}`]
    : [];
}

/**
 * `--json` of list, describe and history: the reply's data as it is, instants as ISO-8601 in
 * UTC; the raw AWS documents held for write-back are left out (`describe` shows what they mean).
 */
function jsonOf(reply: Reply): unknown {
  if (!('json' in reply) || !reply.json) return undefined;
  const value =
    reply.kind === 'list'
      ? {
          triggers: reply.items,
          more: reply.more,
          ...(reply.nextToken ? { nextToken: reply.nextToken } : {}),
        }
      : reply.kind === 'described'
        ? reply.description
        : reply.kind === 'history'
          ? { pipeline: reply.pipeline, executions: reply.executions }
          : undefined;
  return value === undefined
    ? undefined
    : JSON.parse(JSON.stringify(value, (key, v) => (key === 'held' ? undefined : v)));
}

/** An update as a diff: each changed field before → after, then the next runs of both. */
function updateLines(reply: Extract<Reply, { kind: 'trigger-updated' }>, view: TextView): string[] {
  const u = reply.update;
  const what = u.kind === 'schedule' ? 'schedule' : 'rule';
  return [
    u.dryRun
      ? `dry run: nothing was changed. ${what} ${u.ref} would change:`
      : `updated ${what} ${u.ref}:`,
    ...changeTextLines({ changes: u.changes, ...(reply.runs ? { runs: reply.runs } : {}) }, view),
    ...warningLines(reply.warnings ?? []),
    ...(u.requests
      ? [
          'These requests would be sent:',
          ...u.requests.flatMap((r) => [r.operation, ...indent(JSON.stringify(r.input, null, 2))]),
        ]
      : []),
  ];
}

/** Each changed field before → after, then a schedule's next runs before and after. */
function changeTextLines({ changes, runs }: PlannedChange, view: TextView): string[] {
  const runLines = (label: string, list: Date[], zone: string) =>
    list.length
      ? [`  next runs ${label}:`, ...list.map((d) => `    ${runText(d, zone, view)}`)]
      : [`  next runs ${label}: none`];
  return [
    ...changes.map((c) => `  ${c.field}: ${c.before ?? '(not set)'} → ${c.after ?? '(not set)'}`),
    ...(runs
      ? [
          ...runLines('before', runs.before, runs.timeZone),
          ...runLines('after', runs.after, runs.afterZone),
        ]
      : []),
  ];
}

function nextRunLines(preview: SchedulePreview, view: TextView): string[] {
  return preview.occurrences.length
    ? [
        '  next runs:',
        ...preview.occurrences.map((d) => `    ${runText(d, preview.timeZone, view)}`),
      ]
    : ['  next runs: none'];
}

/** `next --json`: the runs as instants, each with the schedule zone's offset (or Z). */
function previewJson(preview: SchedulePreview, utc: boolean) {
  return {
    expression: preview.expression.text,
    timeZone: preview.timeZone,
    description: preview.description,
    runs: preview.occurrences.map((d) =>
      utc ? formatInstant(d) : formatInstantIn(d, preview.timeZone),
    ),
    warnings: preview.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
}

/** Who made it, with when for the bot's own. */
function madeLine(p: Provenance, view: TextView): string {
  const made = provenanceText(p, { surface: 'text' });
  return `  ${made}${p.source === 'bot' && p.createdAt ? ` on ${instantText(p.createdAt, view)}` : ''}`;
}

function indent(text: string): string[] {
  return text.split('\n').map((l) => `  ${l}`);
}

function warningLines(warnings: ReadonlyArray<{ message: string }>): string[] {
  return warnings.map((w) => `warning: ${w.message}`);
}

/** A trigger's recent runs under its description, when it has any. */
function recentRunLines(runs: Tick[]): string[] {
  return runs.length
    ? ['  recent runs:', ...runs.map((tick) => `    ${tickText(tick, 'text')}`)]
    : [];
}
