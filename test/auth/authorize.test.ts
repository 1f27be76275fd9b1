import { describe, expect, it } from 'vitest';
import {
  authorize,
  canApprove,
  type Decision,
  executionRoleChoices,
  type Identity,
  type Resource,
  resolveExecutionRole,
  rolesOf,
} from '../../src/auth/authorize.js';
import { globMatches } from '../../src/auth/glob.js';
import { type Action, type Policy, parsePolicy } from '../../src/auth/policy.js';

function policyOf(text: string): Policy {
  const result = parsePolicy(text);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.policy;
}

const PROD = 'arn:aws:iam::123456789012:role/PipelineSchedulerProd';
const DEV = 'arn:aws:iam::123456789012:role/PipelineSchedulerDev';
const HOUR = 3_600_000;

/** A workspace without an everyone-role, so people outside every role exist. */
const policy = policyOf(`
roles:
  admins:    { users: [U0ADMIN], groups: [S0PLATFORM] }
  approvers: { users: [U0LEAD1, U0LEAD2] }
  ml:        { groups: [S0MLENG] }
  finance:   { users: [U0FIN] }
executionRoles:
  prod: ${PROD}
  dev:  ${DEV}
approvals:
  channel: C0APPROVALS
  expiresAfter: 24h
pipelines:
  - match: "prod-*"            # rule 1: production, asked for in #mlops
    channels: [C0MLOPS]
    create: [ml]
    delete: [admins]
    pause: [ml]
    run: [ml]
    approval: { actions: [create, delete, run], from: [approvers, admins], count: 1 }
    executionRoles: [prod]
    notify: [C0PRODALERTS]
  - match: "prod-*"            # rule 2: production from anywhere else
    create: [admins]
    delete: [admins]
    pause: [admins]
    run: [admins]
    approval: { actions: [create, delete, pause, run], from: [approvers], count: 2, channel: C0PRODAPPROVALS, expiresAfter: 4h }
    executionRoles: [prod]
  - match: "fin-*"             # rule 3: reading restricted
    create: [finance]
    run: [finance]
    read: [finance, admins]
    executionRoles: [dev]
  - match: "legacy-v?"         # rule 4: frozen; only admins may pause
    pause: [admins]
  - match: "*"                 # rule 5: everything else
    create: [ml, admins]
    delete: [ml, admins]
    pause: [ml, admins]
    run: [ml, admins]
    executionRoles: [dev]
    notify: [C0MLNOTIFY]
`);

/** The design notes' example: `ml` is everyone. */
const openPolicy = policyOf(`
roles:
  admins:    { users: [U0ADMIN], groups: [S0PLATFORM] }
  approvers: { users: [U0LEAD1, U0LEAD2] }
  ml:        { everyone: true }
executionRoles:
  prod: ${PROD}
  dev:  ${DEV}
pipelines:
  - match: "prod-*"
    create: [ml]
    delete: [admins]
    pause: [ml]
    run: [ml]
    approval: { actions: [create, delete, run], from: [approvers, admins], count: 1 }
    executionRoles: [prod]
  - match: "*"
    create: [ml]
    delete: [ml]
    pause: [ml]
    run: [ml]
    executionRoles: [dev]
`);

/** Only channel-bound rules and no catch-all. */
const labPolicy = policyOf(`
roles:
  ml: { users: [U0ENG] }
pipelines:
  - match: "lab-*"
    channels: [C0LAB, C0LAB2]
    create: [ml]
    run: [ml]
`);

const admin: Identity = { userId: 'U0ADMIN', groupIds: [] };
const platformEngineer: Identity = { userId: 'U0PLAT2', groupIds: ['S0OTHER', 'S0PLATFORM'] };
const mlEngineer: Identity = { userId: 'U0ENG', groupIds: ['S0MLENG'] };
const lead: Identity = { userId: 'U0LEAD1', groupIds: [] };
const analyst: Identity = { userId: 'U0FIN', groupIds: [] };
const stranger: Identity = { userId: 'U0NOBODY', groupIds: ['S0OTHER'] };

const devAllow = (extra: { executionRoleArn?: string } = {}): Decision => ({
  outcome: 'allow',
  rule: 4,
  allowedRoles: [DEV],
  notify: ['C0MLNOTIFY'],
  ...extra,
});

interface Case {
  says: string;
  policy?: Policy;
  who: Identity;
  action: Action;
  resource: Resource;
  expected: Decision;
}

const cases: Case[] = [
  // Who holds a role
  {
    says: 'an admin listed by user id may delete a dev schedule',
    who: admin,
    action: 'delete',
    resource: { pipelineName: 'churn-train' },
    expected: devAllow(),
  },
  {
    says: 'an admin by user group may delete a dev schedule',
    who: platformEngineer,
    action: 'delete',
    resource: { pipelineName: 'churn-train' },
    expected: devAllow(),
  },
  {
    says: 'an ML engineer by user group may schedule a dev pipeline',
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'churn-train', channelId: 'C0RANDOM' },
    expected: devAllow(),
  },
  {
    says: 'with an everyone-role, anybody may schedule a dev pipeline',
    policy: openPolicy,
    who: stranger,
    action: 'create',
    resource: { pipelineName: 'churn-train' },
    expected: { outcome: 'allow', rule: 1, allowedRoles: [DEV], notify: [] },
  },
  {
    says: 'with an everyone-role, anybody may still not delete production',
    policy: openPolicy,
    who: stranger,
    action: 'delete',
    resource: { pipelineName: 'prod-churn' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason: 'only admins may delete schedules or rules of prod-churn (rule 1: prod-*)',
      rule: 0,
    },
  },
  {
    says: 'someone in no role may not schedule, and is told so',
    who: stranger,
    action: 'create',
    resource: { pipelineName: 'churn-train' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason:
        'only ml or admins may schedule churn-train (rule 5: *); you hold no role in the access policy',
      rule: 4,
    },
  },

  // First match wins, channel-bound rules
  {
    says: 'an ML engineer asking in #mlops may schedule production, with one approval',
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'prod-churn', channelId: 'C0MLOPS' },
    expected: {
      outcome: 'approval',
      rule: 0,
      count: 1,
      from: ['approvers', 'admins'],
      approvalChannel: 'C0APPROVALS',
      expiresAfterMs: 24 * HOUR,
      allowedRoles: [PROD],
      notify: ['C0PRODALERTS'],
    },
  },
  {
    says: 'the same request from another channel falls to the admins-only production rule',
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'prod-churn', channelId: 'C0RANDOM' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason: 'only admins may schedule prod-churn (rule 2: prod-*)',
      rule: 1,
    },
  },
  {
    says: 'a request with no channel (CLI, App Home) never matches a channel-bound rule',
    who: mlEngineer,
    action: 'run',
    resource: { pipelineName: 'prod-churn' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason: 'only admins may run prod-churn (rule 2: prod-*)',
      rule: 1,
    },
  },
  {
    says: 'globs ignore case: PROD-Churn is a production pipeline',
    who: mlEngineer,
    action: 'pause',
    resource: { pipelineName: 'PROD-Churn', channelId: 'C0MLOPS' },
    expected: { outcome: 'allow', rule: 0, allowedRoles: [PROD], notify: ['C0PRODALERTS'] },
  },
  {
    says: '"?" is one character: legacy-v1 is frozen, so nobody may run it',
    who: admin,
    action: 'run',
    resource: { pipelineName: 'legacy-v1' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason: 'nobody may run legacy-v1 (rule 4: legacy-v?)',
      rule: 3,
    },
  },
  {
    says: '"?" is one character: legacy-v10 is not frozen and falls to the catch-all',
    who: admin,
    action: 'run',
    resource: { pipelineName: 'legacy-v10' },
    expected: devAllow(),
  },

  // Each action
  {
    says: 'production pause needs no approval in #mlops (it is how people stop a bad run)',
    who: mlEngineer,
    action: 'pause',
    resource: { pipelineName: 'prod-churn', channelId: 'C0MLOPS' },
    expected: { outcome: 'allow', rule: 0, allowedRoles: [PROD], notify: ['C0PRODALERTS'] },
  },
  {
    says: 'an ML engineer may not delete production even in #mlops',
    who: mlEngineer,
    action: 'delete',
    resource: { pipelineName: 'prod-churn', channelId: 'C0MLOPS' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason: 'only admins may delete schedules or rules of prod-churn (rule 1: prod-*)',
      rule: 0,
    },
  },
  {
    says: 'an admin deleting production in #mlops needs one approval',
    who: admin,
    action: 'delete',
    resource: { pipelineName: 'prod-churn', channelId: 'C0MLOPS' },
    expected: {
      outcome: 'approval',
      rule: 0,
      count: 1,
      from: ['approvers', 'admins'],
      approvalChannel: 'C0APPROVALS',
      expiresAfterMs: 24 * HOUR,
      allowedRoles: [PROD],
      notify: ['C0PRODALERTS'],
    },
  },
  {
    says: 'an ML engineer running production in #mlops needs one approval',
    who: mlEngineer,
    action: 'run',
    resource: { pipelineName: 'prod-churn', channelId: 'C0MLOPS', executionRoleArn: 'prod' },
    expected: {
      outcome: 'approval',
      rule: 0,
      count: 1,
      from: ['approvers', 'admins'],
      approvalChannel: 'C0APPROVALS',
      expiresAfterMs: 24 * HOUR,
      allowedRoles: [PROD],
      executionRoleArn: PROD,
      notify: ['C0PRODALERTS'],
    },
  },
  {
    says: 'an admin pausing production elsewhere needs two approvers, in their own channel, within 4h',
    who: platformEngineer,
    action: 'pause',
    resource: { pipelineName: 'prod-churn', channelId: 'C0RANDOM' },
    expected: {
      outcome: 'approval',
      rule: 1,
      count: 2,
      from: ['approvers'],
      approvalChannel: 'C0PRODAPPROVALS',
      expiresAfterMs: 4 * HOUR,
      allowedRoles: [PROD],
      notify: [],
    },
  },
  {
    says: 'an approval with no channel configured leaves the channel unset',
    policy: openPolicy,
    who: stranger,
    action: 'run',
    resource: { pipelineName: 'prod-churn' },
    expected: {
      outcome: 'approval',
      rule: 0,
      count: 1,
      from: ['approvers', 'admins'],
      expiresAfterMs: 24 * HOUR,
      allowedRoles: [PROD],
      notify: [],
    },
  },
  {
    says: 'an action the rule leaves out is allowed to nobody',
    who: analyst,
    action: 'delete',
    resource: { pipelineName: 'fin-ledger' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason: 'nobody may delete schedules or rules of fin-ledger (rule 3: fin-*)',
      rule: 2,
    },
  },

  // Reading
  {
    says: 'anyone in any role may read a pipeline whose rule does not restrict reading',
    who: analyst,
    action: 'read',
    resource: { pipelineName: 'churn-train' },
    expected: devAllow(),
  },
  {
    says: 'reading production in #mlops needs no approval, though changing it does',
    who: mlEngineer,
    action: 'read',
    resource: { pipelineName: 'prod-churn', channelId: 'C0MLOPS' },
    expected: { outcome: 'allow', rule: 0, allowedRoles: [PROD], notify: ['C0PRODALERTS'] },
  },
  {
    says: 'an ML engineer may read production elsewhere although only admins may change it',
    who: mlEngineer,
    action: 'read',
    resource: { pipelineName: 'prod-churn' },
    expected: { outcome: 'allow', rule: 1, allowedRoles: [PROD], notify: [] },
  },
  {
    says: 'someone in no role may not even read',
    who: stranger,
    action: 'read',
    resource: { pipelineName: 'churn-train' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason:
        'you hold no role in the access policy, so you may not see churn-train; ask an admin to add you',
      rule: 4,
    },
  },
  {
    says: 'where reading is restricted, an ML engineer may not see finance pipelines',
    who: mlEngineer,
    action: 'read',
    resource: { pipelineName: 'fin-ledger' },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason: 'only finance or admins may see fin-ledger (rule 3: fin-*)',
      rule: 2,
    },
  },
  {
    says: 'where reading is restricted, finance and admins may see finance pipelines',
    who: analyst,
    action: 'read',
    resource: { pipelineName: 'fin-ledger' },
    expected: { outcome: 'allow', rule: 2, allowedRoles: [DEV], notify: [] },
  },
  {
    says: 'reading ignores the execution role',
    who: admin,
    action: 'read',
    resource: { pipelineName: 'fin-ledger', executionRoleArn: PROD },
    expected: { outcome: 'allow', rule: 2, allowedRoles: [DEV], notify: [] },
  },

  // Execution roles
  {
    says: 'a dev schedule may use the dev role by ARN',
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'churn-train', executionRoleArn: DEV },
    expected: devAllow({ executionRoleArn: DEV }),
  },
  {
    says: 'a dev schedule may use the dev role by alias, in any case',
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'churn-train', executionRoleArn: 'DEV' },
    expected: devAllow({ executionRoleArn: DEV }),
  },
  {
    says: 'a dev schedule may not use the production role, and is told which one it may use',
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'churn-train', executionRoleArn: PROD },
    expected: {
      outcome: 'deny',
      code: 'EXECUTION_ROLE_NOT_ALLOWED',
      reason: `execution role ${PROD} is not allowed for churn-train (rule 5: *); use dev`,
      rule: 4,
    },
  },
  {
    says: 'an unknown ARN is refused even where approval would follow',
    who: mlEngineer,
    action: 'create',
    resource: {
      pipelineName: 'prod-churn',
      channelId: 'C0MLOPS',
      executionRoleArn: 'arn:aws:iam::123456789012:role/Admin',
    },
    expected: {
      outcome: 'deny',
      code: 'EXECUTION_ROLE_NOT_ALLOWED',
      reason:
        'execution role arn:aws:iam::123456789012:role/Admin is not allowed for prod-churn (rule 1: prod-*); use prod',
      rule: 0,
    },
  },
  {
    says: 'the role is checked only after who may act: no role, no hint about execution roles',
    who: stranger,
    action: 'create',
    resource: { pipelineName: 'prod-churn', channelId: 'C0MLOPS', executionRoleArn: DEV },
    expected: {
      outcome: 'deny',
      code: 'ROLE_REQUIRED',
      reason:
        'only ml may schedule prod-churn (rule 1: prod-*); you hold no role in the access policy',
      rule: 0,
    },
  },
  {
    says: 'deleting a trigger made with a role no longer allowed still works (clean-up)',
    who: admin,
    action: 'delete',
    resource: { pipelineName: 'churn-train', executionRoleArn: PROD },
    expected: devAllow(),
  },
  {
    says: 'a rule with no execution roles refuses any role',
    policy: labPolicy,
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'lab-x', channelId: 'C0LAB', executionRoleArn: DEV },
    expected: {
      outcome: 'deny',
      code: 'EXECUTION_ROLE_NOT_ALLOWED',
      reason: 'no execution role is allowed for lab-x (rule 1: lab-*); ask an admin',
      rule: 0,
    },
  },

  // No rule
  {
    says: 'a pipeline no rule covers is refused',
    policy: labPolicy,
    who: mlEngineer,
    action: 'read',
    resource: { pipelineName: 'churn-train', channelId: 'C0LAB' },
    expected: {
      outcome: 'deny',
      code: 'NO_RULE',
      reason:
        'no policy rule covers pipeline churn-train; ask an admin to add one to the access policy',
    },
  },
  {
    says: 'a pipeline covered only in other channels is refused, saying where to ask',
    policy: labPolicy,
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'lab-x', channelId: 'C0RANDOM' },
    expected: {
      outcome: 'deny',
      code: 'NO_RULE',
      reason: 'no policy rule covers pipeline lab-x in this channel; ask in <#C0LAB> or <#C0LAB2>',
    },
  },
  {
    says: 'in the right channel the lab rule applies',
    policy: labPolicy,
    who: mlEngineer,
    action: 'create',
    resource: { pipelineName: 'lab-x', channelId: 'C0LAB2' },
    expected: { outcome: 'allow', rule: 0, allowedRoles: [], notify: [] },
  },
];

describe('authorize', () => {
  it.each(cases)('$says', ({ policy: p = policy, who, action, resource, expected }) => {
    expect(authorize(p, who, action, resource)).toEqual(expected);
  });
});

describe('roles and approvers', () => {
  it.each([
    { says: 'an admin by user id', who: admin, holds: ['admins'] },
    { says: 'an admin by user group', who: platformEngineer, holds: ['admins'] },
    { says: 'an ML engineer by user group', who: mlEngineer, holds: ['ml'] },
    { says: 'a lead', who: lead, holds: ['approvers'] },
    { says: 'a stranger', who: stranger, holds: [] },
    { says: 'a stranger, where ml is everyone', p: openPolicy, who: stranger, holds: ['ml'] },
    { says: 'an admin, where ml is everyone', p: openPolicy, who: admin, holds: ['admins', 'ml'] },
  ])('$says holds $holds', ({ p = policy, who, holds }) => {
    expect(rolesOf(p, who)).toEqual(holds);
  });

  it.each([
    ['a lead', lead, true],
    ['an admin by user group', platformEngineer, true],
    ['an ML engineer', mlEngineer, false],
    ['a stranger', stranger, false],
  ])('%s may approve for approvers or admins: %s', (_who, who, expected) => {
    expect(canApprove(policy, who, ['approvers', 'admins'])).toBe(expected);
  });
});

describe('execution roles', () => {
  const prodRule = policy.pipelines[0]!;

  it.each<[string, number | typeof prodRule, string, ReturnType<typeof resolveExecutionRole>]>([
    ['an allowed alias', 0, 'prod', { ok: true, arn: PROD }],
    ['an allowed alias, any case and spaces', 0, ' Prod ', { ok: true, arn: PROD }],
    ['an allowed ARN', 0, PROD, { ok: true, arn: PROD }],
    ['the rule itself rather than its index', prodRule, 'prod', { ok: true, arn: PROD }],
    [
      'an alias of another rule',
      0,
      'dev',
      { ok: false, reason: 'execution role dev is not allowed here (rule 1: prod-*); use prod' },
    ],
    [
      'an alias nobody defined',
      4,
      'staging',
      { ok: false, reason: 'execution role staging is not allowed here (rule 5: *); use dev' },
    ],
    [
      'nothing',
      4,
      '',
      { ok: false, reason: 'execution role (empty) is not allowed here (rule 5: *); use dev' },
    ],
    [
      'a rule that does not exist',
      9,
      'prod',
      { ok: false, reason: 'the access policy has no rule 10' },
    ],
  ])('resolves %s', (_what, rule, given, expected) => {
    expect(resolveExecutionRole(policy, rule, given)).toEqual(expected);
  });

  it('offers the aliases a rule allows, for the modal and role=', () => {
    expect(executionRoleChoices(policy, prodRule)).toEqual({ prod: PROD });
    expect(executionRoleChoices(policy, policy.pipelines[3]!)).toEqual({});
  });
});

describe('pipeline globs', () => {
  it.each([
    ['prod-*', 'prod-churn', true],
    ['prod-*', 'PROD-CHURN', true],
    ['prod-*', 'prod-', true],
    ['prod-*', 'preprod-churn', false],
    ['*-train', 'churn-train', true],
    ['*-train', 'churn-train-v2', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*', '', true],
    ['churn', 'churn', true],
    ['churn', 'churn2', false],
    ['*a*b*', 'xaybz', true],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(globMatches(pattern, name)).toBe(expected);
  });

  it('stays fast on patterns that make regular expressions backtrack', () => {
    const started = performance.now();
    expect(globMatches('*a*a*a*a*a*a*a*b', 'a'.repeat(256))).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
