import {
  GetRoleCommand,
  type IAMClient,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  type RoleCheck,
  type RoleCheckRequest,
  type RolesPort,
  readPolicyDocument,
  trustProblem,
} from '../role-check.js';

const START = 'sagemaker:StartPipelineExecution';
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/**
 * The role check on IAM: GetRole for the trust policy (IAM returns it URL-encoded), then
 * SimulatePrincipalPolicy for sagemaker:StartPipelineExecution on the pipeline, the role's own
 * policies evaluated as IAM would. Neither call changes anything. Without iam:GetRole or
 * iam:SimulatePrincipalPolicy the check is skipped, and `onUnreadable` hears of it (the runtime
 * logs it once); any other AWS failure skips it too, since a check must never block the work.
 */
export class AwsRoles implements RolesPort {
  constructor(
    private readonly client: IAMClient,
    private readonly onUnreadable: (reason: string) => void = () => {},
  ) {}

  async check(request: RoleCheckRequest): Promise<RoleCheck> {
    const roleName = request.roleArn.split('/').at(-1) ?? request.roleArn;
    const problems: string[] = [];
    try {
      const role = await this.client.send(new GetRoleCommand({ RoleName: roleName }));
      const trust = trustProblem(readPolicyDocument(role.Role?.AssumeRolePolicyDocument), request);
      if (trust) problems.push(trust);
    } catch (error) {
      const name = errorName(error);
      if (name === 'NoSuchEntity' || name === 'NoSuchEntityException')
        return { status: 'failed', problems: ['it does not exist in this account'] };
      return this.unchecked(error, 'iam:GetRole');
    }
    try {
      const simulated = await this.client.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: request.roleArn,
          ActionNames: [START],
          ResourceArns: [request.pipelineArn],
        }),
      );
      const result = simulated.EvaluationResults?.[0];
      const decision = result?.EvalDecision;
      if (decision === 'explicitDeny')
        problems.push(`a policy of the role explicitly denies ${START} on this pipeline`);
      else if (decision === 'implicitDeny') {
        const missing = result?.MissingContextValues?.length
          ? ` (IAM could not evaluate ${result.MissingContextValues.join(', ')} in advance)`
          : '';
        problems.push(`no policy of the role allows ${START} on this pipeline${missing}`);
      }
    } catch (error) {
      if (problems.length > 0) return { status: 'failed', problems };
      return this.unchecked(error, 'iam:SimulatePrincipalPolicy');
    }
    return problems.length ? { status: 'failed', problems } : { status: 'passed' };
  }

  private unchecked(error: unknown, action: string): RoleCheck {
    const name = errorName(error);
    if (ACCESS_DENIED.has(name)) {
      const reason = `the bot may not call ${action}, so execution roles are not checked (grant iam:GetRole and iam:SimulatePrincipalPolicy on them)`;
      this.onUnreadable(reason);
      return { status: 'unchecked', reason };
    }
    return {
      status: 'unchecked',
      reason: `IAM did not answer ${action} (${name}), so the role was not checked`,
    };
  }
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error && 'name' in error ? String(error.name) : 'Error';
}
