import type { AccessControl, AccessRequest, RequestPayload } from './access.js';
import type { ApprovalRequest } from './approval-store.js';
import type { AuditLog } from './audit.js';

/**
 * The policy gate every change passes, whichever front end it came from: decide → audit a
 * denial → run now with the roles the rule allows, or store a request for approvers. Running
 * an approved request exactly once is the approval workflow's part.
 */
export interface GateInput {
  access: AccessControl;
  auditLog?: AuditLog;
  now: () => Date;
  /** The change in the policy's terms. */
  request: AccessRequest;
  /** What the audit log calls it (the command: pause, resume, orphans, …). */
  name: string;
  triggerName?: string;
  requestId?: string;
  /** Set when running a request that was approved: it is not sent for approval again. */
  approved?: boolean;
  /** The caller's role context, widened by what the deciding rule allows. */
  roleAliases: Record<string, string>;
  defaultRole?: string;
}

/** The execution roles a change may use once the gate let it through. */
export interface AllowedRoles {
  allowedRoles: string[];
  roleAliases: Record<string, string>;
  defaultRole?: string;
}

export type GateDecision =
  | { kind: 'denied'; reason: string }
  | {
      kind: 'allowed';
      roles: AllowedRoles;
      /** Records what running it did (not for approved requests: the workflow audits those). */
      recordOutcome(outcome: OutcomeEntry): Promise<void>;
    }
  | {
      kind: 'needs-approval';
      roles: AllowedRoles;
      /** Stores the request for approvers, with what they will read and what will run. */
      submit(
        content: Omit<RequestPayload, 'access'>,
      ): Promise<{ request: ApprovalRequest; approvalChannel?: string }>;
    };

export type OutcomeEntry =
  | { ok: true; summary: string; pipelineNames: string[] }
  | { ok: false; reason: string; pipelineNames: string[] };

export async function passGate(input: GateInput): Promise<GateDecision> {
  const { access, request } = input;
  const audit = (event: string, pipelineNames: string[], details: unknown) =>
    input.auditLog?.append({
      at: input.now(),
      actor: request.userId,
      event,
      action: input.name,
      pipelineNames,
      ...(input.triggerName ? { triggerName: input.triggerName } : {}),
      ...(input.requestId ? { requestId: input.requestId } : {}),
      // An action on a trigger made elsewhere says whose trigger it was.
      details: JSON.stringify(
        request.madeElsewhere
          ? { ...(details as object), madeElsewhere: request.madeElsewhere }
          : details,
      ),
    });
  const decision = await access.decide(request);
  if (decision.outcome === 'deny') {
    await audit('denied', request.pipelineNames, { reason: decision.reason });
    return { kind: 'denied', reason: decision.reason };
  }
  // The rule's roles, by alias: role=dev works, and a rule with one role needs no role= at all.
  const choices = access.roleChoices(request.pipelineNames[0] ?? '', request.channelId);
  const onlyRole = Object.values(choices).length === 1 ? Object.values(choices)[0] : undefined;
  const defaultRole = decision.executionRoleArn ?? onlyRole ?? input.defaultRole;
  const roles: AllowedRoles = {
    allowedRoles: input.defaultRole
      ? [...decision.allowedRoles, input.defaultRole]
      : decision.allowedRoles,
    roleAliases: { ...input.roleAliases, ...choices },
    ...(defaultRole ? { defaultRole } : {}),
  };
  if (decision.outcome === 'allow' || input.approved)
    return {
      kind: 'allowed',
      roles,
      async recordOutcome(outcome) {
        if (input.approved) return;
        await audit(
          outcome.ok ? 'executed' : 'failed',
          outcome.pipelineNames.length ? outcome.pipelineNames : request.pipelineNames,
          outcome.ok ? { summary: outcome.summary } : { reason: outcome.reason },
        );
      },
    };
  return {
    kind: 'needs-approval',
    roles,
    async submit(content) {
      const payload: RequestPayload = { ...content, access: request };
      const submitted = await access.workflow.submit({
        payload: JSON.stringify(payload),
        action: input.name,
        pipelineNames: request.pipelineNames,
        ...(input.triggerName ? { triggerName: input.triggerName } : {}),
        requestedBy: request.userId,
        ...(request.channelId ? { channelId: request.channelId } : {}),
        requiredApprovals: decision.count,
        approverRoles: decision.from,
        expiresAfterMs: decision.expiresAfterMs,
      });
      return {
        request: submitted,
        ...(decision.approvalChannel ? { approvalChannel: decision.approvalChannel } : {}),
      };
    },
  };
}
