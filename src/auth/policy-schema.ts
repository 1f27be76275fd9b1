import { z } from 'zod';
import { closest } from '../scheduling/closest.js';
import { ROLE_ARN } from '../scheduling/trigger-rules.js';
import { GLOB_PATTERN, matchesEverything } from './glob.js';
import type { PathKey, Problem } from './policy-errors.js';

/**
 * The policy file's schema: what each key may hold (strict: unknown keys are errors), with a
 * message per key saying what was expected, and the checks between sections zod cannot do.
 */

export const ACTIONS = ['create', 'update', 'delete', 'pause', 'run', 'read'] as const;
export const APPROVABLE_ACTIONS = ['create', 'update', 'delete', 'pause', 'run'] as const;

export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
export const GROUP_ID = /^S[A-Z0-9]{2,}$/;
export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const ROLE_NAME = /^[A-Za-z][\w-]{0,63}$/;
const ALIAS = /^[A-Za-z][\w.-]{0,63}$/;

export const MIN_EXPIRY_MS = 5 * 60_000;
export const MAX_EXPIRY_MS = 30 * 86_400_000;
export const DEFAULT_EXPIRY_MS = 24 * 3_600_000;
export const MAX_APPROVALS = 10;

const M = {
  top: 'expected a mapping with roles, executionRoles, approvals, madeElsewhere, collisions, roleCheck and pipelines',
  roles: 'expected a mapping from role name to members, such as admins: { users: [U0123ABCD] }',
  roleName: 'expected a role name of letters, digits, "-" and "_", starting with a letter',
  role: 'expected members such as { users: [U0123ABCD], groups: [S0123ABCD] } or { everyone: true }',
  users: 'expected a list of Slack user ids, such as [U0123ABCD]',
  user: 'expected a Slack user id such as U0123ABCD (an id, not a name or @mention)',
  groups: 'expected a list of Slack user group ids, such as [S0123ABCD]',
  group: 'expected a Slack user group id such as S0123ABCD (an id, not a @handle)',
  everyone: 'expected true or false',
  executionRoles:
    'expected a mapping from alias to IAM role ARN, such as prod: arn:aws:iam::123456789012:role/Name',
  alias: 'expected an alias of letters, digits, ".", "-" and "_", starting with a letter',
  arn: 'expected an IAM role ARN such as arn:aws:iam::123456789012:role/PipelineScheduler',
  approvals: 'expected a mapping with channel and expiresAfter',
  channel: 'expected a Slack channel id such as C0123ABCD (an id, not a #name)',
  channels: 'expected a list of Slack channel ids, such as [C0123ABCD]',
  expiry: 'expected a duration from 5m to 30d, such as 30m, 24h or 7d',
  pipelines: 'expected a list of rules, each starting with - match: "<glob>"',
  rule: 'expected a rule with match and the roles allowed per action',
  match:
    'expected a glob on the pipeline name of letters, digits, "-", "*" and "?", such as "prod-*"',
  roleList: 'expected a list of role names, such as [admins]',
  roleRef: 'expected a role name',
  approval: 'expected { actions: [create, run], from: [approvers], count: 1 }',
  actions: 'expected a list of actions, such as [create, delete, run]',
  action: 'expected create, update, delete, pause or run (reading never needs approval)',
  count: `expected a whole number from 1 to ${MAX_APPROVALS}`,
  aliasList: 'expected a list of aliases from executionRoles, such as [prod]',
  aliasRef: 'expected an alias from executionRoles',
  madeElsewhere:
    'expected a mapping with approval and/or forbid, such as { approval: { actions: [delete], from: [admins] }, forbid: [] }',
  forbid: 'expected a list of actions, such as [delete]',
  collisions: 'expected warn or refuse',
  roleCheck: 'expected warn or refuse',
} as const;

const slackId = (pattern: RegExp, message: string) => z.string(message).regex(pattern, message);
const roleList = z.array(z.string(M.roleRef).min(1, M.roleRef), M.roleList);

const expiresAfter = z.string(M.expiry).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms < MIN_EXPIRY_MS || ms > MAX_EXPIRY_MS) {
    ctx.addIssue({ code: 'custom', message: M.expiry });
    return z.NEVER;
  }
  return ms;
});

const roleSchema = z.strictObject(
  {
    users: z.array(slackId(USER_ID, M.user), M.users).optional(),
    groups: z.array(slackId(GROUP_ID, M.group), M.groups).optional(),
    everyone: z.boolean(M.everyone).optional(),
  },
  M.role,
);

const approvalsSchema = z.strictObject(
  {
    channel: slackId(CHANNEL_ID, M.channel).optional(),
    expiresAfter: expiresAfter.optional(),
  },
  M.approvals,
);

const approvalSchema = z.strictObject(
  {
    actions: z.array(z.enum(APPROVABLE_ACTIONS, M.action), M.actions).min(1, M.actions),
    from: roleList.min(1, 'expected at least one role whose holders may approve'),
    count: z.int(M.count).min(1, M.count).max(MAX_APPROVALS, M.count).default(1),
    channel: slackId(CHANNEL_ID, M.channel).optional(),
    expiresAfter: expiresAfter.optional(),
  },
  M.approval,
);

const ruleSchema = z.strictObject(
  {
    match: z.string(M.match).regex(GLOB_PATTERN, M.match),
    channels: z
      .array(slackId(CHANNEL_ID, M.channel), M.channels)
      .min(1, 'expected at least one channel id (leave channels out to apply everywhere)')
      .optional(),
    create: roleList.optional(),
    update: roleList.optional(),
    delete: roleList.optional(),
    pause: roleList.optional(),
    run: roleList.optional(),
    read: roleList.optional(),
    approval: approvalSchema.optional(),
    executionRoles: z.array(z.string(M.aliasRef).min(1, M.aliasRef), M.aliasList).optional(),
    notify: z.array(slackId(CHANNEL_ID, M.channel), M.channels).optional(),
  },
  M.rule,
);

/** What the policy asks for actions on triggers the bot did not make (SDK, console, CFN). */
const madeElsewhereSchema = z.strictObject(
  {
    approval: approvalSchema.optional(),
    forbid: z.array(z.enum(APPROVABLE_ACTIONS, M.action), M.forbid).optional(),
  },
  M.madeElsewhere,
);

export const fileSchema = z.strictObject(
  {
    roles: z.record(z.string().regex(ROLE_NAME, M.roleName), roleSchema, M.roles),
    executionRoles: z
      .record(z.string().regex(ALIAS, M.alias), slackId(ROLE_ARN, M.arn), M.executionRoles)
      .optional(),
    approvals: approvalsSchema.optional(),
    madeElsewhere: madeElsewhereSchema.optional(),
    collisions: z.enum(['warn', 'refuse'], M.collisions).optional(),
    roleCheck: z.enum(['warn', 'refuse'], M.roleCheck).optional(),
    pipelines: z.array(ruleSchema, M.pipelines).min(1, 'expected at least one rule'),
  },
  M.top,
);

/** A policy file as the schema reads it, before it becomes a Policy. */
export type PolicyFile = z.output<typeof fileSchema>;

/** `30m`, `24h`, `7d` → milliseconds; undefined when it is not one of those forms. */
export function parseDuration(text: string): number | undefined {
  const found = /^\s*(\d{1,6})\s*([mhd])\s*$/.exec(text);
  if (!found) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[found[2] as 'm' | 'h' | 'd'];
  return Number(found[1]) * unit;
}

/** A zod issue as problems in the file, with "did you mean" for a misspelt key. */
export function toProblems(issue: z.core.$ZodIssue): Problem[] {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(path);
    return issue.keys.map((key) => {
      const guess = closest(key, allowed);
      return {
        path: [...path, key],
        atKey: true,
        got: null,
        message:
          `unknown key${guess ? ` (did you mean ${guess}?)` : ''}` +
          (allowed.length > 0 ? `; expected one of ${allowed.join(', ')}` : ''),
      };
    });
  }
  if (issue.code === 'invalid_key') {
    return [
      {
        path,
        atKey: true,
        got: path.at(-1),
        message: issue.issues[0]?.message ?? issue.message,
      },
    ];
  }
  return [{ path, message: issue.message }];
}

/** The keys a strict mapping at `path` accepts, for "unknown key" messages. */
function allowedKeysAt(path: PathKey[]): string[] {
  const [first, , third] = path;
  if (path.length === 0) return Object.keys(fileSchema.shape);
  if (first === 'roles' && path.length === 2) return Object.keys(roleSchema.shape);
  if (first === 'approvals' && path.length === 1) return Object.keys(approvalsSchema.shape);
  if (first === 'pipelines' && path.length === 2) return Object.keys(ruleSchema.shape);
  if (first === 'pipelines' && third === 'approval') return Object.keys(approvalSchema.shape);
  if (first === 'madeElsewhere' && path.length === 1) return Object.keys(madeElsewhereSchema.shape);
  if (first === 'madeElsewhere' && path[1] === 'approval') return Object.keys(approvalSchema.shape);
  return [];
}

/** The checks zod cannot do alone: references between sections, and impossible rules. */
export function crossCheck(file: PolicyFile): Problem[] {
  const problems: Problem[] = [];
  const roleNames = Object.keys(file.roles);
  const executionRoles = file.executionRoles ?? {};
  const aliases = Object.keys(executionRoles);

  for (const [name, role] of Object.entries(file.roles)) {
    if (role.everyone !== true && role.users === undefined && role.groups === undefined) {
      problems.push({
        path: ['roles', name],
        atKey: true,
        got: null,
        message: 'a role needs members: users, groups, or everyone: true',
      });
    }
  }

  // Aliases are matched case-insensitively in chat, so two that differ only in case are ambiguous.
  const seenAliases = new Map<string, string>();
  for (const alias of aliases) {
    const earlier = seenAliases.get(alias.toLowerCase());
    if (earlier !== undefined) {
      problems.push({
        path: ['executionRoles', alias],
        atKey: true,
        got: null,
        message: `alias "${alias}" differs from "${earlier}" only in case; aliases must be distinct`,
      });
    }
    seenAliases.set(alias.toLowerCase(), alias);
  }

  const roleRef = (path: PathKey[], name: string) => {
    if (Object.hasOwn(file.roles, name)) return;
    const guess = closest(name, roleNames);
    problems.push({
      path,
      got: null,
      message:
        `role "${name}" is not defined under roles` +
        (guess ? ` (did you mean ${guess}?)` : ` (defined: ${roleNames.join(', ') || 'none'})`),
    });
  };

  file.madeElsewhere?.approval?.from.forEach((name, j) => {
    roleRef(['madeElsewhere', 'approval', 'from', j], name);
  });

  file.pipelines.forEach((rule, i) => {
    for (const field of ACTIONS) {
      rule[field]?.forEach((name, j) => {
        roleRef(['pipelines', i, field, j], name);
      });
    }
    rule.approval?.from.forEach((name, j) => {
      roleRef(['pipelines', i, 'approval', 'from', j], name);
    });

    rule.executionRoles?.forEach((alias, j) => {
      if (Object.hasOwn(executionRoles, alias)) return;
      const message = ROLE_ARN.test(alias)
        ? 'list aliases here, not ARNs: name the ARN under executionRoles (prod: arn:…) and write [prod]'
        : `execution role alias "${alias}" is not defined under executionRoles (defined: ${aliases.join(', ') || 'none'})`;
      problems.push({ path: ['pipelines', i, 'executionRoles', j], got: null, message });
    });

    const approval = rule.approval;
    if (approval) {
      // Only knowable when every approving role is a plain list of users.
      const from = approval.from.map((name) =>
        Object.hasOwn(file.roles, name) ? file.roles[name] : undefined,
      );
      const usersOnly = from.every(
        (role) => role !== undefined && role.everyone !== true && (role.groups ?? []).length === 0,
      );
      const members = new Set(from.flatMap((role) => role?.users ?? []));
      if (usersOnly && members.size < approval.count) {
        problems.push({
          path: ['pipelines', i, 'approval', 'count'],
          got: null,
          message:
            `${approval.count} approvals needed, but ${approval.from.join(', ')} ` +
            `${members.size === 1 ? 'has only 1 member' : `have only ${members.size} members`}`,
        });
      }
    }

    const shadow = file.pipelines
      .slice(0, i)
      .findIndex(
        (earlier) =>
          earlier.channels === undefined &&
          (matchesEverything(earlier.match) ||
            earlier.match.toLowerCase() === rule.match.toLowerCase()),
      );
    if (shadow !== -1) {
      problems.push({
        path: ['pipelines', i, 'match'],
        got: null,
        message:
          `this rule never applies: rule ${shadow + 1} (match "${file.pipelines[shadow]?.match}") ` +
          'comes first and covers every pipeline this one does (first match wins)',
      });
    }
  });
  return problems;
}
