import { checkRoleArn } from '../scheduling/trigger-rules.js';
import { globMatches } from './glob.js';
import type { Identity } from './identity.js';
import type { Action, Policy, PolicyRule } from './policy.js';

export type { Identity } from './identity.js';

/** What the request is about. */
export interface Resource {
  pipelineName: string;
  /** Where the request came from; rules with `channels` never apply when it is unset. */
  channelId?: string;
  /**
   * The execution role the trigger would use, as an ARN (an alias is accepted too). Checked for
   * create and run only: delete, pause and read stay possible for triggers made under an
   * older policy, so they can still be cleaned up.
   */
  executionRoleArn?: string;
  /**
   * Set when the trigger was made outside the bot (the SageMaker SDK, the console,
   * CloudFormation), saying so ("default/x was made with …"): the policy's `madeElsewhere` adds
   * its approval or forbids the action. Never for create: what the bot creates is its own.
   */
  madeElsewhere?: string;
}

export type DenyCode =
  | 'NO_RULE'
  | 'ROLE_REQUIRED'
  | 'EXECUTION_ROLE_NOT_ALLOWED'
  | 'MADE_ELSEWHERE';

export type Decision =
  | {
      outcome: 'allow';
      /** Index of the deciding rule in `policy.pipelines` (messages show it from 1). */
      rule: number;
      /** ARNs the trigger may use under this rule. */
      allowedRoles: string[];
      /** The resource's execution role resolved to an ARN, when one was given. */
      executionRoleArn?: string;
      notify: string[];
    }
  | {
      outcome: 'approval';
      rule: number;
      count: number;
      /** Policy role names whose holders may approve. */
      from: string[];
      /** Unset: no approval channel is configured; post where the request was made. */
      approvalChannel?: string;
      expiresAfterMs: number;
      allowedRoles: string[];
      executionRoleArn?: string;
      notify: string[];
    }
  | { outcome: 'deny'; code: DenyCode; reason: string; rule?: number };

type Deny = Extract<Decision, { outcome: 'deny' }>;

/** How each action reads in "only admins may … prod-churn". */
const VERBS: Record<Action, string> = {
  create: 'schedule',
  update: 'change triggers of',
  delete: 'delete schedules or rules of',
  pause: 'pause or resume',
  run: 'run',
  read: 'see',
};

/** How each action reads in "forbids anyone to … triggers made outside the bot". */
const FOREIGN_VERBS: Record<Exclude<Action, 'read' | 'create'>, string> = {
  update: 'change',
  delete: 'delete',
  pause: 'pause or resume',
  run: 'run',
};

/**
 * Decides whether `who` may do `action` on `resource`. The first rule whose glob matches the
 * pipeline (and whose `channels`, when set, include the request's channel) decides; reasons are
 * sentences for the person in chat.
 */
export function authorize(
  policy: Policy,
  who: Identity,
  action: Action,
  resource: Resource,
): Decision {
  const name = resource.pipelineName;
  const rule = findRule(policy, resource);
  if (!rule) return noRule(policy, resource);

  const deny = (code: DenyCode, reason: string): Deny => ({
    outcome: 'deny',
    code,
    reason,
    rule: rule.index,
  });
  const label = ruleLabel(rule);
  const held = rolesOf(policy, who);
  const needed = action === 'read' ? rule.read : rule[action];
  if (needed === undefined) {
    // Reading is open to anyone the policy knows, unless the rule says `read:`.
    if (held.length === 0) {
      return deny(
        'ROLE_REQUIRED',
        `you hold no role in the access policy, so you may not see ${name}; ask an admin to add you`,
      );
    }
  } else if (!needed.some((role) => held.includes(role))) {
    if (needed.length === 0) {
      return deny('ROLE_REQUIRED', `nobody may ${VERBS[action]} ${name} ${label}`);
    }
    const noRole = held.length === 0 ? '; you hold no role in the access policy' : '';
    return deny(
      'ROLE_REQUIRED',
      `only ${joinOr(needed)} may ${VERBS[action]} ${name} ${label}${noRole}`,
    );
  }

  let executionRoleArn: string | undefined;
  if (
    (action === 'create' || action === 'update' || action === 'run') &&
    resource.executionRoleArn !== undefined
  ) {
    const role = checkExecutionRole(policy, rule, resource.executionRoleArn, name);
    if (!role.ok) return deny('EXECUTION_ROLE_NOT_ALLOWED', role.reason);
    executionRoleArn = role.arn;
  }

  const elsewhere =
    action !== 'read' && action !== 'create' && resource.madeElsewhere !== undefined
      ? policy.madeElsewhere
      : undefined;
  if (elsewhere && action !== 'read' && action !== 'create' && elsewhere.forbid.includes(action)) {
    return deny(
      'MADE_ELSEWHERE',
      `the access policy forbids anyone to ${FOREIGN_VERBS[action]} triggers made outside the bot, and ${resource.madeElsewhere}`,
    );
  }

  const common = {
    rule: rule.index,
    allowedRoles: allowedArns(policy, rule),
    ...(executionRoleArn !== undefined ? { executionRoleArn } : {}),
    notify: rule.notify,
  };
  // The stricter of the pipeline's approval and the one for triggers made elsewhere.
  const approval = [rule.approval, elsewhere?.approval]
    .filter(
      (a): a is NonNullable<typeof a> =>
        a !== undefined && action !== 'read' && a.actions.includes(action),
    )
    .sort((a, b) => b.count - a.count)[0];
  if (action !== 'read' && approval?.actions.includes(action)) {
    const approvalChannel = approval.channel ?? policy.approvals.channel;
    return {
      outcome: 'approval',
      ...common,
      count: approval.count,
      from: approval.from,
      ...(approvalChannel !== undefined ? { approvalChannel } : {}),
      expiresAfterMs: approval.expiresAfterMs,
    };
  }
  return { outcome: 'allow', ...common };
}

/** The policy role names `who` holds, in the order the policy lists them. */
export function rolesOf(policy: Policy, who: Identity): string[] {
  const groups = new Set(who.groupIds);
  const held: string[] = [];
  for (const role of policy.roles.values()) {
    if (role.everyone || role.users.includes(who.userId) || role.groups.some((g) => groups.has(g)))
      held.push(role.name);
  }
  return held;
}

/**
 * True when `who` holds one of the `from` roles. Whether the requester may approve their own
 * request is the approval flow's business (they may not), not the policy's.
 */
export function canApprove(policy: Policy, who: Identity, from: string[]): boolean {
  return rolesOf(policy, who).some((role) => from.includes(role));
}

/**
 * Turns a role given in chat (an alias, case-insensitive, or an ARN) into the ARN, when the rule
 * (an index into `policy.pipelines`, or the rule itself) allows it.
 */
export function resolveExecutionRole(
  policy: Policy,
  rule: number | PolicyRule,
  aliasOrArn: string,
): { ok: true; arn: string } | { ok: false; reason: string } {
  const found = typeof rule === 'number' ? policy.pipelines[rule] : rule;
  if (!found) return { ok: false, reason: `the access policy has no rule ${Number(rule) + 1}` };
  return checkExecutionRole(policy, found, aliasOrArn);
}

/** Alias → ARN of the execution roles a rule allows: what a modal or `role=` may offer. */
export function executionRoleChoices(policy: Policy, rule: PolicyRule): Record<string, string> {
  const choices: Record<string, string> = {};
  for (const alias of rule.executionRoles) {
    const arn = policy.executionRoles.get(alias);
    if (arn !== undefined) choices[alias] = arn;
  }
  return choices;
}

/** The rule that decides for this pipeline and channel, if any. */
export function findRule(policy: Policy, resource: Resource): PolicyRule | undefined {
  return policy.pipelines.find(
    (rule) =>
      globMatches(rule.match, resource.pipelineName) &&
      (rule.channels === undefined ||
        (resource.channelId !== undefined && rule.channels.includes(resource.channelId))),
  );
}

function noRule(policy: Policy, resource: Resource): Deny {
  const name = resource.pipelineName;
  // Rules for this pipeline exist but only for other channels: say where to ask instead.
  const channels = [
    ...new Set(
      policy.pipelines
        .filter((rule) => globMatches(rule.match, name))
        .flatMap((rule) => rule.channels ?? []),
    ),
  ];
  if (channels.length > 0) {
    return {
      outcome: 'deny',
      code: 'NO_RULE',
      reason: `no policy rule covers pipeline ${name} in this channel; ask in ${joinOr(channels.map((c) => `<#${c}>`))}`,
    };
  }
  return {
    outcome: 'deny',
    code: 'NO_RULE',
    reason: `no policy rule covers pipeline ${name}; ask an admin to add one to the access policy`,
  };
}

function checkExecutionRole(
  policy: Policy,
  rule: PolicyRule,
  aliasOrArn: string,
  pipelineName?: string,
): { ok: true; arn: string } | { ok: false; reason: string } {
  const wanted = aliasOrArn.trim();
  for (const [alias, arn] of Object.entries(executionRoleChoices(policy, rule))) {
    if (arn === wanted || alias.toLowerCase() === wanted.toLowerCase()) return { ok: true, arn };
  }
  // A mistyped ARN gets the same sentence in every front end, before "not allowed".
  if (wanted.startsWith('arn:')) {
    const wrong = checkRoleArn(wanted);
    if (wrong) return { ok: false, reason: wrong.message };
  }
  const target = pipelineName !== undefined ? `for ${pipelineName}` : 'here';
  if (rule.executionRoles.length === 0) {
    return {
      ok: false,
      reason: `no execution role is allowed ${target} ${ruleLabel(rule)}; ask an admin`,
    };
  }
  return {
    ok: false,
    reason:
      `execution role ${wanted || '(empty)'} is not allowed ${target} ${ruleLabel(rule)}; ` +
      `use ${joinOr(rule.executionRoles)}`,
  };
}

function allowedArns(policy: Policy, rule: PolicyRule): string[] {
  return Object.values(executionRoleChoices(policy, rule));
}

function ruleLabel(rule: PolicyRule): string {
  return `(rule ${rule.index + 1}: ${rule.match})`;
}

/** `a`, `a or b`, `a, b or c`. */
function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
