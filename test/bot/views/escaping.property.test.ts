import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../src/auth/approval-store.js';
import type { Reply } from '../../../src/bot/commands/replies.js';
import {
  approvalMessage,
  type Decision,
  decidedApprovalMessage,
  decisionNotice,
  rejectReasonModal,
} from '../../../src/bot/views/approval-message.js';
import { createModal } from '../../../src/bot/views/create-modal.js';
import { executionMessage, failureReply } from '../../../src/bot/views/execution-message.js';
import { homeView } from '../../../src/bot/views/home.js';
import { replyBlocks } from '../../../src/bot/views/reply-blocks.js';
import type { ExecutionState } from '../../../src/notifications/execution-state.js';
import type { Provenance } from '../../../src/scheduling/provenance.js';
import type { Orphan, TriggerListItem } from '../../../src/scheduling/scheduling-service.js';
import { NOW, preview, request, rule, schedule, warnedPreview } from './samples.js';

/**
 * Everything a renderer sends that Slack parses as mrkdwn: the message's `text` fallback and
 * every mrkdwn text object in its blocks (section text and fields, context elements, accessories,
 * confirm dialogs), found by walking the whole payload so a new block kind is not missed.
 * plain_text objects are skipped: Slack shows them as they are.
 */
function mrkdwnTexts(payload: { text?: string; blocks?: readonly unknown[] }): string[] {
  const found: string[] = payload.text === undefined ? [] : [payload.text];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const o = value as Record<string, unknown>;
    if (typeof o.text === 'string') {
      // A string `text` is a text object (or a markdown block); anything else would be a new
      // kind of text this walker does not know, and might be parsed.
      expect(['mrkdwn', 'plain_text', 'markdown']).toContain(o.type);
      if (o.type !== 'plain_text') found.push(o.text);
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(payload.blocks);
  return found;
}

/** The ids the samples use for people and channels: the bot mentions these on purpose. */
const KNOWN_USERS = new Set(['U0ALICE', 'U0LEAD1', 'U0BOB', 'U0OWNER']);
const KNOWN_CHANNELS = new Set(['C0MLOPS', 'C0APPROVALS', 'C0ALERTS']);

/** The only `<…>` the bot writes itself: mentions of known ids and its own date tokens. */
function botToken(at: string): string | undefined {
  const user = /^<@([UW][A-Z0-9]+)>/.exec(at);
  if (user && KNOWN_USERS.has(user[1] ?? '')) return user[0];
  const channel = /^<#([CGD][A-Z0-9]+)>/.exec(at);
  if (channel && KNOWN_CHANNELS.has(channel[1] ?? '')) return channel[0];
  return /^<!date\^\d{9,11}\^\{date_short_pretty\} \{time\}\|[A-Z][a-z]{2} \d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Za-z_/]+>/.exec(
    at,
  )?.[0];
}

/**
 * What Slack would act on that the bot did not write: any `<` that does not open one of the bot's
 * own tokens (Slack reads `<!…>`, `<@…>`, `<#…>`, `<http…>`, `<mailto:…>` and more), and any `&`
 * that is not an entity. A `&…` cut short by clipping (`&am…`) is not an entity Slack reads.
 */
function liveSequences(mrkdwn: string): string[] {
  const live: string[] = [];
  for (let i = mrkdwn.indexOf('<'); i >= 0; i = mrkdwn.indexOf('<', i + 1)) {
    const rest = mrkdwn.slice(i);
    if (!botToken(rest)) live.push(rest.slice(0, 40));
  }
  for (const m of mrkdwn.matchAll(/&(?!(?:amp|lt|gt);)(?![a-z]{0,3}…)/g))
    live.push(mrkdwn.slice(m.index, m.index + 20));
  return live;
}

/** What a reader sees: Slack turns each entity back into its character, once. */
const shown = (mrkdwn: string) =>
  mrkdwn.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Backticks in untrusted text become a look-alike, so they can't open or close a code span. */
const asShown = (input: string) => input.replace(/`/g, 'ˋ');

const ATTACKS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0ADMINS>',
  '<@U123>',
  '<@W0EVIL|the boss>',
  '<#C123>',
  '<#C123|general>',
  '<https://evil.example|click here>',
  '<http://evil.example>',
  '<mailto:it@evil.example|IT>',
  '<!date^1700000000^{date}|x>',
  '<',
  '>',
  '|',
  '&',
  '*bold*',
  '_italic_',
  '~struck~',
  '`',
  '``',
  '```',
  '```\n<!channel>\n```',
  '\n',
  '\n> ',
  ' ',
  'ünïcødé',
  '👩🏽‍💻',
  '中文',
  'x',
];
const ENTITIES = ['&lt;', '&gt;', '&amp;', '&amp;lt;', '&#60;'];

/** Hostile text: attacks, entity-looking text, and random unicode, mixed. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(...ATTACKS, ...ENTITIES),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => s.length > 0);

/**
 * Hostile text with no entity in it: what Slack shows for it, decoded once, must hold no entity
 * either, or something was escaped twice.
 */
const entityFree = fc
  .array(fc.oneof(fc.constantFrom(...ATTACKS), fc.string({ unit: 'grapheme', maxLength: 4 })), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''))
  .filter((s) => s.length > 0 && !/&(?:amp|lt|gt);/.test(s));

type Payload = { text?: string; blocks?: readonly unknown[] };
type Text = fc.Arbitrary<string>;

interface Renderer {
  name: string;
  check(text: Text, expectation: (payload: Payload) => void): void;
}

function renderer<T>(
  name: string,
  inputs: (text: Text) => fc.Arbitrary<T>,
  render: (input: T) => Payload[],
): Renderer {
  return {
    name,
    check(text, expectation) {
      fc.assert(
        fc.property(inputs(text), (input) => {
          for (const payload of render(input)) expectation(payload);
        }),
        { numRuns: 60 },
      );
    },
  };
}

const EXECUTION_STATUSES = ['Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded'] as const;
const STEP_STATUSES = ['Starting', ...EXECUTION_STATUSES] as const;
const FINAL_STATUSES = ['APPROVED', 'EXECUTED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELLED'];

function executionState(text: Text): fc.Arbitrary<ExecutionState> {
  return fc
    .record({
      pipelineName: text,
      id: text,
      status: fc.oneof(fc.constantFrom(...EXECUTION_STATUSES), text),
      description: fc.option(text, { nil: undefined }),
      failureReason: fc.option(text, { nil: undefined }),
      startTime: fc.constantFrom(undefined, '2026-03-02T09:00:41Z', '<!channel>'),
      endTime: fc.constantFrom(undefined, '2026-03-02T09:14:04Z'),
      parameters: fc.array(fc.record({ name: text, value: text }), { maxLength: 3 }),
      steps: fc.array(fc.tuple(text, fc.oneof(fc.constantFrom(...STEP_STATUSES), text)), {
        maxLength: 4,
      }),
    })
    .map((s) => ({
      executionArn: `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${s.pipelineName}/execution/${s.id}`,
      pipelineArn: `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${s.pipelineName}`,
      pipelineName: s.pipelineName,
      status: s.status,
      ...(s.description !== undefined ? { description: s.description } : {}),
      ...(s.failureReason !== undefined ? { failureReason: s.failureReason } : {}),
      ...(s.startTime ? { startTime: s.startTime } : {}),
      ...(s.endTime ? { endTime: s.endTime } : {}),
      parameters: s.parameters,
      steps: Object.fromEntries(s.steps.map(([name, status]) => [name, { status }])),
      seen: [],
    }));
}

/** A request whose every field a person typed or AWS named is hostile. */
function hostileRequest(text: Text): fc.Arbitrary<ApprovalRequest> {
  return fc
    .record({
      id: text,
      action: text,
      triggerName: text,
      pipelines: fc.array(text, { minLength: 1, maxLength: 3 }),
      typed: text,
      expression: text,
      timeZone: text,
      role: text,
      parameter: fc.record({ name: text, value: text }),
      change: fc.record({ field: text, before: text, after: text }),
      roles: fc.array(text, { maxLength: 2 }),
      reason: fc.option(text, { nil: undefined }),
      status: fc.constantFrom('PENDING', ...FINAL_STATUSES),
    })
    .map((r) =>
      request({
        id: r.id,
        action: r.action,
        triggerName: r.triggerName,
        pipelineNames: r.pipelines,
        approverRoles: r.roles,
        status: r.status as ApprovalRequest['status'],
        decidedBy: 'U0LEAD1',
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        payload: JSON.stringify({
          text: r.typed,
          command: {
            name: 'create',
            pipeline: r.pipelines[0],
            expression: r.expression,
            options: { timeZone: r.timeZone, role: r.role },
            parameters: [r.parameter],
          },
          access: { userId: 'U0ALICE', action: 'create', pipelineNames: r.pipelines },
          changes: [r.change],
        }),
      }),
    );
}

function decision(text: Text): fc.Arbitrary<Decision | string> {
  return fc.oneof(
    fc.record({
      what: fc.constantFrom('approved', 'rejected', 'withdrawn') as fc.Arbitrary<Decision['what']>,
      by: fc.constantFrom('U0LEAD1', 'cli:ana'),
      detail: fc.option(text, { nil: undefined }),
    }),
    text,
  ) as fc.Arbitrary<Decision | string>;
}

/**
 * Who made a trigger, every kind, with hostile text wherever AWS or a record supplies it. People
 * and channels are known ids or terminal names: an id-shaped string is mentioned on purpose.
 */
function provenance(t: Text): fc.Arbitrary<Provenance> {
  const user = fc.oneof(
    fc.constantFrom('U0ALICE', 'U0LEAD1'),
    t.map((u) => `cli:${u}`),
  );
  return fc.oneof(
    fc
      .record({
        requestedBy: fc.option(user, { nil: undefined }),
        approvedBy: fc.array(user, { maxLength: 2 }),
        requestId: fc.option(t, { nil: undefined }),
        channelId: fc.option(
          fc.oneof(
            fc.constant('C0MLOPS'),
            t.map((c) => `#${c}`),
          ),
          {
            nil: undefined,
          },
        ),
        createdAt: fc.constantFrom(undefined, NOW),
      })
      .map(
        (b): Provenance => ({
          source: 'bot',
          ...(b.requestedBy !== undefined ? { requestedBy: b.requestedBy } : {}),
          ...(b.approvedBy.length ? { approvedBy: b.approvedBy } : {}),
          ...(b.requestId !== undefined ? { requestId: b.requestId } : {}),
          ...(b.channelId !== undefined ? { channelId: b.channelId } : {}),
          ...(b.createdAt ? { createdAt: b.createdAt } : {}),
        }),
      ),
    t.map((inferredFrom): Provenance => ({ source: 'sagemaker-sdk', inferredFrom })),
    t.map((stack): Provenance => ({ source: 'cloudformation', stack })),
    t.map((managedBy): Provenance => ({ source: 'aws-service', managedBy })),
    fc.constant<Provenance>({ source: 'elsewhere' }),
  );
}

/** A listed trigger, in any place, by anyone, possibly a rule on a schedule with other targets. */
function listItem(t: Text): fc.Arbitrary<TriggerListItem> {
  return fc
    .record({
      kind: fc.constantFrom('schedule', 'event') as fc.Arbitrary<'schedule' | 'event'>,
      name: t,
      ref: t,
      place: t,
      arn: t,
      state: fc.constantFrom('ENABLED', 'DISABLED') as fc.Arbitrary<'ENABLED' | 'DISABLED'>,
      pipelineNames: fc.array(t, { minLength: 1, maxLength: 3 }),
      otherTargets: fc.nat(4),
      provenance: provenance(t),
      scheduleExpression: fc.option(t, { nil: undefined }),
    })
    .map(({ scheduleExpression, ...i }) => ({
      ...i,
      ...(scheduleExpression !== undefined && i.kind === 'event' ? { scheduleExpression } : {}),
    }));
}

/** An orphan of any clean-up, its names, place, targets and maker hostile. */
function orphan(t: Text): fc.Arbitrary<Orphan> {
  return fc.record({
    kind: fc.constantFrom('schedule', 'event') as fc.Arbitrary<'schedule' | 'event'>,
    name: t,
    ref: t,
    place: t,
    arn: t,
    missingPipelines: fc.array(t, { minLength: 1, maxLength: 2 }),
    deadTargets: fc.array(fc.record({ id: t, pipelineName: t }), { minLength: 1, maxLength: 2 }),
    targetsLeft: fc.nat(3),
    targetIds: fc.array(t, { maxLength: 3 }),
    provenance: provenance(t),
    cleanUp: fc.constantFrom('delete-schedule', 'remove-targets', 'delete-rule') as fc.Arbitrary<
      Orphan['cleanUp']
    >,
  });
}

/** A reply of every kind with hostile text wherever a name, a message or a value goes. */
function hostileReplies(t: Text): Record<Reply['kind'], fc.Arbitrary<Reply>> {
  const params = fc.array(fc.record({ name: t, value: t }), { maxLength: 3 });
  const item = listItem(t);
  const hostilePreview = fc
    .record({ text: t, timeZone: t, description: t, warning: t })
    .map(({ text, timeZone, description, warning }) => {
      const p = warnedPreview();
      return {
        ...p,
        expression: { ...p.expression, text },
        timeZone,
        description,
        warnings: p.warnings.map((w) => ({ ...w, message: warning })),
      };
    });
  const replies = {
    help: t.map((topic): Reply => ({ kind: 'help', topic })),
    error: fc
      .record({ message: t, usage: t, excerpt: fc.array(t, { maxLength: 3 }) })
      .map((e): Reply => ({ kind: 'error', ...e, exitCode: 2 })),
    preview: fc
      .tuple(hostilePreview, fc.boolean())
      .map(([p, runsOnly]): Reply => ({ kind: 'preview', preview: p, runsOnly })),
    'schedule-created': fc
      .record({
        name: t,
        pipelineName: t,
        expression: t,
        timeZone: t,
        roleArn: t,
        arn: t,
        parameters: params,
        preview: hostilePreview,
      })
      .map(
        ({ preview: p, ...s }): Reply => ({
          kind: 'schedule-created',
          schedule: schedule(s),
          preview: p,
        }),
      ),
    'rule-created': fc
      .record({
        name: t,
        eventPattern: t,
        roleArn: t,
        arn: t,
        pipelineName: t,
        parameters: params,
      })
      .map(
        ({ pipelineName, parameters, ...r }): Reply => ({
          kind: 'rule-created',
          rule: rule({
            ...r,
            targets: [{ id: 't0', pipelineArn: 'arn:t0', pipelineName, parameters }],
          }),
        }),
      ),
    'dry-run': fc
      .array(fc.record({ operation: t, input: t.map((Name) => ({ Name })) }), { maxLength: 3 })
      .map((requests): Reply => ({ kind: 'dry-run', requests })),
    described: fc
      .record({
        name: t,
        pipelineName: t,
        expression: t,
        timeZone: t,
        roleArn: t,
        description: t,
        about: t,
        drift: fc.array(t, { maxLength: 2 }),
        warning: t,
        parameters: params,
        pattern: t,
        event: fc.boolean(),
        ref: t,
        place: t,
        provenance: provenance(t),
        scheduled: fc.boolean(),
        otherTargets: fc.array(fc.record({ id: t, arn: t }), { maxLength: 2 }),
        universal: fc.boolean(),
      })
      .map(
        (d): Reply => ({
          kind: 'described',
          now: NOW,
          description: d.event
            ? {
                kind: 'event',
                ref: d.ref,
                provenance: d.provenance,
                ...(d.scheduled
                  ? { schedule: { description: d.about, nextRuns: preview().occurrences } }
                  : {}),
                trigger: rule({
                  name: d.name,
                  bus: d.place,
                  eventPattern: d.pattern,
                  ...(d.scheduled ? { scheduleExpression: d.expression } : {}),
                  otherTargets: d.otherTargets,
                  roleArn: d.roleArn,
                  targets: [
                    {
                      id: 't0',
                      pipelineArn: 'arn:t0',
                      pipelineName: d.pipelineName,
                      parameters: d.parameters,
                    },
                  ],
                }),
                pipelinesExist: { [d.pipelineName]: false },
                attribution: { createdBy: 'U0ALICE', approvedBy: ['U0LEAD1'] },
                drift: d.drift,
                recentRuns: [
                  {
                    triggerKey: d.name,
                    ref: d.ref,
                    pipelineName: d.pipelineName,
                    occurrence: NOW,
                    timeZone: 'UTC',
                    outcome: 'started' as const,
                    executionArn: `arn:x/execution/${d.name}`,
                    byEvent: !d.scheduled,
                    recordedAt: NOW,
                    updatedAt: NOW,
                  },
                ],
              }
            : {
                kind: 'schedule',
                ref: d.ref,
                provenance: d.provenance,
                trigger: schedule({
                  name: d.name,
                  group: d.place,
                  ...(d.universal
                    ? { targetKind: 'universal' as const, targetArn: d.roleArn }
                    : {}),
                  pipelineName: d.pipelineName,
                  expression: d.expression,
                  timeZone: d.timeZone,
                  roleArn: d.roleArn,
                  description: d.description,
                  parameters: d.parameters,
                  deadLetterArn: d.roleArn,
                }),
                description: d.about,
                nextRuns: preview().occurrences,
                warnings: [{ code: 'DST_SKIPPED', message: d.warning }],
                pipelineExists: false,
                attribution: { createdBy: 'cli:ana', approvedBy: ['U0LEAD1'], createdAt: NOW },
                drift: d.drift,
                // A missed run's cause is AWS's text (a dead-letter event's error message).
                recentRuns: [
                  {
                    triggerKey: `${d.place}/${d.name}`,
                    ref: d.ref,
                    pipelineName: d.pipelineName,
                    occurrence: NOW,
                    timeZone: 'UTC',
                    outcome: 'missed' as const,
                    reason: d.warning,
                    recordedAt: NOW,
                    updatedAt: NOW,
                  },
                ],
              },
        }),
      ),
    list: fc
      .record({
        items: fc.array(item, { maxLength: 4 }),
        filter: fc.option(t, { nil: undefined }),
        more: fc.boolean(),
      })
      .map(
        ({ filter, ...l }): Reply => ({
          kind: 'list',
          ...l,
          ...(filter !== undefined ? { filter } : {}),
        }),
      ),
    changed: fc
      .tuple(item, fc.constantFrom('paused', 'resumed', 'deleted') as fc.Arbitrary<'paused'>)
      .map(([i, action]): Reply => ({ kind: 'changed', action, item: i })),
    'confirm-delete': fc.record({ ref: t, pipeline: t, summary: t }).map(
      ({ ref, pipeline, summary }): Reply => ({
        kind: 'confirm-delete',
        ref,
        what: 'rule',
        pipelines: [pipeline],
        summary,
      }),
    ),
    'trigger-updated': fc
      .record({ ref: t, field: t, before: t, after: t, expression: t, pattern: t })
      .map(
        (u): Reply => ({
          kind: 'trigger-updated',
          update: {
            kind: 'event',
            ref: u.ref,
            before: rule(),
            after: rule({ eventPattern: u.pattern }),
            changes: [{ field: u.field, before: u.before, after: u.after }],
            dryRun: true,
            requests: [{ operation: 'PutRule', input: { EventPattern: u.pattern } }],
          },
          warnings: [{ code: 'COLLISION', message: u.expression }],
        }),
      ),
    adopted: fc.tuple(item, t, t).map(
      ([from, name, group]): Reply => ({
        kind: 'adopted',
        from,
        schedule: schedule({ name, group }),
      }),
    ),
    started: fc
      .record({ pipeline: t, executionArn: t })
      .map((s): Reply => ({ kind: 'started', ...s })),
    ticks: fc.record({ ref: t, reason: t, arn: t }).map(
      ({ ref, reason, arn }): Reply => ({
        kind: 'ticks',
        ref,
        ticks: (['started', 'missed', 'skipped'] as const).map((outcome) => ({
          triggerKey: ref,
          ref,
          pipelineName: ref,
          occurrence: NOW,
          ...(outcome === 'skipped'
            ? { through: new Date(NOW.getTime() + 3_600_000), runs: 60 }
            : {}),
          timeZone: 'UTC',
          outcome,
          reason,
          executionArn: arn,
          recordedAt: NOW,
          updatedAt: NOW,
        })),
      }),
    ),
    history: fc
      .record({
        pipeline: t,
        executions: fc.array(
          fc.record({
            arn: t,
            status: fc.constantFrom(...EXECUTION_STATUSES),
            failureReason: t,
            description: t,
            startedBy: fc.oneof(
              t.map((ref) => ({
                kind: 'schedule' as const,
                ref,
                group: ref,
                name: ref,
                occurrence: NOW.toISOString(),
                timeZone: 'UTC',
                likely: true,
              })),
              t.map((identity) => ({ kind: 'outside' as const, identity })),
              t.map((ref) => ({ kind: 'rule' as const, ref, likely: true as const })),
              fc.record({ requestId: t, userId: t, channelId: t }).map((r) => ({
                kind: 'run' as const,
                ...r,
                approvedBy: [r.userId],
              })),
            ),
          }),
          { maxLength: 4 },
        ),
      })
      .map(
        ({ pipeline, executions }): Reply => ({
          kind: 'history',
          pipeline,
          executions: executions.map((e) => ({ ...e, pipelineArn: 'arn:p', startTime: NOW })),
        }),
      ),
    orphans: fc
      .record({
        orphans: fc.array(orphan(t), { maxLength: 3 }),
        cleaned: fc.boolean(),
      })
      .map((o): Reply => ({ kind: 'orphans', ...o })),
    pipelines: fc
      .record({
        pipelines: fc.array(fc.record({ name: t, arn: t, description: t }), { maxLength: 4 }),
        more: fc.boolean(),
      })
      .map((p): Reply => ({ kind: 'pipelines', ...p })),
    'pattern-result': fc.boolean().map((matches): Reply => ({ kind: 'pattern-result', matches })),
    'event-published': fc
      .record({ id: t, source: t, detailType: t })
      .map((e): Reply => ({ kind: 'event-published', ...e })),
    'interactive-needed': fc.constant<Reply>({ kind: 'interactive-needed' }),
    'approval-requested': fc.tuple(hostileRequest(t), t, t, t).map(
      ([r, field, before, after]): Reply => ({
        kind: 'approval-requested',
        request: r,
        approvalChannel: 'C0APPROVALS',
        change: { changes: [{ field, before, after }] },
      }),
    ),
    approvals: fc.array(hostileRequest(t), { maxLength: 3 }).map(
      (rs): Reply => ({
        kind: 'approvals',
        pending: rs.map((r) => ({ request: r, approvals: 1 })),
      }),
    ),
    'approval-recorded': hostileRequest(t).map(
      (r): Reply => ({ kind: 'approval-recorded', request: r, approvals: 1, required: 2 }),
    ),
    'approval-decided': fc
      .tuple(hostileRequest(t), t)
      .map(([r, summary]): Reply => ({ kind: 'approval-decided', request: r, summary })),
    audit: fc
      .record({
        pipeline: fc.option(t, { nil: undefined }),
        entries: fc.array(
          fc.record({
            actor: fc.oneof(
              fc.constantFrom('U0ALICE', 'system'),
              t.map((u) => `cli:${u}`),
            ),
            event: t,
            action: t,
            pipelineNames: fc.array(t, { maxLength: 2 }),
            triggerName: t,
            requestId: t,
            reason: t,
          }),
          { maxLength: 3 },
        ),
      })
      .map(
        ({ pipeline, entries }): Reply => ({
          kind: 'audit',
          ...(pipeline !== undefined ? { pipeline } : {}),
          entries: entries.map(({ reason, ...e }, id) => ({
            ...e,
            id,
            at: NOW,
            details: JSON.stringify({ reason }),
          })),
        }),
      ),
    subscribed: fc
      .record({ pipeline: t, failuresOnly: fc.boolean() })
      .map((s): Reply => ({ kind: 'subscribed', ...s, channel: 'C0ALERTS' })),
    unsubscribed: fc
      .record({ pipeline: t, existed: fc.boolean() })
      .map((s): Reply => ({ kind: 'unsubscribed', ...s, channel: 'C0ALERTS' })),
  } satisfies Record<Reply['kind'], fc.Arbitrary<Reply>>;
  return replies;
}

const renderers: Renderer[] = [
  renderer(
    'the execution message and its failure reply in the thread',
    (t) => fc.tuple(executionState(t), fc.option(t, { nil: undefined })),
    ([state, trigger]) => [
      executionMessage(state, {
        ...(trigger !== undefined ? { trigger } : {}),
        consoleUrl: 'https://eu-west-1.console.aws.amazon.com/sagemaker/home',
      }),
      failureReply(state, 'U0OWNER'),
      failureReply(state, 'cli:ana'),
      failureReply(state),
    ],
  ),
  renderer(
    'the approval message',
    (t) => fc.tuple(hostileRequest(t), t, fc.boolean()),
    ([r, typed, withPreview]) => [
      approvalMessage(r, { text: typed, ...(withPreview ? { preview: warnedPreview() } : {}) }),
    ],
  ),
  renderer(
    'the decided approval message and the requester’s direct message',
    (t) => fc.tuple(hostileRequest(t), decision(t)),
    ([r, d]) => [decidedApprovalMessage(r, d), decisionNotice(r, d)],
  ),
  renderer(
    'the reject-reason modal',
    (t) => t,
    (id) => [rejectReasonModal(id, 'a'.repeat(64))],
  ),
  ...Object.keys(hostileReplies(fc.constant(''))).map((kind) =>
    renderer(
      `a ${kind} reply`,
      (t) =>
        fc.tuple(
          hostileReplies(t)[kind as Reply['kind']],
          fc.constantFrom(undefined, 'America/New_York'),
        ),
      ([reply, userTimeZone]) => [replyBlocks(reply, userTimeZone ? { userTimeZone } : {})],
    ),
  ),
  renderer(
    'App Home',
    (t) =>
      fc.record({
        triggers: fc.array(listItem(t), { maxLength: 3 }),
        pending: fc.array(
          fc.tuple(hostileRequest(t), fc.constantFrom('U0ALICE', 'U0BOB')).map(([r, by]) => ({
            ...r,
            requestedBy: by,
          })),
          { maxLength: 3 },
        ),
        due: fc.array(fc.record({ name: t, pipelineName: t }), { maxLength: 3 }),
        orphans: fc.array(orphan(t), { maxLength: 2 }),
      }),
    (h) => [
      homeView({
        userId: 'U0BOB',
        myTriggers: h.triggers,
        pendingApprovals: h.pending.map((request) => ({ request, approvals: 1 })),
        dueSoon: h.due.map((d) => ({ ...d, at: NOW })),
        orphans: h.orphans,
      }),
    ],
  ),
  renderer(
    'the create form',
    (t) =>
      fc.record({
        pipeline: t,
        parameters: fc.array(
          fc.record({
            name: t,
            type: fc.constantFrom('String', 'Integer', 'Float', 'Boolean') as fc.Arbitrary<
              'String' | 'Integer' | 'Float' | 'Boolean'
            >,
            defaultValue: t,
            description: t,
          }),
          { maxLength: 3 },
        ),
        many: fc.boolean(),
        previewError: t,
        previewText: t,
        alias: t,
      }),
    (f) => {
      const parameters = f.many
        ? Array.from({ length: 81 }, (_, i) => ({
            ...(f.parameters[0] ?? { type: 'String' as const }),
            name: `${f.pipeline}${i}`,
          }))
        : f.parameters;
      const state = {
        triggerType: 'cron' as const,
        pipeline: { name: f.pipeline, parameters },
        userTimeZone: 'America/New_York',
        values: { expression: f.previewText, name: f.previewText },
      };
      const p = warnedPreview();
      return [
        createModal({ ...state, roleChoices: { prod: 'arn:aws:iam::1:role/Prod' } }),
        createModal({ ...state, roleChoices: {}, preview: { ok: false, message: f.previewError } }),
        // Editing: the trigger's ref and its current role come from AWS, and so does a refusal.
        createModal({ ...state, roleChoices: {}, edit: { ref: f.alias, roleArn: f.previewError } }),
        createModal({ ...state, roleChoices: {}, unavailable: f.previewError }),
        createModal({
          ...state,
          roleChoices: { [f.alias.slice(0, 70) || 'a']: f.alias },
          preview: {
            ok: true,
            preview: {
              ...p,
              description: f.previewText,
              warnings: p.warnings.map((w) => ({ ...w, message: f.previewError })),
            },
          },
        }),
      ];
    },
  ),
];

describe('text from people, events and AWS, on its way to Slack', () => {
  const cases = renderers.map((r) => [r.name, r] as const);

  it.each(cases)('%s: never pings a channel, mentions someone or hides a link', (_, r) => {
    r.check(hostile, (payload) => {
      for (const text of mrkdwnTexts(payload)) expect(liveSequences(text)).toEqual([]);
    });
  });

  it.each(cases)('%s: is escaped once, not twice', (_, r) => {
    r.check(entityFree, (payload) => {
      for (const text of mrkdwnTexts(payload)) expect(shown(text)).not.toMatch(/&(?:amp|lt|gt);/);
    });
  });

  it('a failure reason reads exactly as the event gave it, in the message, its fallback and the thread', () => {
    fc.assert(
      fc.property(executionState(hostile), hostile, (state, reason) => {
        const failed = { ...state, failureReason: reason };
        const message = executionMessage(failed);
        const section = mrkdwnTexts({ blocks: message.blocks }).find((t) =>
          t.startsWith('*Why it failed:*'),
        );
        expect(shown(section ?? '')).toBe(`*Why it failed:* ${asShown(reason)}`);
        expect(shown(message.text)).toContain(` — ${asShown(reason)}`);
        expect(shown(failureReply(failed, 'U0OWNER').text)).toMatch(
          new RegExp(`^<@U0OWNER> .* failed: ${escapeRegExp(asShown(reason))}$`, 's'),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('a reason and an outcome read exactly as given, beside a live mention of the decider', () => {
    fc.assert(
      fc.property(hostileRequest(hostile), hostile, hostile, (r, reason, detail) => {
        const rejected = { ...r, status: 'REJECTED' as const, reason };
        const d: Decision = { what: 'rejected', by: 'U0LEAD1', detail };
        const notice = decisionNotice(rejected, d);
        expect(notice.text).toContain(' is rejected: rejected by <@U0LEAD1>: ');
        expect(shown(notice.text).endsWith(`rejected by <@U0LEAD1>: ${asShown(detail)}`)).toBe(
          true,
        );
        const message = decidedApprovalMessage(rejected, d);
        const decided = mrkdwnTexts({ blocks: message.blocks })[0] ?? '';
        expect(decided).toContain('*Rejected* by <@U0LEAD1>');
        expect(shown(decided)).toContain(`\n>${asShown(reason).replace(/\n/g, '\n>')}\n`);
        expect(shown(decided)).toContain(`rejected by <@U0LEAD1>: ${asShown(detail)}`);
        expect(message.text).toContain('rejected by <@U0LEAD1>: ');
      }),
      { numRuns: 200 },
    );
  });
});

describe('examples from the security review', () => {
  const failed: ExecutionState = {
    executionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train/execution/x1',
    pipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-train',
    pipelineName: 'churn-train',
    status: 'Failed',
    failureReason: 'Train: <!channel> see <https://evil.example|the logs> & retry',
    steps: { Train: { status: 'Failed' } },
    seen: [],
  };
  const safe = 'Train: &lt;!channel&gt; see &lt;https://evil.example|the logs&gt; &amp; retry';

  it('a forged failure reason does not ping the channel or show a disguised link in the thread', () => {
    expect(failureReply(failed, 'U0OWNER')).toEqual({
      text: `<@U0OWNER> churn-train failed: ${safe}`,
    });
  });

  it('nor in the execution message’s notification text', () => {
    expect(executionMessage(failed).text).toBe(`churn-train x1: Failed — ${safe}`);
  });

  it('a reject reason reaches the requester as text, with the rejecter mentioned', () => {
    const notice = decisionNotice(request({ status: 'REJECTED' }), {
      what: 'rejected',
      by: 'U0LEAD1',
      detail: 'ask <!here> & <@U0BOSS>',
    });
    expect(notice).toEqual({
      text: 'Your request req-3f2a9c is rejected: rejected by <@U0LEAD1>: ask &lt;!here&gt; &amp; &lt;@U0BOSS&gt;',
    });
  });

  it('"approved by" mentions the approver once, not as escaped text', () => {
    const message = decidedApprovalMessage(request({ status: 'EXECUTED', decidedBy: 'U0LEAD1' }), {
      what: 'approved',
      by: 'U0LEAD1',
      detail: 'created schedule R&D-weekly',
    });
    expect(message.text).toBe(
      'req-3f2a9c Approved and done: approved by <@U0LEAD1>: created schedule R&amp;D-weekly',
    );
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('approved by <@U0LEAD1>: created schedule R&amp;D-weekly');
    expect(json).not.toContain('&lt;@U0LEAD1&gt;');
  });

  it('someone who decided from the terminal is named, not mentioned', () => {
    expect(
      decisionNotice(request({ status: 'CANCELLED' }), { what: 'withdrawn', by: 'cli:<ana>' }),
    ).toEqual({ text: 'Your request req-3f2a9c is cancelled: withdrawn by cli:&lt;ana&gt;' });
  });

  it('a summary given as one sentence is all text', () => {
    expect(
      decisionNotice(request({ status: 'REJECTED' }), 'rejected by U0LEAD1: <!channel>'),
    ).toEqual({
      text: 'Your request req-3f2a9c is rejected: rejected by U0LEAD1: &lt;!channel&gt;',
    });
  });

  it('a literal & in a fallback shows as &amp;, not &amp;amp;, and the channel is not escaped text', () => {
    const subscribed = replyBlocks({
      kind: 'subscribed',
      pipeline: 'R&D',
      channel: 'C0ALERTS',
      failuresOnly: false,
    });
    expect(subscribed.text).toBe("R&amp;D's executions will be posted in C0ALERTS.");
    expect(mrkdwnTexts(subscribed)).toContain(
      "*R&amp;D*'s executions will be posted in <#C0ALERTS>.",
    );
    const asked = replyBlocks({
      kind: 'approval-requested',
      request: request({ approverRoles: ['R&D leads'] }),
    });
    expect(asked.text).toBe('request req-3f2a9c needs 2 approvals from *R&amp;D leads*');
  });

  it('a forged backtick can not end a code span early', () => {
    const { blocks } = executionMessage({
      ...failed,
      executionArn: `${failed.pipelineArn}/x\`<!here>`,
    });
    const head = mrkdwnTexts({ blocks })[0];
    expect(head).toBe(':x: *churn-train* `xˋ&lt;!here&gt;` is *failed*');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
