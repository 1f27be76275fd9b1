import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';

/**
 * The access policy over triggers the bot did not make (here the SageMaker SDK's
 * `default/churn-train`, from examples/foreign-triggers.yml), through the command line.
 */

const FOREIGN = join(import.meta.dirname, '../examples/foreign-triggers.yml');

const policyWith = (madeElsewhere: string) => `
roles:
  ml:     { users: [U0ALICE] }
  admins: { users: [U0ADMIN] }
executionRoles:
  local: arn:aws:iam::000000000000:role/LocalPipelineScheduler
${madeElsewhere}
pipelines:
  - match: "*"
    create: [ml, admins]
    delete: [ml, admins]
    pause: [ml, admins]
    run: [ml, admins]
    executionRoles: [local]
`;

function account(policy: string) {
  const dir = mkdtempSync(join(tmpdir(), 'made-elsewhere-'));
  writeFileSync(join(dir, 'policy.yml'), policy);
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
    POLICY_FILE: join(dir, 'policy.yml'),
    LOCAL_FOREIGN_TRIGGERS: FOREIGN,
  };
  return async (user: string, ...argv: string[]) => {
    const lines: string[] = [];
    const code = await runCli(argv, {
      stdout: (l) => lines.push(l),
      stderr: (l) => lines.push(l),
      now: () => new Date(),
      env: { ...env, LOCAL_USER: user },
    });
    return { code, text: lines.join('\n') };
  };
}

describe('actions on a trigger made elsewhere', () => {
  it('are allowed like any other when the policy says nothing, and audited with their maker', async () => {
    const as = account(policyWith(''));
    const paused = await as('U0ALICE', 'pause', 'default/churn-train');
    expect(paused.code).toBe(0);
    expect(paused.text).toMatch(/paused schedule default\/churn-train/i);
    const audit = await as('U0ALICE', 'audit');
    expect(audit.text).toMatch(
      /executed\s+pause default\/churn-train .*default\/churn-train was made with the SageMaker Python SDK/,
    );
    const described = await as('U0ALICE', 'describe', 'default/churn-train');
    expect(described.text).toMatch(/disabled|paused/);
    expect(described.text).toMatch(/SageMaker Python SDK/);
  });

  it('wait for the approval the policy asks for them, while the bot’s own do not', async () => {
    const as = account(
      policyWith('madeElsewhere:\n  approval: { actions: [pause], from: [admins] }'),
    );
    const asked = await as('U0ALICE', 'pause', 'default/churn-train');
    expect(asked.text).toMatch(/needs an approval from admins/);
    const id = /req-[0-9a-f-]{36}/.exec(asked.text)?.[0] ?? '';
    expect((await as('U0ALICE', 'describe', 'default/churn-train')).text).toMatch(/enabled/);
    const approved = await as('U0ADMIN', 'approve', id);
    expect(approved.code).toBe(0);
    expect((await as('U0ALICE', 'describe', 'default/churn-train')).text).toMatch(/disabled/);

    const own = await as('U0ALICE', 'create', 'churn-train', 'cron(0 9 ? * TUE *)', 'name=mine');
    expect(own.code).toBe(0);
    const pausedOwn = await as('U0ALICE', 'pause', 'mine');
    expect(pausedOwn.text).toMatch(/paused schedule mine/i);
  });

  it('are refused when the policy forbids them, naming who made the trigger', async () => {
    const as = account(policyWith('madeElsewhere:\n  forbid: [delete]'));
    const refused = await as('U0ALICE', 'delete', 'default/churn-train');
    expect(refused.code).toBe(2);
    expect(refused.text).toContain(
      'the access policy forbids anyone to delete triggers made outside the bot, and default/churn-train was made with the SageMaker Python SDK (inferred from its shape)',
    );
    // The SDK orphan cannot be cleaned either, and adopting deletes the original: refused too.
    expect((await as('U0ALICE', 'orphans', 'clean')).code).toBe(2);
    expect((await as('U0ALICE', 'adopt', 'default/churn-train')).code).toBe(2);
    expect((await as('U0ALICE', 'describe', 'default/churn-train')).code).toBe(0);
    const audit = await as('U0ALICE', 'audit');
    expect(audit.text).toMatch(/denied\s+delete default\/churn-train/);
  });

  it('a dry run of a create beside one of them says what it collides with', async () => {
    const as = account(policyWith(''));
    const dry = await as(
      'U0ALICE',
      'create',
      'churn-train',
      'cron(0 6 ? * MON *)',
      'name=churn-train',
      '--dry-run',
    );
    expect(dry.code).toBe(0);
    expect(dry.text).toContain('CreateSchedule');
    expect(dry.text).toMatch(/warning: .*default\/churn-train.*SageMaker/);
  });
});
