import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { isTriggerError } from '../errors.js';
import { PIPELINE_ARN, pipelineNameOf } from '../pipeline.js';
import { readScheduleDocument } from '../schedule-document.js';
import { DEFAULT_EVENT_BUS } from '../triggers.js';
import type { LocalRule, LocalRules } from './local-rules.js';
import type { LocalSchedules } from './local-schedules.js';

/**
 * Triggers the bot did not make, for the local back end (`LOCAL_FOREIGN_TRIGGERS`): schedules
 * as GetSchedule returns them (what the SageMaker SDK's `put_triggers` or the console wrote) and
 * rules as DescribeRule + ListTargetsByRule show them, so `npm start` can show a trigger made
 * elsewhere, an orphan and a collision. Put in once: a trigger that exists is left as it is,
 * so what was changed in chat survives a restart.
 */

const document = z.record(z.string(), z.unknown());

const fileSchema = z.strictObject({
  schedules: z
    .array(
      document.refine(
        (s) => typeof s.Name === 'string' && typeof s.ScheduleExpression === 'string',
        {
          message: 'a schedule needs Name and ScheduleExpression',
        },
      ),
    )
    .default([]),
  rules: z
    .array(
      z.strictObject({
        Name: z.string().min(1),
        EventPattern: z.string().optional(),
        ScheduleExpression: z.string().optional(),
        State: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
        Description: z.string().optional(),
        ManagedBy: z.string().optional(),
        Tags: z.record(z.string(), z.string()).optional(),
        Targets: z
          .array(
            z
              .object({
                Id: z.string().min(1),
                Arn: z.string().min(1),
                RoleArn: z.string().optional(),
                SageMakerPipelineParameters: z
                  .object({
                    PipelineParameterList: z
                      .array(z.object({ Name: z.string(), Value: z.string() }))
                      .optional(),
                  })
                  .optional(),
              })
              .loose(),
          )
          .max(5),
      }),
    )
    .default([]),
});

export type ForeignTriggers = z.output<typeof fileSchema>;

export function loadForeignTriggers(path: string): ForeignTriggers {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`LOCAL_FOREIGN_TRIGGERS: cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(parse(text));
  if (!parsed.success)
    throw new Error(
      `LOCAL_FOREIGN_TRIGGERS ${path}: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
        .join('; ')}`,
    );
  return parsed.data;
}

/** Puts in whatever is not there yet; returns how many of each were added. */
export async function seedForeignTriggers(
  backend: { schedules: LocalSchedules; rules: LocalRules },
  triggers: ForeignTriggers,
): Promise<{ schedules: number; rules: number }> {
  let schedules = 0;
  let rules = 0;
  for (const held of triggers.schedules) {
    const schedule = readScheduleDocument({ GroupName: 'default', ...held });
    await backend.schedules.ensureGroup(schedule.group);
    try {
      await backend.schedules.get(schedule.group, schedule.name);
      continue;
    } catch (error) {
      if (!isTriggerError(error, 'NOT_FOUND')) throw error;
    }
    await backend.schedules.create(schedule, `seed-${schedule.group}-${schedule.name}`);
    schedules += 1;
  }
  for (const rule of triggers.rules) {
    try {
      await backend.rules.get(rule.Name);
      continue;
    } catch (error) {
      if (!isTriggerError(error, 'NOT_FOUND')) throw error;
    }
    await backend.rules.store(localRule(rule));
    rules += 1;
  }
  return { schedules, rules };
}

function localRule(rule: ForeignTriggers['rules'][number]): LocalRule {
  const pipelines = rule.Targets.filter((t) => PIPELINE_ARN.test(t.Arn));
  return {
    kind: 'event',
    name: rule.Name,
    bus: DEFAULT_EVENT_BUS,
    eventPattern: rule.EventPattern ?? '',
    ...(rule.ScheduleExpression ? { scheduleExpression: rule.ScheduleExpression } : {}),
    state: rule.State,
    roleArn: pipelines[0]?.RoleArn ?? '',
    ...(rule.Description ? { description: rule.Description } : {}),
    ...(rule.ManagedBy ? { managedBy: rule.ManagedBy } : {}),
    ...(rule.Tags ? { tags: rule.Tags } : {}),
    targets: pipelines.map((t) => ({
      id: t.Id,
      pipelineArn: t.Arn,
      pipelineName: pipelineNameOf(t.Arn),
      parameters: (t.SageMakerPipelineParameters?.PipelineParameterList ?? []).map((p) => ({
        name: p.Name,
        value: p.Value,
      })),
    })),
    otherTargets: rule.Targets.filter((t) => !PIPELINE_ARN.test(t.Arn)).map((t) => ({
      id: t.Id,
      arn: t.Arn,
    })),
  };
}
