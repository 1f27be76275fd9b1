import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RuntimeHarness, startRuntime } from './support/runtime-harness.js';

/**
 * The role check on the local back end, typed as in the terminal or the CLI: a pipeline whose
 * start fails (startFails: in the pipelines file) stands for a role that may not start it.
 */
let h: RuntimeHarness;
afterEach(async () => {
  await h.close();
});

const pipelines = `
pipelines:
  - name: denied-train
    startFails: "User: arn:aws:sts::000000000000:assumed-role/LocalPipelineScheduler/scheduler is not authorized to perform: sagemaker:StartPipelineExecution"
    steps: [{ name: Train, seconds: 1 }]
  - name: churn-train
    steps: [{ name: Train, seconds: 1 }]
`;

describe('the role check, locally', () => {
  it('warns in the reply and the dry run, and passes a pipeline the role may start', async () => {
    h = await startRuntime({ pipelines });
    const dry = await h.say("create denied-train 'cron(0 8 * * ? *)' --dry-run");
    expect(dry).toContain(
      'warning: role LocalPipelineScheduler: it may not start this pipeline (startFails in the local pipelines file: User: arn:aws:sts::000000000000:assumed-role/LocalPipelineScheduler/scheduler is not authorized',
    );
    expect(await h.say("create denied-train 'cron(0 8 * * ? *)' name=nightly")).toMatch(
      /created schedule nightly[\s\S]*warning: role LocalPipelineScheduler: it may not start this pipeline/,
    );
    expect(await h.say("create churn-train 'cron(0 8 * * ? *)' name=fine")).not.toContain(
      'warning: role',
    );
  });

  it('refuses with roleCheck: refuse in the policy, saying why', async () => {
    h = await startRuntime({
      pipelines,
      policy:
        'roleCheck: refuse\nroles:\n  all: { everyone: true }\npipelines:\n  - match: "*"\n    create: [all]\n    delete: [all]\n    pause: [all]\n    run: [all]\n',
    });
    const refused = await h.say('on-event denied-train \'{"source":["my.app"]}\' name=on-app');
    expect(refused).toMatch(
      /role LocalPipelineScheduler: it may not start this pipeline .*; the access policy refuses roles that fail the check \(roleCheck: refuse\)/,
    );
    expect(await h.say('list')).not.toContain('on-app');
  });

  it('checks the role of a schedule adopted from elsewhere, and refuses it under refuse', async () => {
    // What the SageMaker SDK's put_triggers leaves in the default group.
    const foreign = join(mkdtempSync(join(tmpdir(), 'role-check-')), 'foreign.yml');
    writeFileSync(
      foreign,
      `schedules:
  - Name: denied-train
    GroupName: default
    ScheduleExpression: rate(1 day)
    State: ENABLED
    FlexibleTimeWindow: { Mode: "OFF" }
    Target:
      Arn: arn:aws:sagemaker:local-1:000000000000:pipeline/denied-train
      RoleArn: arn:aws:iam::000000000000:role/LocalPipelineScheduler
      SageMakerPipelineParameters: {}
`,
    );
    h = await startRuntime({ pipelines, env: { LOCAL_FOREIGN_TRIGGERS: foreign } });
    expect(await h.say('adopt default/denied-train --dry-run')).toMatch(
      /warning: role LocalPipelineScheduler: it may not start this pipeline/,
    );
    expect(await h.say('adopt default/denied-train')).toMatch(
      /adopted default\/denied-train as [\w-]+\/denied-train[\s\S]*warning: role LocalPipelineScheduler/,
    );
    await h.close();
    h = await startRuntime({
      pipelines,
      env: { LOCAL_FOREIGN_TRIGGERS: foreign },
      policy: `roleCheck: refuse
roles:
  all: { everyone: true }
executionRoles:
  local: arn:aws:iam::000000000000:role/LocalPipelineScheduler
pipelines:
  - match: "*"
    create: [all]
    delete: [all]
    pause: [all]
    run: [all]
    executionRoles: [local]
`,
    });
    expect(await h.say('adopt default/denied-train')).toMatch(/\(roleCheck: refuse\)/);
    expect(await h.say('describe default/denied-train')).toContain('default/denied-train');
  });
});
