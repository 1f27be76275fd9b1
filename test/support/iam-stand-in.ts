import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * The two IAM reads of the role check, on loopback, for the real `IAMClient`: GetRole and
 * SimulatePrincipalPolicy. Wire: the AWS Query protocol (form-encoded POST, XML answers in the
 * 2010-05-08 namespace), with the trust policy URL-encoded in GetRole's answer as IAM sends it.
 */

export interface StandInRole {
  name: string;
  trust: unknown;
  /** The pipeline ARNs its policies allow sagemaker:StartPipelineExecution on ('*': any). */
  mayStart: string[] | '*';
  /** ARNs an explicit Deny covers. */
  denied?: string[];
}

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export class IamStandIn {
  readonly calls: Array<{ action: string; params: Record<string, string> }> = [];
  private readonly roles = new Map<string, StandInRole>();
  /** Answer every call with AccessDenied, as for a bot without IAM read permission. */
  denyAll = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<IamStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const standIn = new IamStandIn(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const { status, xml } = standIn.answer(Object.fromEntries(new URLSearchParams(body)));
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(xml);
      });
    });
    return standIn;
  }

  clientConfig() {
    return {
      endpoint: this.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' },
      maxAttempts: 1,
    };
  }

  putRole(role: StandInRole): string {
    this.roles.set(role.name, role);
    return arnOf(role.name);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(params: Record<string, string>): { status: number; xml: string } {
    const action = params.Action ?? '';
    this.calls.push({ action, params });
    if (this.denyAll)
      return error(
        403,
        'AccessDenied',
        `User: arn:aws:sts::123456789012:assumed-role/bot/x is not authorized to perform: iam:${action}`,
      );
    if (action === 'GetRole') {
      const role = this.roles.get(params.RoleName ?? '');
      if (!role)
        return error(404, 'NoSuchEntity', `The role with name ${params.RoleName} cannot be found.`);
      return ok(
        'GetRole',
        `<Role><Path>/</Path><RoleName>${role.name}</RoleName><RoleId>AROA${role.name.length}</RoleId><Arn>${arnOf(role.name)}</Arn><CreateDate>2026-01-05T09:00:00Z</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(JSON.stringify(role.trust))}</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></Role>`,
      );
    }
    if (action === 'SimulatePrincipalPolicy') {
      const name = (params.PolicySourceArn ?? '').split('/').at(-1) ?? '';
      const role = this.roles.get(name);
      if (!role) return error(404, 'NoSuchEntity', `No such entity: ${params.PolicySourceArn}`);
      const actionName = params['ActionNames.member.1'] ?? '';
      const resource = params['ResourceArns.member.1'] ?? '*';
      const decision = role.denied?.includes(resource)
        ? 'explicitDeny'
        : role.mayStart === '*' || role.mayStart.includes(resource)
          ? 'allowed'
          : 'implicitDeny';
      return ok(
        'SimulatePrincipalPolicy',
        `<IsTruncated>false</IsTruncated><EvaluationResults><member><EvalActionName>${actionName}</EvalActionName><EvalResourceName>${resource}</EvalResourceName><EvalDecision>${decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member></EvaluationResults>`,
      );
    }
    return error(400, 'InvalidAction', `not in the stand-in: ${action}`);
  }
}

function arnOf(name: string): string {
  return `arn:aws:iam::123456789012:role/${name}`;
}

function ok(action: string, result: string) {
  return {
    status: 200,
    xml: `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function error(status: number, code: string, message: string) {
  return {
    status,
    xml: `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}
