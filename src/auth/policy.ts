import { readFileSync } from 'node:fs';
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ROLE_ARN } from '../scheduling/triggers.js';
import { GLOB_PATTERN, matchesEverything } from './glob.js';

/**
 * The access policy (`POLICY_FILE`): who holds which role, which IAM execution roles triggers
 * may use, and per-pipeline rules saying which roles may do what and what needs approval.
 * Parsing is strict (unknown keys are errors) because a misspelt `aproval:` would otherwise
 * silently drop an approval requirement.
 */

export const ACTIONS = ['create', 'delete', 'pause', 'run', 'read'] as const;
/** `pause` covers resume; `read` covers list, describe, history and next. */
export type Action = (typeof ACTIONS)[number];
export const APPROVABLE_ACTIONS = ['create', 'delete', 'pause', 'run'] as const;
export type ApprovableAction = (typeof APPROVABLE_ACTIONS)[number];

export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
export const GROUP_ID = /^S[A-Z0-9]{2,}$/;
export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const ROLE_NAME = /^[A-Za-z][\w-]{0,63}$/;
const ALIAS = /^[A-Za-z][\w.-]{0,63}$/;

export const MIN_EXPIRY_MS = 5 * 60_000;
export const MAX_EXPIRY_MS = 30 * 86_400_000;
export const DEFAULT_EXPIRY_MS = 24 * 3_600_000;
export const MAX_APPROVALS = 10;

/** Members of a policy role: Slack ids, never names (names change, ids do not). */
export interface PolicyRole {
  name: string;
  users: string[];
  /** Slack user group ids (S…); membership is resolved elsewhere and passed in the Identity. */
  groups: string[];
  /** Anyone who can reach the bot, guests included. */
  everyone: boolean;
}

export interface PolicyApproval {
  actions: ApprovableAction[];
  /** Policy role names; a holder of any of them may approve (the requester never counts). */
  from: string[];
  count: number;
  /** Overrides `approvals.channel` for this rule. */
  channel?: string;
  expiresAfterMs: number;
}

export interface PolicyRule {
  /** Position in `pipelines`, from 0; messages show it from 1. */
  index: number;
  /** Glob on the pipeline name (`*`, `?`), case-insensitive. */
  match: string;
  /** When set, the rule applies only to requests from these channels. */
  channels?: string[];
  create: string[];
  delete: string[];
  pause: string[];
  run: string[];
  /** When unset, anyone holding any policy role may read. */
  read?: string[];
  approval?: PolicyApproval;
  /** Aliases into `Policy.executionRoles`. */
  executionRoles: string[];
  notify: string[];
}

export interface Policy {
  /** The file it came from, for messages. */
  source: string;
  roles: ReadonlyMap<string, PolicyRole>;
  /** Alias → IAM role ARN. */
  executionRoles: ReadonlyMap<string, string>;
  approvals: { channel?: string; expiresAfterMs: number };
  /** First match wins. */
  pipelines: PolicyRule[];
}

export type ParsePolicyResult = { ok: true; policy: Policy } | { ok: false; errors: string[] };

/** What the app says at start when `isPermissive(policy)`: the shipped local default. */
export const PERMISSIVE_POLICY_NOTE =
  'the access policy is permissive: everyone may create, delete, pause and run triggers for ' +
  'every pipeline, with no approvals (the local default policy.yml); point POLICY_FILE at a ' +
  'real policy before sharing this bot (see docs/policy.production.yml)';

const M = {
  top: 'expected a mapping with roles, executionRoles, approvals and pipelines',
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
  action: 'expected create, delete, pause or run (reading never needs approval)',
  count: `expected a whole number from 1 to ${MAX_APPROVALS}`,
  aliasList: 'expected a list of aliases from executionRoles, such as [prod]',
  aliasRef: 'expected an alias from executionRoles',
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

const fileSchema = z.strictObject(
  {
    roles: z.record(z.string().regex(ROLE_NAME, M.roleName), roleSchema, M.roles),
    executionRoles: z
      .record(z.string().regex(ALIAS, M.alias), slackId(ROLE_ARN, M.arn), M.executionRoles)
      .optional(),
    approvals: approvalsSchema.optional(),
    pipelines: z.array(ruleSchema, M.pipelines).min(1, 'expected at least one rule'),
  },
  M.top,
);

type PolicyFile = z.output<typeof fileSchema>;
type PathKey = PropertyKey;

/** A mistake found in the file: where (a key path) and what. */
interface Problem {
  path: PathKey[];
  message: string;
  /** Point at the key itself (unknown or misnamed keys), not its value. */
  atKey?: boolean;
  /** What to show as "got": by default the value at `path`; null shows nothing. */
  got?: unknown;
}

/**
 * Parses and checks a policy. Every error names the line and the key path, e.g.
 * `policy.yml:14 pipelines[0].approval.count: expected a whole number from 1 to 10 (got "two")`.
 */
export function parsePolicy(text: string, source = 'policy.yml'): ParsePolicyResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOfOffset = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map(
        (error) => `${source}:${lineOfOffset(error.pos[0])} YAML syntax: ${error.message}`,
      ),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // Only alias abuse gets here (a "billion laughs" file exceeds maxAliasCount).
    return { ok: false, errors: [`${source}: YAML: ${(error as Error).message}`] };
  }
  const parsed = fileSchema.safeParse(data);
  const problems = parsed.success
    ? crossCheck(parsed.data)
    : parsed.error.issues.flatMap(toProblems);
  if (problems.length > 0 || !parsed.success) {
    const located = problems.map((problem) => ({
      line: lineAt(doc, problem.path, problem.atKey === true, lineOfOffset),
      problem,
    }));
    // Stable sort: problems on the same line keep the order the checks found them in.
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return {
      ok: false,
      errors: located.map(({ line, problem }) => formatProblem(source, line, problem, data)),
    };
  }
  return { ok: true, policy: toPolicy(parsed.data, source) };
}

/** Reads and parses `POLICY_FILE`; throws an Error listing every problem, one per line. */
export function loadPolicy(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`POLICY_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  const result = parsePolicy(text, path);
  if (!result.ok) {
    throw new Error(
      `Invalid access policy ${path}:\n${result.errors.map((e) => `  - ${e}`).join('\n')}`,
    );
  }
  return result.policy;
}

/**
 * True when the policy restricts nobody: a catch-all rule exists and every rule lets everyone
 * create, delete, pause, run and read without approval. The app logs PERMISSIVE_POLICY_NOTE then.
 */
export function isPermissive(policy: Policy): boolean {
  const forEveryone = (names: string[]) =>
    names.some((name) => policy.roles.get(name)?.everyone === true);
  const catchAll = policy.pipelines.some(
    (rule) => matchesEverything(rule.match) && rule.channels === undefined,
  );
  return (
    catchAll &&
    policy.pipelines.every(
      (rule) =>
        APPROVABLE_ACTIONS.every(
          (action) => forEveryone(rule[action]) && !rule.approval?.actions.includes(action),
        ) &&
        (rule.read === undefined || forEveryone(rule.read)),
    )
  );
}

/** `30m`, `24h`, `7d` → milliseconds; undefined when it is not one of those forms. */
export function parseDuration(text: string): number | undefined {
  const found = /^\s*(\d{1,6})\s*([mhd])\s*$/.exec(text);
  if (!found) return undefined;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[found[2] as 'm' | 'h' | 'd'];
  return Number(found[1]) * unit;
}

function toProblems(issue: z.core.$ZodIssue): Problem[] {
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
  return [];
}

/** The checks zod cannot do alone: references between sections, and impossible rules. */
function crossCheck(file: PolicyFile): Problem[] {
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

function toPolicy(file: PolicyFile, source: string): Policy {
  const defaultExpiry = file.approvals?.expiresAfter ?? DEFAULT_EXPIRY_MS;
  const roles = new Map<string, PolicyRole>(
    Object.entries(file.roles).map(([name, role]) => [
      name,
      {
        name,
        users: role.users ?? [],
        groups: role.groups ?? [],
        everyone: role.everyone === true,
      },
    ]),
  );
  const pipelines = file.pipelines.map((rule, index): PolicyRule => {
    const approval = rule.approval;
    return {
      index,
      match: rule.match,
      ...(rule.channels ? { channels: rule.channels } : {}),
      create: rule.create ?? [],
      delete: rule.delete ?? [],
      pause: rule.pause ?? [],
      run: rule.run ?? [],
      ...(rule.read ? { read: rule.read } : {}),
      ...(approval
        ? {
            approval: {
              actions: [...new Set(approval.actions)],
              from: approval.from,
              count: approval.count,
              ...(approval.channel ? { channel: approval.channel } : {}),
              expiresAfterMs: approval.expiresAfter ?? defaultExpiry,
            },
          }
        : {}),
      executionRoles: rule.executionRoles ?? [],
      notify: rule.notify ?? [],
    };
  });
  return {
    source,
    roles,
    executionRoles: new Map(Object.entries(file.executionRoles ?? {})),
    approvals: {
      ...(file.approvals?.channel ? { channel: file.approvals.channel } : {}),
      expiresAfterMs: defaultExpiry,
    },
    pipelines,
  };
}

/** The line of the deepest part of `path` the document has; for a mapping entry, its key's line. */
function lineAt(
  doc: Document,
  path: PathKey[],
  atKey: boolean,
  lineOfOffset: (offset: number) => number,
): number | undefined {
  const lineOf = (node: unknown) =>
    isNode(node) && node.range ? lineOfOffset(node.range[0]) : undefined;
  for (let n = path.length; n >= 0; n--) {
    if (n === 0) return lineOf(doc.contents);
    const parent: unknown = doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find(
        (item) => String(isScalar(item.key) ? item.key.value : item.key) === String(last),
      );
      // A value that is a block mapping starts on the line after its key; point at the key.
      const line = pair ? (lineOf(pair.key) ?? lineOf(pair.value)) : undefined;
      if (line !== undefined) return line;
    } else if (isSeq(parent) && typeof last === 'number' && !atKey) {
      const line = lineOf(parent.items[last]);
      if (line !== undefined) return line;
    }
  }
  return undefined;
}

function formatProblem(
  source: string,
  line: number | undefined,
  problem: Problem,
  data: unknown,
): string {
  const where = `${source}${line !== undefined ? `:${line}` : ''}`;
  const path = formatPath(problem.path);
  const value = problem.got !== undefined ? problem.got : valueAt(data, problem.path);
  let message = problem.message;
  if (message.startsWith('expected')) {
    if (value === undefined && problem.path.length > 0) message = `missing, ${message}`;
    else message += ` (got ${describe(value)})`;
  } else if (problem.got !== undefined && problem.got !== null) {
    message += ` (got ${describe(problem.got)})`;
  }
  return path ? `${where} ${path}: ${message}` : `${where}: ${message}`;
}

/** `pipelines[0].approval.count`, the way people read the YAML. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(key))) out += `${out ? '.' : ''}${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(data: unknown, path: PathKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  return String(value);
}

/** The candidate within two edits of `word`, for "did you mean" hints. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
