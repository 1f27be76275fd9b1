import type { Store } from '../store/store.js';
import {
  type ApprovalWorkflow,
  type ExecutionOutcome,
  ApprovalWorkflow as Workflow,
} from './approvals.js';
import {
  authorize,
  canApprove,
  type Decision,
  executionRoleChoices,
  findRule,
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
}

/** The payload an approval request keeps: enough to re-check and to run the change later. */
export interface RequestPayload {
  /** The command as a person would type it, for approvers to read. */
  text: string;
  /** The parsed command, run as is once approved. */
  command: unknown;
  access: AccessRequest;
}

/**
 * The access policy at work: decides each request (allow, needs approval, deny), resolves
 * execution-role aliases, and runs the approval workflow with the policy's own answers to "may
 * this person approve?" and "may the requester still ask for this?".
 */
export class AccessControl {
  readonly workflow: ApprovalWorkflow;

  constructor(
    private readonly deps: {
      policy: () => Policy;
      identities: IdentityPort;
      store: Store;
      now: () => Date;
      /** Runs an approved request; set by the command layer, which knows how to run commands. */
      execute: (payload: RequestPayload, requestId: string) => Promise<ExecutionOutcome>;
    },
  ) {
    this.workflow = new Workflow({
      store: deps.store,
      now: deps.now,
      canApprove: async (userId, roles) =>
        canApprove(deps.policy(), await deps.identities.identify(userId), roles),
      requesterStillAllowed: async (request) => {
        const payload = JSON.parse(request.payload) as RequestPayload;
        const decision = await this.decide(payload.access);
        return decision.outcome === 'deny'
          ? {
              ok: false,
              reason: `${request.requestedBy} may no longer do this: ${decision.reason}`,
            }
          : { ok: true };
      },
      execute: (request) => deps.execute(JSON.parse(request.payload) as RequestPayload, request.id),
    });
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
    for (const pipelineName of request.pipelineNames) {
      const decision = authorize(policy, who, request.action, {
        pipelineName,
        ...(request.channelId ? { channelId: request.channelId } : {}),
        ...(request.executionRole ? { executionRoleArn: request.executionRole } : {}),
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

  /** May this person see this pipeline's triggers and history? */
  async mayRead(userId: string, pipelineName: string, channelId?: string): Promise<Decision> {
    return authorize(this.deps.policy(), await this.deps.identities.identify(userId), 'read', {
      pipelineName,
      ...(channelId ? { channelId } : {}),
    });
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
