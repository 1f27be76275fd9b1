import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isPermissive,
  loadPolicy,
  PERMISSIVE_POLICY_NOTE,
  type Policy,
  parsePolicy,
} from '../../src/auth/policy.js';
import { parseDuration } from '../../src/auth/policy-schema.js';

/** YAML written indented in the test; line 1 is the line after the opening backtick. */
function yml(text: string): string {
  const lines = text
    .replace(/^\n/, '')
    .replace(/\n\s*$/, '')
    .split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return `${lines.map((l) => l.slice(indent)).join('\n')}\n`;
}

function policyOf(text: string): Policy {
  const result = parsePolicy(text);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.policy;
}

function errorsOf(text: string): string[] {
  const result = parsePolicy(text);
  if (result.ok) throw new Error('expected the policy to be rejected');
  return result.errors;
}

const PROD = 'arn:aws:iam::123456789012:role/PipelineSchedulerProd';
const DEV = 'arn:aws:iam::123456789012:role/PipelineSchedulerDev';

/** The example from the design notes, comments and all. */
const EXAMPLE = yml(`
  roles:                       # members by Slack user id (U…/W…) and/or user group id (S…)
    admins:    { users: [U0ADMIN], groups: [S0PLATFORM] }
    approvers: { users: [U0LEAD1, U0LEAD2] }
    ml:        { everyone: true }
  executionRoles:              # the only IAM roles a trigger may use; alias → ARN
    prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
    dev:  arn:aws:iam::123456789012:role/PipelineSchedulerDev
  approvals:
    channel: C0APPROVALS       # where requests are posted
    expiresAfter: 24h          # 30m, 24h, 7d
  pipelines:                   # first match wins
    - match: "prod-*"          # glob on the pipeline name (* and ?), case-insensitive
      channels: [C0MLOPS]      # optional: the rule applies only to requests from these channels
      create: [ml]             # roles allowed to create (schedule or event trigger)
      delete: [admins]
      pause: [ml]              # pause covers resume
      run: [ml]
      read: [ml]               # optional: restricts list/describe/history/next
      approval: { actions: [create, delete, run], from: [approvers, admins], count: 1 }
      executionRoles: [prod]   # aliases from executionRoles
      notify: [C0PRODALERTS]   # default notification channels
    - match: "*"
      create: [ml]
      delete: [ml]
      pause: [ml]
      run: [ml]
      executionRoles: [dev]
`);

describe('reading the access policy', () => {
  it('reads the example from the design notes', () => {
    const policy = policyOf(EXAMPLE);
    expect(policy.source).toBe('policy.yml');
    expect([...policy.roles.values()]).toEqual([
      { name: 'admins', users: ['U0ADMIN'], groups: ['S0PLATFORM'], everyone: false },
      { name: 'approvers', users: ['U0LEAD1', 'U0LEAD2'], groups: [], everyone: false },
      { name: 'ml', users: [], groups: [], everyone: true },
    ]);
    expect(Object.fromEntries(policy.executionRoles)).toEqual({ prod: PROD, dev: DEV });
    expect(policy.approvals).toEqual({ channel: 'C0APPROVALS', expiresAfterMs: 86_400_000 });
    expect(policy.pipelines).toEqual([
      {
        index: 0,
        match: 'prod-*',
        channels: ['C0MLOPS'],
        create: ['ml'],
        // Who may create may change, unless the rule says `update:`; so does its approval.
        update: ['ml'],
        delete: ['admins'],
        pause: ['ml'],
        run: ['ml'],
        read: ['ml'],
        approval: {
          actions: ['create', 'delete', 'run', 'update'],
          from: ['approvers', 'admins'],
          count: 1,
          expiresAfterMs: 86_400_000,
        },
        executionRoles: ['prod'],
        notify: ['C0PRODALERTS'],
      },
      {
        index: 1,
        match: '*',
        create: ['ml'],
        update: ['ml'],
        delete: ['ml'],
        pause: ['ml'],
        run: ['ml'],
        executionRoles: ['dev'],
        notify: [],
      },
    ]);
  });

  it('fills in what a small policy leaves out: nobody for unlisted actions, one approval, 24h', () => {
    const policy = policyOf(
      yml(`
        roles:
          leads: { users: [U0LEAD1] }
        pipelines:
          - match: "report-*"
            run: [leads]
            approval: { actions: [run], from: [leads] }
      `),
    );
    expect(policy.executionRoles.size).toBe(0);
    expect(policy.approvals).toEqual({ expiresAfterMs: 86_400_000 });
    expect(policy.pipelines[0]).toEqual({
      index: 0,
      match: 'report-*',
      create: [],
      update: [],
      delete: [],
      pause: [],
      run: ['leads'],
      approval: { actions: ['run'], from: ['leads'], count: 1, expiresAfterMs: 86_400_000 },
      executionRoles: [],
      notify: [],
    });
  });

  it('lets a rule override the approval channel and expiry', () => {
    const policy = policyOf(
      yml(`
        roles:
          leads: { users: [U0LEAD1, U0LEAD2], groups: [S0LEADS] }
        approvals: { channel: C0APPROVALS, expiresAfter: 7d }
        pipelines:
          - match: "prod-*"
            run: [leads]
            approval: { actions: [run, run], from: [leads], count: 3, channel: G0PRIVATE, expiresAfter: 90m }
          - match: "*"
            run: [leads]
            approval: { actions: [run], from: [leads] }
      `),
    );
    // count 3 with two listed users is fine: the group may hold more.
    expect(policy.pipelines.map((rule) => rule.approval)).toEqual([
      {
        actions: ['run'],
        from: ['leads'],
        count: 3,
        channel: 'G0PRIVATE',
        expiresAfterMs: 90 * 60_000,
      },
      { actions: ['run'], from: ['leads'], count: 1, expiresAfterMs: 7 * 86_400_000 },
    ]);
  });

  it('accepts W… user ids (Enterprise Grid) and D… channel ids (direct messages)', () => {
    const policy = policyOf(
      yml(`
        roles:
          grid: { users: [W0GRIDUSER] }
        pipelines:
          - match: "*"
            channels: [D0DIRECT]
            run: [grid]
      `),
    );
    expect(policy.roles.get('grid')?.users).toEqual(['W0GRIDUSER']);
  });

  it.each([
    ['30m', 30 * 60_000],
    ['24h', 24 * 3_600_000],
    ['7d', 7 * 86_400_000],
    [' 5m ', 5 * 60_000],
    ['1w', undefined],
    ['24', undefined],
    ['1.5h', undefined],
    ['', undefined],
  ])('reads the duration %j as %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('mistakes in the policy, each named by line and key', () => {
  it.each<[string, string, string[]]>([
    [
      'broken YAML',
      yml(`
        roles:
          admins: { users: [U0ADMIN }
        pipelines: []
      `),
      [
        'policy.yml:2 YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
        'policy.yml:2 YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
      ],
    ],
    [
      'a key given twice',
      yml(`
        roles:
          admins: { users: [U0ADMIN] }
          admins: { users: [U0OTHER] }
        pipelines: []
      `),
      ['policy.yml:3 YAML syntax: Map keys must be unique'],
    ],
    [
      'an empty file',
      '',
      [
        'policy.yml: expected a mapping with roles, executionRoles, approvals, madeElsewhere, collisions, roleCheck and pipelines (got nothing)',
      ],
    ],
    [
      'a list at the top',
      '- match: "*"\n',
      [
        'policy.yml:1: expected a mapping with roles, executionRoles, approvals, madeElsewhere, collisions, roleCheck and pipelines (got a list)',
      ],
    ],
    [
      'a misspelt section, so the real one is missing',
      yml(`
        roles:
          admins: { users: [U0ADMIN] }
        pipeline:
          - match: "*"
      `),
      [
        'policy.yml:1 pipelines: missing, expected a list of rules, each starting with - match: "<glob>"',
        'policy.yml:3 pipeline: unknown key (did you mean pipelines?); expected one of roles, executionRoles, approvals, madeElsewhere, collisions, roleCheck, pipelines',
      ],
    ],
    [
      'no roles section',
      yml(`
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:1 roles: missing, expected a mapping from role name to members, such as admins: { users: [U0123ABCD] }',
      ],
    ],
    [
      'a role name with a space',
      yml(`
        roles:
          ml team: { everyone: true }
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:2 roles["ml team"]: expected a role name of letters, digits, "-" and "_", starting with a letter (got "ml team")',
      ],
    ],
    [
      'a role given as a bare user id',
      yml(`
        roles:
          admins: U0ADMIN
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:2 roles.admins: expected members such as { users: [U0123ABCD], groups: [S0123ABCD] } or { everyone: true } (got "U0ADMIN")',
      ],
    ],
    [
      'a role with no members',
      yml(`
        roles:
          admins: {}
        pipelines:
          - match: "*"
      `),
      ['policy.yml:2 roles.admins: a role needs members: users, groups, or everyone: true'],
    ],
    [
      'a misspelt member key',
      yml(`
        roles:
          admins: { user: [U0ADMIN] }
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:2 roles.admins.user: unknown key (did you mean users?); expected one of users, groups, everyone',
      ],
    ],
    [
      'a user given by name, a group by handle, users not as a list',
      yml(`
        roles:
          admins:
            users: [U0ADMIN, "@alice"]
            groups: [platform-team]
          leads:
            users: U0LEAD1
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:3 roles.admins.users[1]: expected a Slack user id such as U0123ABCD (an id, not a name or @mention) (got "@alice")',
        'policy.yml:4 roles.admins.groups[0]: expected a Slack user group id such as S0123ABCD (an id, not a @handle) (got "platform-team")',
        'policy.yml:6 roles.leads.users: expected a list of Slack user ids, such as [U0123ABCD] (got "U0LEAD1")',
      ],
    ],
    [
      'everyone: yes (YAML 1.2 reads it as text)',
      yml(`
        roles:
          ml: { everyone: yes }
        pipelines:
          - match: "*"
      `),
      ['policy.yml:2 roles.ml.everyone: expected true or false (got "yes")'],
    ],
    [
      'an ARN with a short account, and an alias with a space',
      yml(`
        roles:
          ml: { everyone: true }
        executionRoles:
          prod: arn:aws:iam::1234:role/PipelineSchedulerProd
          dev role: arn:aws:iam::123456789012:role/PipelineSchedulerDev
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:4 executionRoles.prod: expected an IAM role ARN such as arn:aws:iam::123456789012:role/PipelineScheduler (got "arn:aws:iam::1234:role/PipelineSchedulerProd")',
        'policy.yml:5 executionRoles["dev role"]: expected an alias of letters, digits, ".", "-" and "_", starting with a letter (got "dev role")',
      ],
    ],
    [
      'a user ARN where a role ARN belongs',
      yml(`
        roles:
          ml: { everyone: true }
        executionRoles:
          prod: arn:aws:iam::123456789012:user/deploy
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:4 executionRoles.prod: expected an IAM role ARN such as arn:aws:iam::123456789012:role/PipelineScheduler (got "arn:aws:iam::123456789012:user/deploy")',
      ],
    ],
    [
      'two aliases that differ only in case',
      yml(`
        roles:
          ml: { everyone: true }
        executionRoles:
          prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
          Prod: arn:aws:iam::123456789012:role/PipelineSchedulerDev
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:5 executionRoles.Prod: alias "Prod" differs from "prod" only in case; aliases must be distinct',
      ],
    ],
    [
      'an approval channel by name',
      yml(`
        roles:
          ml: { everyone: true }
        approvals:
          channel: "#approvals"
        pipelines:
          - match: "*"
      `),
      [
        'policy.yml:4 approvals.channel: expected a Slack channel id such as C0123ABCD (an id, not a #name) (got "#approvals")',
      ],
    ],
    ...[
      ['1w', '"1w"'],
      ['2m', '"2m"'],
      ['31d', '"31d"'],
      ['24', '24'],
    ].map(([given, shown]): [string, string, string[]] => [
      `an approval expiry of ${given}`,
      yml(`
        roles:
          ml: { everyone: true }
        approvals:
          expiresAfter: ${given}
        pipelines:
          - match: "*"
      `),
      [
        `policy.yml:4 approvals.expiresAfter: expected a duration from 5m to 30d, such as 30m, 24h or 7d (got ${shown})`,
      ],
    ]),
    [
      'no rules',
      yml(`
        roles:
          ml: { everyone: true }
        pipelines: []
      `),
      ['policy.yml:3 pipelines: expected at least one rule (got a list)'],
    ],
    [
      'a rule without match, a match with an underscore',
      yml(`
        roles:
          ml: { everyone: true }
        pipelines:
          - create: [ml]
          - match: "prod_*"
      `),
      [
        'policy.yml:4 pipelines[0].match: missing, expected a glob on the pipeline name of letters, digits, "-", "*" and "?", such as "prod-*"',
        'policy.yml:5 pipelines[1].match: expected a glob on the pipeline name of letters, digits, "-", "*" and "?", such as "prod-*" (got "prod_*")',
      ],
    ],
    [
      'a misspelt approval key (which would silently drop the approval)',
      yml(`
        roles:
          ml: { everyone: true }
        pipelines:
          - match: "*"
            create: [ml]
            aproval: { actions: [create], from: [ml] }
      `),
      [
        'policy.yml:6 pipelines[0].aproval: unknown key (did you mean approval?); expected one of match, channels, create, update, delete, pause, run, read, approval, executionRoles, notify',
      ],
    ],
    [
      'an empty channel list, a channel by name, notify not a list',
      yml(`
        roles:
          ml: { everyone: true }
        pipelines:
          - match: "prod-*"
            channels: []
          - match: "dev-*"
            channels: [C0MLOPS, mlops]
            notify: C0ALERTS
      `),
      [
        'policy.yml:5 pipelines[0].channels: expected at least one channel id (leave channels out to apply everywhere) (got a list)',
        'policy.yml:7 pipelines[1].channels[1]: expected a Slack channel id such as C0123ABCD (an id, not a #name) (got "mlops")',
        'policy.yml:8 pipelines[1].notify: expected a list of Slack channel ids, such as [C0123ABCD] (got "C0ALERTS")',
      ],
    ],
    [
      'an action given one role without brackets',
      yml(`
        roles:
          ml: { everyone: true }
        pipelines:
          - match: "*"
            create: ml
      `),
      [
        'policy.yml:5 pipelines[0].create: expected a list of role names, such as [admins] (got "ml")',
      ],
    ],
    [
      'rules naming roles that do not exist',
      yml(`
        roles:
          admins: { users: [U0ADMIN] }
          ml: { everyone: true }
        pipelines:
          - match: "*"
            create: [ml, admin]
            read: [auditors]
            approval: { actions: [create], from: [approver] }
      `),
      [
        'policy.yml:6 pipelines[0].create[1]: role "admin" is not defined under roles (did you mean admins?)',
        'policy.yml:7 pipelines[0].read[0]: role "auditors" is not defined under roles (defined: admins, ml)',
        'policy.yml:8 pipelines[0].approval.from[0]: role "approver" is not defined under roles (defined: admins, ml)',
      ],
    ],
    [
      'approval asked for reading, an empty action list, no approvers',
      yml(`
        roles:
          ml: { everyone: true }
        pipelines:
          - match: "prod-*"
            approval: { actions: [create, read], from: [ml] }
          - match: "*"
            approval:
              actions: []
              from: []
      `),
      [
        'policy.yml:5 pipelines[0].approval.actions[1]: expected create, update, delete, pause or run (reading never needs approval) (got "read")',
        'policy.yml:8 pipelines[1].approval.actions: expected a list of actions, such as [create, delete, run] (got a list)',
        'policy.yml:9 pipelines[1].approval.from: expected at least one role whose holders may approve (got a list)',
      ],
    ],
    ...[
      ['two', '"two"'],
      ['0', '0'],
      ['11', '11'],
      ['1.5', '1.5'],
      ['', 'nothing'],
    ].map(([given, shown]): [string, string, string[]] => [
      `an approval count of ${given || 'nothing'}`,
      yml(`
        roles:
          leads: { groups: [S0LEADS] }
        pipelines:
          - match: "*"
            approval:
              actions: [run]
              from: [leads]
              count: ${given}
      `),
      [
        `policy.yml:8 pipelines[0].approval.count: expected a whole number from 1 to 10 (got ${shown})`,
      ],
    ]),
    [
      'more approvals than the approving users',
      yml(`
        roles:
          admins: { users: [U0ADMIN, U0LEAD1] }
          approvers: { users: [U0LEAD1, U0LEAD2] }
        pipelines:
          - match: "prod-*"
            approval: { actions: [run], from: [approvers, admins], count: 4 }
          - match: "*"
            approval: { actions: [run], from: [approvers], count: 2 }
      `),
      [
        'policy.yml:6 pipelines[0].approval.count: 4 approvals needed, but approvers, admins have only 3 members',
      ],
    ],
    [
      'an execution role that is not defined, and an ARN where an alias belongs',
      yml(`
        roles:
          ml: { everyone: true }
        executionRoles:
          dev: arn:aws:iam::123456789012:role/PipelineSchedulerDev
        pipelines:
          - match: "*"
            executionRoles: [dev, prod, arn:aws:iam::123456789012:role/PipelineSchedulerDev]
      `),
      [
        'policy.yml:7 pipelines[0].executionRoles[1]: execution role alias "prod" is not defined under executionRoles (defined: dev)',
        'policy.yml:7 pipelines[0].executionRoles[2]: list aliases here, not ARNs: name the ARN under executionRoles (prod: arn:…) and write [prod]',
      ],
    ],
    [
      'rules that can never apply',
      yml(`
        roles:
          ml: { everyone: true }
        pipelines:
          - match: "prod-*"
            channels: [C0MLOPS]
          - match: "prod-*"
          - match: "PROD-*"
          - match: "*"
          - match: "dev-*"
      `),
      [
        'policy.yml:7 pipelines[2].match: this rule never applies: rule 2 (match "prod-*") comes first and covers every pipeline this one does (first match wins)',
        'policy.yml:9 pipelines[4].match: this rule never applies: rule 4 (match "*") comes first and covers every pipeline this one does (first match wins)',
      ],
    ],
  ])('reports %s', (_name, text, expected) => {
    expect(errorsOf(text)).toEqual(expected);
  });

  it('refuses a file whose aliases expand without end', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [name, previous] of ['ba', 'cb', 'dc', 'ed', 'fe', 'gf', 'hg', 'ih']) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    expect(errorsOf(levels.join('\n'))).toEqual([
      'policy.yml: YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('names the file it read', () => {
    const result = parsePolicy('roles: {}\npipelines: []\n', '/etc/bot/policy.yml');
    expect(result).toEqual({
      ok: false,
      errors: ['/etc/bot/policy.yml:2 pipelines: expected at least one rule (got a list)'],
    });
  });

  it('refuses to start on a bad file, listing every problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    try {
      const path = join(dir, 'policy.yml');
      writeFileSync(path, 'roles:\n  ml: { everyone: maybe }\npipelines: []\n');
      expect(() => loadPolicy(path)).toThrow(
        `Invalid access policy ${path}:\n` +
          `  - ${path}:2 roles.ml.everyone: expected true or false (got "maybe")\n` +
          `  - ${path}:3 pipelines: expected at least one rule (got a list)`,
      );
      const missing = join(dir, 'missing.yml');
      expect(() => loadPolicy(missing)).toThrow(`POLICY_FILE: cannot read ${missing}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the shipped policies', () => {
  const root = new URL('../../', import.meta.url);

  it('policy.yml, the local default, parses and is permissive, and says so at the top', () => {
    const path = new URL('policy.yml', root).pathname;
    const policy = loadPolicy(path);
    expect(isPermissive(policy)).toBe(true);
    expect(readFileSync(path, 'utf8')).toMatch(/^# PERMISSIVE DEFAULT POLICY, FOR LOCAL RUNS ONLY/);
    expect(PERMISSIVE_POLICY_NOTE).toContain('permissive');
  });

  it('docs/policy.production.yml parses and is not permissive', () => {
    const policy = loadPolicy(new URL('docs/policy.production.yml', root).pathname);
    expect(policy.pipelines.map((rule) => rule.match)).toEqual([
      'prod-*',
      'prod-*',
      'fin-*',
      'staging-*',
      '*',
    ]);
    expect(isPermissive(policy)).toBe(false);
  });

  it('the design example is not permissive: production needs approval', () => {
    expect(isPermissive(policyOf(EXAMPLE))).toBe(false);
  });
});
