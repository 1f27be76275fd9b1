import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { matchesEverything } from './glob.js';
import { formatProblem, lineAt } from './policy-errors.js';
import {
  type ACTIONS,
  APPROVABLE_ACTIONS,
  crossCheck,
  DEFAULT_EXPIRY_MS,
  fileSchema,
  type PolicyFile,
  toProblems,
} from './policy-schema.js';

/**
 * The access policy (`POLICY_FILE`): who holds which role, which IAM execution roles triggers
 * may use, and per-pipeline rules saying which roles may do what and what needs approval.
 * Parsing is strict (unknown keys are errors) because a misspelt `aproval:` would otherwise
 * silently drop an approval requirement.
 */

/** `pause` covers resume; `read` covers list, describe, history and next. */
export type Action = (typeof ACTIONS)[number];
export type ApprovableAction = (typeof APPROVABLE_ACTIONS)[number];

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
  /** Who may change a trigger in place; the roles of `create` when the file names none. */
  update: string[];
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
  /**
   * For triggers the bot did not make (the SageMaker SDK's, the console's, CloudFormation's):
   * an approval they need on top of the pipeline's rule, and actions nobody may take on them.
   */
  madeElsewhere: { approval?: PolicyApproval; forbid: ApprovableAction[] };
  /** `refuse`: a create beside a trigger that already starts the pipeline is refused. */
  collisions: 'warn' | 'refuse';
  /** `refuse`: a trigger whose execution role fails the role check is refused. */
  roleCheck: 'warn' | 'refuse';
  /** First match wins. */
  pipelines: PolicyRule[];
}

export type ParsePolicyResult = { ok: true; policy: Policy } | { ok: false; errors: string[] };

/** What the app says at start when `isPermissive(policy)`: the shipped local default. */
export const PERMISSIVE_POLICY_NOTE =
  'the access policy is permissive: everyone may create, update, delete, pause and run triggers for ' +
  'every pipeline, with no approvals (the local default policy.yml); point POLICY_FILE at a ' +
  'real policy before sharing this bot (see docs/policy.production.yml)';

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

/** The actions, once each, with `update` where `implied` is among them. */
function withUpdate(actions: ApprovableAction[], implied: ApprovableAction): ApprovableAction[] {
  const set = new Set(actions);
  if (set.has(implied)) set.add('update');
  return [...set];
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
  // An update can turn a trigger into any other, so it is asked for as the action it can stand
  // in for: a create on a pipeline's rule, a delete on a trigger made elsewhere.
  const approvalOf = (
    approval: NonNullable<PolicyFile['madeElsewhere']>['approval'],
    impliesUpdate: ApprovableAction,
  ) =>
    approval
      ? {
          approval: {
            actions: withUpdate(approval.actions, impliesUpdate),
            from: approval.from,
            count: approval.count,
            ...(approval.channel ? { channel: approval.channel } : {}),
            expiresAfterMs: approval.expiresAfter ?? defaultExpiry,
          },
        }
      : {};
  const pipelines = file.pipelines.map((rule, index): PolicyRule => {
    return {
      index,
      match: rule.match,
      ...(rule.channels ? { channels: rule.channels } : {}),
      create: rule.create ?? [],
      update: rule.update ?? rule.create ?? [],
      delete: rule.delete ?? [],
      pause: rule.pause ?? [],
      run: rule.run ?? [],
      ...(rule.read ? { read: rule.read } : {}),
      ...approvalOf(rule.approval, 'create'),
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
    madeElsewhere: {
      ...approvalOf(file.madeElsewhere?.approval, 'delete'),
      forbid: withUpdate(file.madeElsewhere?.forbid ?? [], 'delete'),
    },
    collisions: file.collisions ?? 'warn',
    roleCheck: file.roleCheck ?? 'warn',
    pipelines,
  };
}
