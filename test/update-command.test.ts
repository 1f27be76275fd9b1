import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicy } from '../src/auth/policy.js';
import { parseCommand } from '../src/bot/commands/grammar.js';
import { type RuntimeHarness, startRuntime } from './support/runtime-harness.js';

/** `update <name> …`, typed as in the terminal or the CLI, on the real runtime and policy. */

const policy = `
roles:
  ml:        { users: [U0ALICE, U0BOB] }
  approvers: { users: [U0LEAD1] }
  viewers:   { users: [U0VIEW] }
executionRoles:
  prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
  dev:  arn:aws:iam::123456789012:role/PipelineSchedulerDev
pipelines:
  - match: "prod-*"
    create: [ml]
    delete: [approvers]
    pause: [ml]
    run: [ml]
    approval: { actions: [create], from: [approvers], count: 1 }
    executionRoles: [prod]
  - match: "*"
    create: [ml]
    update: [approvers]
    delete: [ml]
    pause: [ml]
    run: [ml]
    executionRoles: [dev]
`;

const pipelines = `
pipelines:
  - name: prod-churn
    parameters:
      - { name: Epochs, type: Integer, default: 10 }
    steps: [{ name: Train, seconds: 1 }]
  - name: dev-churn
    parameters:
      - { name: Epochs, type: Integer, default: 10 }
    steps: [{ name: Train, seconds: 1 }]
`;

let h: RuntimeHarness;
afterEach(async () => {
  await h.close();
});

describe('update', () => {
  it('changes what it names and keeps the rest, showing before → after and the runs of both', async () => {
    h = await startRuntime({});
    await h.say(
      "create churn-train 'cron(0 8 ? * MON-FRI *)' name=churn-weekdays tz=Europe/Berlin window=15 description=nightly param:InstanceType=ml.m5.xlarge",
    );
    const preview = await h.say(
      "update churn-weekdays 'cron(30 6 ? * MON-FRI *)' param:InstanceType=ml.m5.2xlarge --dry-run",
    );
    expect(preview).toMatch(
      /^dry run: nothing was changed\. schedule churn-weekdays would change:/,
    );
    expect(preview).toContain('UpdateSchedule');
    const described = async () => {
      const found = await h.runtime.service.describe('churn-weekdays');
      if (!found.ok || found.value.kind !== 'schedule') throw new Error('not found');
      return found.value.trigger;
    };
    expect((await described()).expression).toBe('cron(0 8 ? * MON-FRI *)');

    const done = await h.say(
      "update churn-weekdays 'cron(30 6 ? * MON-FRI *)' param:InstanceType=ml.m5.2xlarge end=2027-06-30",
    );
    const lines = done.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'updated schedule churn-weekdays:',
      '  expression: cron(0 8 ? * MON-FRI *) → cron(30 6 ? * MON-FRI *)',
      // A local time is read in the schedule's zone, and shown with its offset.
      '  end: (not set) → 2027-06-30T00:00:00+02:00',
      '  param:InstanceType: ml.m5.xlarge → ml.m5.2xlarge',
    ]);
    expect(done).toMatch(/next runs before:\n {4}\w{3} \d{4}-\d\d-\d\d 08:00 Europe\/Berlin/);
    expect(done).toMatch(/next runs after:\n {4}\w{3} \d{4}-\d\d-\d\d 06:30 Europe\/Berlin/);
    expect(await described()).toMatchObject({
      expression: 'cron(30 6 ? * MON-FRI *)',
      timeZone: 'Europe/Berlin',
      flexibleWindowMinutes: 15,
      description: 'nightly',
      parameters: [{ name: 'InstanceType', value: 'ml.m5.2xlarge' }],
    });

    // Clearing what was set: end=none, window=off.
    const cleared = await h.say('update churn-weekdays end=none window=off');
    expect(cleared.split('\n').slice(0, 3)).toEqual([
      'updated schedule churn-weekdays:',
      '  end: 2027-06-30T00:00:00+02:00 → (not set)',
      '  flexible window: 15 min → (not set)',
    ]);
    expect(await described()).not.toHaveProperty('end');

    // unset= stops setting a parameter: the pipeline's default applies.
    expect((await h.say('update churn-weekdays unset=InstanceType')).split('\n')[1]).toBe(
      '  param:InstanceType: ml.m5.2xlarge → (not set)',
    );
    expect((await described()).parameters).toEqual([]);
  });

  it('warns when a new time runs the pipeline when another trigger does, never about itself', async () => {
    h = await startRuntime({});
    await h.say("create churn-train 'cron(0 8 * * ? *)' name=churn-morning");
    await h.say("create churn-train 'cron(0 20 * * ? *)' name=churn-evening");
    expect(await h.say("update churn-evening 'cron(0 21 * * ? *)'")).not.toMatch(
      /⚠|warning|collid|twice/i,
    );
    const retimed = await h.say("update churn-evening 'cron(0 8 * * ? *)'");
    expect(retimed).toMatch(/churn-morning/);
  });

  it('tells the person precisely what is wrong, and changes nothing', async () => {
    h = await startRuntime({});
    await h.say("create churn-train 'rate(1 day)' name=churn-daily");
    expect(await h.say("update churn-daily 'rate(1 day)'")).toBe(
      'churn-daily is already like that: the update changes nothing',
    );
    expect(await h.say('update churn-daly tz=Europe/Berlin')).toMatch(
      /no schedule or rule named churn-daly \(did you mean churn-daily\?\)/,
    );
    expect(await h.say('update churn-daily tz=Asia/Tokio')).toMatch(/did you mean Asia\/Tokyo\?/);
    expect(await h.say("update churn-daily 'cron(0 8 * * MON-FRI *)'")).toMatch(
      /cron\(0 8 \? \* MON-FRI \*\)/,
    );
    expect(await h.say('update churn-daily {"source":["aws.s3"]}')).toMatch(
      /churn-daily is a schedule: an event pattern belongs to a rule/,
    );
    expect(await h.say('update churn-daily param:NoSuchParameter=1')).toMatch(/NoSuchParameter/);
    const bare = parseCommand('update churn-daily');
    expect(bare.ok ? '' : bare.message).toMatch(/update churn-daily changes nothing: give/);
    const found = await h.runtime.service.describe('churn-daily');
    expect(found.ok && found.value.kind === 'schedule' && found.value.trigger.expression).toBe(
      'rate(1 day)',
    );
  });

  it("changes a rule's pattern and parameters", async () => {
    h = await startRuntime({});
    await h.say(
      'on-event churn-train {"source":["aws.s3"]} name=on-data param:InstanceType=$.detail.instance',
    );
    expect(
      await h.say(
        'update on-data {"source":["aws.s3"],"detail-type":["Object Created"]} param:Epochs=5',
      ),
    ).toBe(
      [
        'updated rule on-data:',
        '  event pattern: {"source":["aws.s3"]} → {"source":["aws.s3"],"detail-type":["Object Created"]}',
        '  param:Epochs: (not set) → 5',
      ].join('\n'),
    );
    expect(await h.say('update on-data tz=Europe/Berlin')).toMatch(
      /on-data is a rule: tz belongs to schedules/,
    );
  });

  it('is decided by the policy as its own action, with the approval a create needs', async () => {
    h = await startRuntime({ policy, pipelines });
    for (const text of [
      "create prod-churn 'rate(1 day)' name=prod-daily role=prod",
      "create dev-churn 'rate(1 day)' name=dev-daily role=dev",
    ]) {
      const asked = await h.ask(text, 'U0ALICE');
      if (asked.kind === 'approval-requested')
        await h.ask(`approve ${asked.request.id}`, 'U0LEAD1');
    }
    // prod-*: whoever may create may update; the approval on create covers updates.
    const asked = await h.ask('update prod-daily param:Epochs=20', 'U0ALICE');
    expect(asked.kind).toBe('approval-requested');
    if (asked.kind !== 'approval-requested') return;
    expect(asked.request.action).toBe('update');
    // The requester sees what waits: the diff the check found.
    expect(asked.change?.changes).toEqual([{ field: 'param:Epochs', after: '20' }]);
    const waiting = await h.say('update prod-daily param:Epochs=30', 'U0ALICE');
    expect(waiting).toContain(
      '  what it changes:\n  param:Epochs: (not set) → 30\n  next runs before:',
    );
    // The terminal's list of waiting requests shows each one's diff.
    expect(await h.say('approvals', 'U0LEAD1')).toContain(
      '  update prod-daily param:Epochs=20\n    param:Epochs: (not set) → 20\n  approve ',
    );
    expect(await h.say(`approve ${asked.request.id}`, 'U0LEAD1')).toMatch(
      /updated prod-daily: param:Epochs/,
    );
    const found = await h.runtime.service.describe('prod-daily');
    expect(
      found.ok && found.value.trigger.kind === 'schedule' && found.value.trigger.parameters,
    ).toEqual([{ name: 'Epochs', value: '20' }]);
    // *: `update: [approvers]` names who may, apart from who may create.
    expect(await h.say('update dev-daily param:Epochs=5', 'U0ALICE')).toMatch(
      /only approvers may change triggers of dev-churn/,
    );
    expect(await h.say('update dev-daily param:Epochs=5', 'U0LEAD1')).toMatch(
      /^updated schedule dev-daily:/,
    );
    // A new role is checked against the rule's execution roles, as a create's is.
    expect(await h.say('update dev-daily role=prod', 'U0LEAD1')).toBe(
      'execution role prod is not allowed for dev-churn (rule 2: *); use dev',
    );
    const after = await h.runtime.service.describe('dev-daily');
    expect(after.ok && after.value.trigger.roleArn).toBe(
      'arn:aws:iam::123456789012:role/PipelineSchedulerDev',
    );
  });

  it('runs no change the gate could not decide: a trigger that cannot be read is not changed', async () => {
    h = await startRuntime({ policy, pipelines });
    const made = await h.ask("create dev-churn 'rate(1 day)' name=dev-daily role=dev", 'U0ALICE');
    expect(made.kind).toBe('schedule-created');
    // SageMaker throttles while the gate reads the trigger: the change is refused, not run.
    const service = h.runtime.service;
    const describe = service.describe.bind(service);
    service.describe = async () => ({
      ok: false,
      error: { code: 'THROTTLED', message: 'SageMaker is throttling DescribePipeline; try again' },
    });
    for (const text of [
      'update dev-daily param:Epochs=5',
      'delete dev-daily --yes',
      'pause dev-daily',
    ])
      expect(await h.say(text, 'U0VIEW'), text).toMatch(/throttling/);
    service.describe = describe;
    const found = await service.describe('dev-daily');
    expect(found.ok && found.value.trigger.state).toBe('ENABLED');
    expect(
      found.ok && found.value.trigger.kind === 'schedule' && found.value.trigger.parameters,
    ).toEqual([]);
  });

  it('reads update from a policy file: approvals on create cover it, and on delete for triggers made elsewhere', () => {
    const parsed = parsePolicy(`
roles:
  ml: { users: [U0ALICE] }
madeElsewhere:
  approval: { actions: [delete], from: [ml] }
  forbid: [delete]
pipelines:
  - match: "*"
    create: [ml]
    approval: { actions: [create], from: [ml] }
`);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const [rule] = parsed.policy.pipelines;
    expect(rule?.update).toEqual(['ml']);
    expect(rule?.approval?.actions).toEqual(['create', 'update']);
    expect(parsed.policy.madeElsewhere.approval?.actions).toEqual(['delete', 'update']);
    expect(parsed.policy.madeElsewhere.forbid).toEqual(['delete', 'update']);
  });
});
