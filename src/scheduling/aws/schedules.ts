import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { isTriggerError, TriggerError } from '../errors.js';
import { noSchedulingMetrics, type SchedulingMetrics } from '../metrics.js';
import type { SchedulesPort } from '../ports.js';
import { scheduleInput } from '../requests.js';
import { heldScheduleDocument, scheduleRecordOf } from '../schedule-document.js';
import type {
  Page,
  PageRequest,
  ScheduleRecord,
  ScheduleSummary,
  ScheduleTrigger,
} from '../triggers.js';
import { type AwsCall, callAws } from './aws-errors.js';
import { fillPage, readAllPages } from './paging.js';

/**
 * EventBridge Scheduler schedules: those the bot makes (the templated SageMaker target) and any
 * other it is shown, each read and written back whole (schedule-document.ts).
 */
export class AwsSchedules implements SchedulesPort {
  constructor(
    private readonly client: SchedulerClient,
    private readonly metrics: SchedulingMetrics = noSchedulingMetrics,
  ) {}

  async ensureGroup(group: string): Promise<void> {
    // Read first, so a deployment whose group was created by an operator needs no
    // scheduler:CreateScheduleGroup permission.
    const existing = await this.call(
      'GetScheduleGroup',
      { kind: 'schedule group', name: group },
      () => this.client.send(new GetScheduleGroupCommand({ Name: group })),
    ).catch((error: unknown) => {
      if (isTriggerError(error, 'NOT_FOUND')) return undefined;
      throw error;
    });
    if (existing?.State === 'DELETING') {
      throw new TriggerError(
        'CONFLICT',
        `schedule group ${group} is being deleted; try again later`,
        {
          service: 'scheduler',
          operation: 'GetScheduleGroup',
          resource: `schedule group ${group}`,
          requestId: existing.$metadata.requestId,
        },
      );
    }
    if (existing) return;
    await this.call('CreateScheduleGroup', { kind: 'schedule group', name: group }, () =>
      this.client.send(new CreateScheduleGroupCommand({ Name: group })),
    ).catch((error: unknown) => {
      // Another replica created it in the meantime.
      if (!isTriggerError(error, 'ALREADY_EXISTS')) throw error;
    });
  }

  async create(schedule: ScheduleTrigger, clientToken: string): Promise<{ arn: string }> {
    const output = await this.call(
      'CreateSchedule',
      scheduleResource(schedule),
      () => this.client.send(new CreateScheduleCommand(scheduleInput(schedule, clientToken))),
      {
        roleArn: schedule.roleArn,
        // The only thing CreateSchedule can miss is the group.
        notFoundMessage: `schedule group ${schedule.group} was not found`,
      },
    );
    return { arn: output.ScheduleArn ?? '' };
  }

  async get(group: string, name: string): Promise<ScheduleRecord> {
    const output = await this.call('GetSchedule', { kind: 'schedule', name, group }, () =>
      this.client.send(new GetScheduleCommand({ Name: name, GroupName: group })),
    );
    return scheduleRecordOf(heldScheduleDocument(output), {
      arn: output.Arn ?? '',
      group,
      name,
      ...(output.CreationDate ? { createdAt: output.CreationDate } : {}),
      ...(output.LastModificationDate ? { modifiedAt: output.LastModificationDate } : {}),
    });
  }

  async update(schedule: ScheduleTrigger, clientToken: string): Promise<{ arn: string }> {
    // UpdateSchedule resets every field it is not sent, so we always send them all.
    const output = await this.call(
      'UpdateSchedule',
      scheduleResource(schedule),
      () => this.client.send(new UpdateScheduleCommand(scheduleInput(schedule, clientToken))),
      { roleArn: schedule.roleArn },
    );
    return { arn: output.ScheduleArn ?? '' };
  }

  async delete(group: string, name: string, clientToken: string): Promise<void> {
    await this.call('DeleteSchedule', { kind: 'schedule', name, group }, () =>
      this.client.send(
        new DeleteScheduleCommand({ Name: name, GroupName: group, ClientToken: clientToken }),
      ),
    );
  }

  async list(
    query: PageRequest & { group: string; namePrefix?: string },
  ): Promise<Page<ScheduleSummary>> {
    return fillPage(query, async (nextToken, limit) => {
      const output = await this.call(
        'ListSchedules',
        { kind: 'schedule group', name: query.group },
        () =>
          this.client.send(
            new ListSchedulesCommand({
              GroupName: query.group,
              ...(query.namePrefix ? { NamePrefix: query.namePrefix } : {}),
              MaxResults: limit,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
      );
      return {
        // Summaries carry only the target ARN; the rest needs GetSchedule.
        items: (output.Schedules ?? []).map((s) => ({
          name: s.Name ?? '',
          group: s.GroupName ?? query.group,
          arn: s.Arn ?? '',
          state: s.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
          targetArn: s.Target?.Arn ?? '',
          ...(s.LastModificationDate ? { modifiedAt: s.LastModificationDate } : {}),
        })),
        nextToken: output.NextToken,
      };
    });
  }

  async listGroups(): Promise<string[]> {
    const groups = await readAllPages(async (nextToken, limit) => {
      const output = await this.call(
        'ListScheduleGroups',
        { kind: 'schedule group', name: '*' },
        () =>
          this.client.send(
            new ListScheduleGroupsCommand({
              MaxResults: limit,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
      );
      return { items: output.ScheduleGroups ?? [], nextToken: output.NextToken };
    });
    // A group being deleted still lists; its schedules go with it.
    return groups
      .filter((g) => g.State !== 'DELETING')
      .map((g) => g.Name ?? '')
      .filter(Boolean);
  }

  private call<T>(
    operation: string,
    resource: AwsCall['resource'],
    send: () => Promise<T>,
    extra: Partial<AwsCall> = {},
  ): Promise<T> {
    return callAws({ service: 'scheduler', operation, resource, ...extra }, send, this.metrics);
  }
}

function scheduleResource(schedule: ScheduleTrigger): AwsCall['resource'] {
  return { kind: 'schedule', name: schedule.name, group: schedule.group };
}
