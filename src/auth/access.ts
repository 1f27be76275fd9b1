import { z } from 'zod';
import type { ApprovalMetrics } from './approval-metrics.js';
import type { AccessStorage, ApprovalRequest } from './approval-store.js';
import {
  type ApprovalWorkflow,
  type ExecutionOutcome,
  type RuleNow,
  ApprovalWorkflow as Workflow,
} from './approvals.js';
import {
  authorize,
  canApprove,
  type Decision,
  executionRoleChoices,
  findRule,
  rolesOf,
} from './authorize.js';
import type { IdentityPort } from './identity.js';
import type { Action, Policy } from './policy.js';

/** What a change asks for, in the policy's terms. */
export interface AccessRequest {
  userId: string;
  action: Exclude<Action, 'read'>;
  pipelineNames: string[];
  channelId?: string;
  /** Alias or ARN; resolved against the deciding rule. */
  executionRole?: string;
  /**
   * Who made the trigger, in words, when it was not the bot ("made with the SageMaker Python
   * SDK"): the policy's `madeElsewhere` applies.
   */
  madeElsewhere?: string;
  /** Further actions the same request takes (adopt creates, then deletes the original). */
  alsoActions?: Array<Exclude<Action, 'read'>>;
}

/** What one person may read; see AccessControl.reader. */
export type ReadFilter =
  | { ok: false; reason: string }
  | {
      ok: true;
      /** True when every one of these pipelines may be read. */
      mayRead(pipelineNames: readonly string[]): boolean;
      /** Why one of these pipelines may not be read, or undefined when all may. */
      denial(pipelineNames: readonly string[]): string | undefined;
    };

/** The payload an approval request keeps: enough to re-check and to run the change later. */
export interface RequestPayload {
  /** The command as a person would type it, for approvers to read. */
  text: string;
  /** The parsed command, run as is once approved. */
  command: unknown;
  access: AccessRequest;
  /**
   * An update: each field before → after, as the check before the request was stored found it.
   * What the approvers decide on, so it stays beside their decision.
   */
  changes?: Array<{ field: string; before?: string; after?: string }>;
}

/**
 * The access policy at work: decides each request (allow, needs approval, deny), resolves
 * execution-role aliases, and runs the approval workflow with the policy's own answers to "may
 * this person approve?" and "what does the rule in force now ask of this request?".
 */
export class AccessControl {
  readonly workflow: ApprovalWorkflow;

  constructor(
    private readonly deps: {
      policy: () => Policy;
      identities: IdentityPort;
      store: AccessStorage;
      now: () => Date;
      /** Where approval workflow events are counted; nowhere when unset. */
      metrics?: ApprovalMetrics;
      /** Runs an approved request; set by the command layer, which knows how to run commands. */
      execute: (payload: RequestPayload, requestId: string) => Promise<ExecutionOutcome>;
    },
  ) {
    this.workflow = new Workflow({
      store: deps.store,
      now: deps.now,
      canApprove: async (userId, roles) =>
        canApprove(deps.policy(), await deps.identities.identify(userId), roles),
      ruleNow: (request) => this.ruleNow(request),
      execute: (request, attempt) => this.runApproved(request, attempt.token),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    });
  }

  /**
   * The approval rule the current policy gives a stored request: decided again for its
   * requester and change, so a policy changed since (roles, count, a lost role) is what counts.
   */
  async ruleNow(request: ApprovalRequest): Promise<RuleNow> {
    const payload = readPayload(request.payload);
    if (!payload)
      return { outcome: 'deny', reason: `request ${request.id} holds no change this bot can read` };
    const decision = await this.decide(payload.access);
    if (decision.outcome === 'deny')
      return {
        outcome: 'deny',
        reason: `${request.requestedBy} may no longer do this: ${decision.reason}`,
      };
    if (decision.outcome === 'allow') return { outcome: 'allow' };
    const impossible = unreachable(
      this.deps.policy(),
      decision.from,
      decision.count,
      request.requestedBy,
    );
    return {
      outcome: 'approval',
      from: decision.from,
      count: decision.count,
      ...(impossible ? { impossible } : {}),
    };
  }

  /**
   * Runs an approved request under its token. A create that an earlier attempt (before a
   * crash) already made answers "already exists" when run again; the trigger record carrying
   * this token says it was this request that made it, so that is this request's success.
   */
  private async runApproved(request: ApprovalRequest, token: string): Promise<ExecutionOutcome> {
    const payload = readPayload(request.payload);
    if (!payload) return { ok: false, summary: `request ${request.id} holds no runnable change` };
    const outcome = await this.deps.execute(payload, token);
    const name = (payload.command as { name?: unknown } | null)?.name;
    if (outcome.ok || (name !== 'create' && name !== 'on-event')) return outcome;
    const made = await this.deps.store.triggerRecords.forRequest(token);
    if (made.length === 0) return outcome;
    return {
      ok: true,
      summary: made
        .map(
          (r) =>
            `created ${r.kind === 'schedule' ? 'schedule' : 'rule'} ${r.key.split('/').at(-1)}`,
        )
        .join(', '),
      details: { triggers: made.map((r) => ({ kind: r.kind, key: r.key })), earlier: outcome },
    };
  }

  get policy(): Policy {
    return this.deps.policy();
  }

  /**
   * The decision for a change touching one or more pipelines: any deny denies; otherwise the
   * strictest approval any pipeline's rule asks for; the execution roles allowed by every rule.
   */
  async decide(request: AccessRequest): Promise<Decision> {
    const policy = this.deps.policy();
    const who = await this.deps.identities.identify(request.userId);
    let result: Exclude<Decision, { outcome: 'deny' }> | undefined;
    const actions = [request.action, ...(request.alsoActions ?? [])];
    for (const [action, pipelineName] of actions.flatMap((a) =>
      request.pipelineNames.map((p) => [a, p] as const),
    )) {
      const decision = authorize(policy, who, action, {
        pipelineName,
        ...(request.channelId ? { channelId: request.channelId } : {}),
        ...(request.executionRole ? { executionRoleArn: request.executionRole } : {}),
        ...(request.madeElsewhere ? { madeElsewhere: request.madeElsewhere } : {}),
      });
      if (decision.outcome === 'deny') return decision;
      if (!result) {
        result = decision;
        continue;
      }
      const allowedRoles = result.allowedRoles.filter((arn) => decision.allowedRoles.includes(arn));
      if (
        decision.outcome === 'approval' &&
        (result.outcome !== 'approval' || decision.count > result.count)
      ) {
        result = { ...decision, allowedRoles };
      } else {
        result = { ...result, allowedRoles };
      }
    }
    return result ?? { outcome: 'deny', code: 'NO_RULE', reason: 'the request names no pipeline' };
  }

  /** Does this person hold one of these roles (for "approvals waiting for me")? */
  async canApprove(userId: string, roles: string[]): Promise<boolean> {
    return canApprove(this.deps.policy(), await this.deps.identities.identify(userId), roles);
  }

  /**
   * What this person may see, decided once per command: every output that names a pipeline
   * (lists, audit, approvals, search, Home, history) passes through it. Someone who holds no
   * role sees nothing, and is told why instead of getting an empty list.
   */
  async reader(userId: string, channelId?: string): Promise<ReadFilter> {
    const policy = this.deps.policy();
    const who = await this.deps.identities.identify(userId);
    if (rolesOf(policy, who).length === 0)
      return {
        ok: false,
        reason:
          'you hold no role in the access policy, so you may not see its pipelines or triggers; ask an admin to add you to a role',
      };
    // A pipeline no rule covers is governed by nobody: like an unrestricted one, any role
    // holder may see it (its denials in the audit log included); only `read:` narrows reading.
    const decide = (pipelineName: string) => {
      const decision = authorize(policy, who, 'read', {
        pipelineName,
        ...(channelId ? { channelId } : {}),
      });
      return decision.outcome === 'deny' && decision.code === 'NO_RULE'
        ? { outcome: 'allow' as const }
        : decision;
    };
    return {
      ok: true,
      mayRead: (names) => names.every((name) => decide(name).outcome !== 'deny'),
      denial: (names) => {
        for (const name of names) {
          const decision = decide(name);
          if (decision.outcome === 'deny') return decision.reason;
        }
        return undefined;
      },
    };
  }

  /**
   * The execution roles a person may pick for a pipeline, alias → ARN (what the modal offers
   * and `role=` accepts).
   */
  roleChoices(pipelineName: string, channelId?: string): Record<string, string> {
    const policy = this.deps.policy();
    const rule = findRule(policy, { pipelineName, ...(channelId ? { channelId } : {}) });
    return rule ? executionRoleChoices(policy, rule) : {};
  }
}

const requestPayload = z.object({
  text: z.string(),
  command: z.unknown(),
  access: z
    .object({
      userId: z.string(),
      action: z.enum(['create', 'update', 'delete', 'pause', 'run']),
      pipelineNames: z.array(z.string()),
      channelId: z.string().optional(),
      executionRole: z.string().optional(),
    })
    .loose(),
  changes: z
    .array(
      z.object({ field: z.string(), before: z.string().optional(), after: z.string().optional() }),
    )
    .optional(),
});

/** A stored request's payload, checked; undefined when it is not one the gate wrote. */
export function readPayload(text: string): RequestPayload | undefined {
  try {
    const parsed = requestPayload.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as RequestPayload) : undefined;
  } catch {
    return undefined;
  }
}

/** The command a request holds, as the person typed it (the raw payload if it is not ours). */
export function requestText(payload: string): string {
  return readPayload(payload)?.text ?? payload;
}

/**
 * Why `count` approvals from `from` can never be given, when that is certain: the roles'
 * members, other than the requester, are fewer than `count`. A role open to everyone or to a
 * user group may have any number of members, so it is never called impossible.
 */
function unreachable(
  policy: Policy,
  from: string[],
  count: number,
  requester: string,
): string | undefined {
  const people = new Set<string>();
  for (const name of from) {
    const role = policy.roles.get(name);
    if (!role) continue;
    if (role.everyone || role.groups.length > 0) return undefined;
    for (const user of role.users) if (user !== requester) people.add(user);
  }
  if (people.size >= count) return undefined;
  const needed = count === 1 ? 'an approval' : `${count} approvals`;
  const holders =
    people.size === 0
      ? 'nobody but the requester holds'
      : `only ${people.size} ${people.size === 1 ? 'person' : 'people'} besides the requester ${people.size === 1 ? 'holds' : 'hold'}`;
  return `the approval rule now needs ${needed} from ${from.join(' or ') || 'no role'}, and ${holders} ${from.length === 1 ? 'that role' : 'those roles'}`;
}
