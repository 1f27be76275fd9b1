import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';

/** The access policy at work, through the command line, as people would meet it. */

const policy = `
roles:
  ml:        { users: [U0ALICE, U0BOB, U0LEAD1] }
  approvers: { users: [U0LEAD1, U0LEAD2] }
executionRoles:
  prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
  dev:  arn:aws:iam::123456789012:role/PipelineSchedulerDev
approvals:
  expiresAfter: 1h
pipelines:
  - match: "prod-*"
    create: [ml]
    delete: [approvers]
    pause: [ml]
    run: [ml]
    approval: { actions: [create, run], from: [approvers], count: 1 }
    executionRoles: [prod]
  - match: "dev-*"
    create: [ml]
    delete: [ml]
    pause: [ml]
    run: [ml]
    executionRoles: [dev]
`;

const pipelines = `
pipelines:
  - name: prod-churn
    steps: [{ name: Train, seconds: 1 }]
  - name: dev-churn
    steps: [{ name: Train, seconds: 1 }]
  - name: research-x
    steps: [{ name: Train, seconds: 1 }]
`;

let env: Record<string, string>;
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'access-'));
  writeFileSync(join(dir, 'policy.yml'), policy);
  writeFileSync(join(dir, 'pipelines.yml'), pipelines);
  env = {
    DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
    POLICY_FILE: join(dir, 'policy.yml'),
    LOCAL_PIPELINES_FILE: join(dir, 'pipelines.yml'),
  };
});

async function as(user: string, ...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
    now: () => new Date(),
    env: { ...env, LOCAL_USER: user },
  });
  return { code, stdout, stderr, text: [...stdout, ...stderr].join('\n') };
}

const requestIdIn = (text: string) => /req-[0-9a-f-]{36}/.exec(text)?.[0] ?? '';

describe('a change that needs approval', () => {
  it('waits for an approver, then runs once, with the role the policy allows', async () => {
    const asked = await as(
      'U0ALICE',
      'create',
      'prod-churn',
      'cron(0 8 ? * MON-FRI *)',
      'name=prod-weekdays',
      'role=prod',
    );
    expect(asked.code).toBe(0);
    expect(asked.stdout[0]).toMatch(/^request req-.* needs an approval from approvers$/);
    const id = requestIdIn(asked.text);
    expect((await as('U0BOB', 'list')).stdout).toEqual([
      'no triggers yet: create one with create <pipeline> <expression>',
    ]);
    expect((await as('U0LEAD2', 'approvals')).stdout[0]).toContain(
      `${id}  create prod-weekdays (prod-churn) by U0ALICE, 0 of 1 approvals`,
    );

    const approved = await as('U0LEAD2', 'approve', id);
    expect(approved).toMatchObject({
      code: 0,
      stdout: [`${id} is executed: created schedule prod-weekdays`],
    });
    expect((await as('U0BOB', 'list')).stdout).toEqual([
      'prod-weekdays  schedule  enabled   prod-churn',
    ]);
    expect((await as('U0BOB', 'describe', 'prod-weekdays')).stdout).toContain(
      '  role: arn:aws:iam::123456789012:role/PipelineSchedulerProd',
    );
    expect((await as('U0LEAD1', 'approve', id)).stderr).toEqual([
      `pipeline-schedule: request ${id} is already approved and done`,
    ]);

    const audit = await as('U0BOB', 'audit', '10', 'pipeline=prod-churn');
    expect(audit.stdout.map((l) => l.split('  ').slice(1, 3).join(' '))).toEqual([
      'U0LEAD1 denied',
      'system executed',
      'U0LEAD2 approved',
      'U0LEAD2 approval recorded',
      'U0ALICE requested',
    ]);
  });

  it('runs without approval where the policy does not ask for one', async () => {
    const created = await as('U0ALICE', 'create', 'dev-churn', 'rate(1 day)', 'name=dev-daily');
    expect(created.stdout[0]).toBe('created schedule dev-daily (enabled): dev-churn every day');
    // The rule allows one execution role, so role= can be left out.
    expect((await as('U0ALICE', 'describe', 'dev-daily')).stdout).toContain(
      '  role: arn:aws:iam::123456789012:role/PipelineSchedulerDev',
    );
    expect((await as('U0ALICE', 'audit', '1')).stdout[0]).toMatch(
      /U0ALICE {2}executed {2}create dev-daily \(dev-churn\)/,
    );
  });
});

describe('attacks, each refused with a reason and audited', () => {
  it.each([
    [
      'an execution role outside the pipeline allowlist',
      'U0ALICE',
      ['create', 'dev-churn', 'rate(1 day)', 'role=prod'],
      /PipelineSchedulerProd|prod.*not allowed|allowed/,
    ],
    [
      'a role ARN outside the allowlist',
      'U0ALICE',
      ['create', 'dev-churn', 'rate(1 day)', 'role=arn:aws:iam::123456789012:role/Admin'],
      /allowed/,
    ],
    [
      'a pipeline no rule covers',
      'U0ALICE',
      ['create', 'research-x', 'rate(1 day)'],
      /no policy rule covers|research-x/,
    ],
    ['a person with no role', 'U0MALLORY', ['run', 'dev-churn'], /hold no role/],
  ])('%s', async (_name, user, argv, reason) => {
    const result = await as(user, ...argv);
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toMatch(reason);
    const [last] = (await as('U0LEAD1', 'audit', '1')).stdout;
    expect(last).toMatch(new RegExp(`${user} {2}denied`));
  });

  it.each([
    ['self-approval', 'U0ALICE', /you asked for request .* so someone else must approve it/],
    ['approval by a non-approver', 'U0BOB', /only members of approvers can approve/],
  ])('%s', async (_name, approver, reason) => {
    const id = requestIdIn((await as('U0ALICE', 'run', 'prod-churn')).text);
    const result = await as(approver, 'approve', id);
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toMatch(reason);
    expect((await as('U0LEAD1', 'history', 'prod-churn')).stdout).toEqual([
      'prod-churn has not run yet',
    ]);
  });

  it('a requester who lost their role before approval', async () => {
    const id = requestIdIn((await as('U0ALICE', 'run', 'prod-churn')).text);
    writeFileSync(
      env.POLICY_FILE ?? '',
      policy.replace(
        'ml:        { users: [U0ALICE, U0BOB, U0LEAD1] }',
        'ml:        { users: [U0BOB, U0LEAD1] }',
      ),
    );
    const result = await as('U0LEAD1', 'approve', id);
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toMatch(/U0ALICE may no longer do this: only ml may run prod-churn/);
    expect((await as('U0LEAD1', 'history', 'prod-churn')).stdout).toEqual([
      'prod-churn has not run yet',
    ]);
  });

  it('reading a pipeline a rule restricts', async () => {
    writeFileSync(
      env.POLICY_FILE ?? '',
      policy.replace(
        '    executionRoles: [prod]',
        '    executionRoles: [prod]\n    read: [approvers]',
      ),
    );
    expect((await as('U0LEAD1', 'run', 'dev-churn')).code).toBe(0);
    expect((await as('U0BOB', 'history', 'prod-churn')).stderr[0]).toMatch(
      /only approvers may see prod-churn/,
    );
    expect((await as('U0LEAD1', 'history', 'prod-churn')).code).toBe(0);
  });

  it('a forged request id', async () => {
    expect(
      (await as('U0LEAD1', 'approve', 'req-00000000-0000-0000-0000-000000000000')).stderr[0],
    ).toMatch(/there is no request req-0/);
  });

  it('a request is approved by a unique start of its id, as the docs abbreviate it', async () => {
    const first = requestIdIn((await as('U0ALICE', 'run', 'prod-churn')).text);
    const second = requestIdIn((await as('U0ALICE', 'run', 'prod-churn')).text);
    // Long enough to tell the two apart: "req-" may be left out.
    let length = 4;
    while (first.slice(4, 4 + length) === second.slice(4, 4 + length)) length++;
    const approved = await as('U0LEAD1', 'approve', first.slice(4, 4 + length));
    expect(approved.stderr).toEqual([]);
    expect(approved.stdout[0]).toMatch(new RegExp(`^${first} is executed`));
    // Too short to say which, or to mean anything: nothing is decided.
    expect((await as('U0LEAD1', 'reject', 'req-', 'no')).stderr[0]).toMatch(
      /there is no request req- \(give its id, or at least its first 4 characters\)/,
    );
    expect((await as('U0LEAD1', 'reject', 'ffff-ffff', 'no')).stderr[0]).toBe(
      'pipeline-schedule: there is no request ffff-ffff',
    );
    expect((await as('U0ALICE', 'approvals')).stdout.join('\n')).toContain(second);
  });

  it('a rejected request cannot be approved afterwards', async () => {
    const id = requestIdIn((await as('U0ALICE', 'run', 'prod-churn')).text);
    expect((await as('U0LEAD1', 'reject', id, 'not', 'during', 'the', 'freeze')).stdout).toEqual([
      `${id} is rejected: rejected by U0LEAD1: not during the freeze`,
    ]);
    expect((await as('U0LEAD2', 'approve', id)).stderr[0]).toMatch(/already rejected/);
  });
});

describe('someone who holds no role', () => {
  it('can read nothing, and every read command says why and what to do', async () => {
    await as('U0ALICE', 'create', 'dev-churn', 'rate(1 day)', 'name=dev-daily', 'role=dev');
    await as('U0ALICE', 'run', 'prod-churn');
    const reads = [
      ['list'],
      ['list', 'dev-churn'],
      ['describe', 'dev-daily'],
      ['history', 'dev-churn'],
      ['pipelines'],
      ['orphans'],
      ['approvals'],
      ['audit'],
      ['audit', 'pipeline=dev-churn'],
    ];
    for (const argv of reads) {
      const result = await as('U0NOBODY', ...argv);
      expect(result.stderr.join('\n'), argv.join(' ')).toMatch(
        /you hold no role in the access policy, so you may not see its pipelines or triggers; ask an admin to add you to a role/,
      );
      expect(result.stdout.join('\n'), argv.join(' ')).not.toMatch(/dev-daily|prod-churn|req-/);
      expect(result.code, argv.join(' ')).toBe(2);
    }
    // A role holder sees them: the refusal is about the person, not an empty store.
    expect((await as('U0BOB', 'list')).stdout.join('\n')).toContain('dev-daily');
  });
});
