import { IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { readPolicyDocument, trustProblem } from '../../../src/scheduling/role-check.js';
import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import { awsBackendOverTheWire } from '../../support/aws-local-endpoint.js';
import { IamStandIn } from '../../support/iam-stand-in.js';
import { type LocalHarness, startLocal } from '../../support/local-backend.js';
import { ctx } from '../scheduling-contract.js';

/**
 * The role check before a trigger is made: may Scheduler (or EventBridge) assume the role, and
 * may the role start the pipeline. Facts it relies on, pinned here: IAM's GetRole returns the
 * trust policy URL-encoded; a Principal's Service is a string or a list; the trust may limit
 * aws:SourceAccount and aws:SourceArn (for Scheduler, the schedule group's ARN); and
 * SimulatePrincipalPolicy answers allowed, implicitDeny or explicitDeny per action and resource.
 */

const GROUP = 'sagemaker-pipelines';
const PIPELINE = 'arn:aws:sagemaker:local-1:000000000000:pipeline/churn-train';
const trust = (service: string | string[], condition?: object) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      ...(condition ? { Condition: condition } : {}),
    },
  ],
});
const request = {
  roleArn: 'arn:aws:iam::000000000000:role/r',
  user: 'scheduler.amazonaws.com' as const,
  pipelineArn: PIPELINE,
  scheduleGroup: GROUP,
};

describe('a trust policy', () => {
  it("lets Scheduler assume the role only when it names it, for this account and the bot's group", () => {
    expect(trustProblem(trust('scheduler.amazonaws.com'), request)).toBeUndefined();
    expect(
      trustProblem(trust(['events.amazonaws.com', 'scheduler.amazonaws.com']), request),
    ).toBeUndefined();
    expect(trustProblem(trust('events.amazonaws.com'), request)).toMatch(
      /does not let scheduler\.amazonaws\.com assume it/,
    );
    const groupArn = `arn:aws:scheduler:local-1:000000000000:schedule-group/${GROUP}`;
    expect(
      trustProblem(
        trust('scheduler.amazonaws.com', {
          StringEquals: { 'aws:SourceAccount': '000000000000' },
          ArnEquals: { 'aws:SourceArn': groupArn },
        }),
        request,
      ),
    ).toBeUndefined();
    expect(
      trustProblem(
        trust('scheduler.amazonaws.com', {
          ArnLike: { 'aws:SourceArn': 'arn:aws:scheduler:*:000000000000:schedule-group/other' },
        }),
        request,
      ),
    ).toMatch(/only for another source/);
    // A condition on a key that cannot be told in advance is not held against the role.
    expect(
      trustProblem(
        trust('scheduler.amazonaws.com', { Bool: { 'aws:SecureTransport': 'true' } }),
        request,
      ),
    ).toBeUndefined();
  });

  it('reads as IAM returns it, URL-encoded, or as plain JSON', () => {
    const doc = trust('scheduler.amazonaws.com');
    expect(readPolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(readPolicyDocument(JSON.stringify(doc))).toEqual(doc);
    expect(readPolicyDocument('%7Bnot json')).toBeUndefined();
  });
});

let h: LocalHarness;
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** The scheduling service on the AWS adapters, with IAM on its stand-in. */
async function awsService(iam: IamStandIn, unreadable: string[] = []) {
  h = await startLocal({ now: '2026-11-29T08:00:00Z' });
  closers.push(() => h.close());
  const iamClient = new IAMClient(iam.clientConfig());
  const wire = await awsBackendOverTheWire(h.backend, {
    iamClient,
    onRolesUnreadable: (reason) => unreadable.push(reason),
  });
  closers.push(async () => {
    iamClient.destroy();
    await wire.close();
  });
  const backend = wire.backend;
  return new SchedulingService(backend, h.store, { group: GROUP });
}

describe('the role check on AWS, over the wire', () => {
  it('passes a correct role and warns for one without the scheduler trust or the permission', async () => {
    const iam = await IamStandIn.start();
    closers.push(() => iam.close());
    const service = await awsService(iam);
    const good = iam.putRole({
      name: 'PipelineRunner',
      trust: trust('scheduler.amazonaws.com', {
        ArnEquals: {
          'aws:SourceArn': `arn:aws:scheduler:local-1:000000000000:schedule-group/${GROUP}`,
        },
      }),
      mayStart: [PIPELINE],
    });
    const rulesOnly = iam.putRole({
      name: 'RulesRunner',
      trust: trust('events.amazonaws.com'),
      mayStart: '*',
    });
    const powerless = iam.putRole({
      name: 'Powerless',
      trust: trust('scheduler.amazonaws.com'),
      mayStart: [],
    });
    const check = (roleArn: string, kind: 'schedule' | 'event' = 'schedule') =>
      service.roleWarnings({ roleArn, kind, pipelines: ['churn-train'] });

    expect(await check(good)).toEqual([]);
    expect(await check(rulesOnly)).toEqual([
      {
        code: 'ROLE_CHECK',
        message:
          'role RulesRunner: its trust policy does not let scheduler.amazonaws.com assume it (add scheduler.amazonaws.com as a Principal for sts:AssumeRole)',
      },
    ]);
    // The same role is right for a rule.
    expect(await check(rulesOnly, 'event')).toEqual([]);
    expect((await check(powerless))[0]?.message).toBe(
      'role Powerless: no policy of the role allows sagemaker:StartPipelineExecution on this pipeline',
    );
    expect((await check('arn:aws:iam::123456789012:role/Gone'))[0]?.message).toBe(
      'role Gone: it does not exist in this account',
    );
    // What was asked of IAM: the role by name, and the one action on the pipeline's ARN.
    expect(iam.calls.find((c) => c.action === 'SimulatePrincipalPolicy')?.params).toMatchObject({
      PolicySourceArn: good,
      'ActionNames.member.1': 'sagemaker:StartPipelineExecution',
      'ResourceArns.member.1': PIPELINE,
    });
  });

  it('is said on create, refuses with roleCheck: refuse, and carries on unchecked without IAM read access', async () => {
    const iam = await IamStandIn.start();
    closers.push(() => iam.close());
    const unreadable: string[] = [];
    const service = await awsService(iam, unreadable);
    const powerless = iam.putRole({
      name: 'Powerless',
      trust: trust('scheduler.amazonaws.com'),
      mayStart: [],
    });
    const input = {
      pipeline: 'churn-train',
      expression: 'cron(0 8 * * ? *)',
      name: 'nightly',
      roleArn: powerless,
    };
    const refused = await service.createSchedule(input, ctx({ roleCheck: 'refuse' }));
    expect(refused.ok ? undefined : refused.error).toMatchObject({
      code: 'ROLE_UNUSABLE',
      message:
        'role Powerless: no policy of the role allows sagemaker:StartPipelineExecution on this pipeline; the access policy refuses roles that fail the check (roleCheck: refuse)',
      field: 'role',
    });
    expect((await service.createSchedule(input, ctx({ roleCheck: 'warn' }))).ok).toBe(true);

    iam.denyAll = true;
    expect(
      await service.roleWarnings({
        roleArn: powerless,
        kind: 'schedule',
        pipelines: ['churn-train'],
      }),
    ).toEqual([]);
    expect(unreadable[0]).toMatch(
      /the bot may not call iam:GetRole, so execution roles are not checked/,
    );
  });
});
