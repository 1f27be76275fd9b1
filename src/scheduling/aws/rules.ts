import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { noSchedulingMetrics, type SchedulingMetrics } from '../metrics.js';
import { PIPELINE_ARN, pipelineNameOf } from '../pipeline.js';
import type { RulesPort } from '../ports.js';
import { ruleInput, ruleTargetInput, ruleUpdateInput } from '../requests.js';
import {
  DEFAULT_EVENT_BUS,
  type EventTrigger,
  type Page,
  type PageRequest,
  type RuleRecord,
  type RuleSummary,
  type RuleTarget,
  type TriggerState,
} from '../triggers.js';
import { type AwsCall, callAws, failedEntriesError } from './aws-errors.js';
import { fillPage, readAllPages } from './paging.js';

/** PutTargets and RemoveTargets take at most 10 entries per request (API reference). */
const MAX_ENTRIES_PER_REQUEST = 10;

/**
 * EventBridge rules: the bot's own on the default bus, and those of the buses it watches; only
 * their pipeline targets are the bot's business, the others are counted and left alone. Parameter
 * values written as a JSON path (`$.detail.x`) are sent as they are: EventBridge substitutes
 * them from the matched event (dynamic path parameters).
 */
export class AwsRules implements RulesPort {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly metrics: SchedulingMetrics = noSchedulingMetrics,
  ) {}

  async put(rule: EventTrigger): Promise<{ arn: string }> {
    const output = await this.call('PutRule', rule.name, () =>
      this.client.send(new PutRuleCommand(ruleInput(rule))),
    );
    const wanted = new Set(rule.targets.map((t) => t.id));
    const stale = (await this.listTargets(rule.name))
      .map((t) => t.Id)
      .filter((id): id is string => id !== undefined && !wanted.has(id));
    try {
      // Stale targets go first: old and new together could pass the five-targets-per-rule limit.
      await this.removeTargets(rule.name, stale);
      for (const chunk of chunks(rule.targets, MAX_ENTRIES_PER_REQUEST)) {
        const result = await this.call(
          'PutTargets',
          rule.name,
          () =>
            this.client.send(
              new PutTargetsCommand({
                Rule: rule.name,
                Targets: chunk.map((t) => ruleTargetInput(t, rule.roleArn)),
              }),
            ),
          { roleArn: rule.roleArn },
        );
        // A 200 answer can still carry failed entries.
        if ((result.FailedEntryCount ?? 0) > 0 || (result.FailedEntries?.length ?? 0) > 0) {
          throw failedEntriesError(
            result.FailedEntries ?? [],
            this.describeCall('PutTargets', rule.name, { roleArn: rule.roleArn }),
            result.$metadata.requestId,
          );
        }
      }
    } catch (error) {
      await this.dropIfTargetless(rule.name);
      throw error;
    }
    return { arn: output.RuleArn ?? '' };
  }

  async update(rule: RuleRecord): Promise<void> {
    const { putRule, putTargets } = ruleUpdateInput(rule);
    await this.call('PutRule', rule.name, () => this.client.send(new PutRuleCommand(putRule)), {
      bus: rule.bus,
    });
    for (const chunk of chunks(putTargets.Targets ?? [], MAX_ENTRIES_PER_REQUEST)) {
      const result = await this.call(
        'PutTargets',
        rule.name,
        () => this.client.send(new PutTargetsCommand({ ...putTargets, Targets: chunk })),
        { roleArn: rule.roleArn, bus: rule.bus },
      );
      if ((result.FailedEntryCount ?? 0) > 0 || (result.FailedEntries?.length ?? 0) > 0) {
        throw failedEntriesError(
          result.FailedEntries ?? [],
          this.describeCall('PutTargets', rule.name, { roleArn: rule.roleArn, bus: rule.bus }),
          result.$metadata.requestId,
        );
      }
    }
  }

  /**
   * PutRule succeeded but the targets did not: a rule left with no target starts nothing and
   * would make a retry with the same name look taken. Best effort; the original error wins.
   */
  private async dropIfTargetless(name: string): Promise<void> {
    try {
      if ((await this.listTargets(name)).length === 0) {
        await this.call('DeleteRule', name, () =>
          this.client.send(new DeleteRuleCommand({ Name: name })),
        );
      }
    } catch {
      // The caller reports the first failure; this one would only hide it.
    }
  }

  async get(name: string, bus = DEFAULT_EVENT_BUS): Promise<RuleRecord> {
    const rule = await this.call(
      'DescribeRule',
      name,
      () => this.client.send(new DescribeRuleCommand({ Name: name, ...busOf(bus) })),
      { bus },
    );
    const targets = await this.listTargets(name, bus);
    const pipelines = targets.filter((t) => PIPELINE_ARN.test(t.Arn ?? ''));
    return {
      kind: 'event',
      arn: rule.Arn ?? '',
      name: rule.Name ?? name,
      bus: rule.EventBusName || bus,
      eventPattern: rule.EventPattern ?? '',
      ...(rule.ScheduleExpression ? { scheduleExpression: rule.ScheduleExpression } : {}),
      state: toState(rule.State),
      // Our triggers give every target the same role; DescribeRule's RoleArn is something else
      // (cross-account bus targets).
      roleArn: pipelines[0]?.RoleArn ?? '',
      ...(rule.Description ? { description: rule.Description } : {}),
      ...(rule.ManagedBy ? { managedBy: rule.ManagedBy } : {}),
      targets: pipelines.map(fromTarget),
      otherTargets: targets
        .filter((t) => !PIPELINE_ARN.test(t.Arn ?? ''))
        .map((t) => ({ id: t.Id ?? '', arn: t.Arn ?? '' })),
      held: { rule: withoutMetadata(rule), targets: pipelines.map((t) => ({ ...t })) },
    };
  }

  /** The rule's tags (CloudFormation's `aws:cloudformation:stack-name` among them). */
  async tags(ruleArn: string, name: string): Promise<Record<string, string>> {
    const output = await this.call('ListTagsForResource', name, () =>
      this.client.send(new ListTagsForResourceCommand({ ResourceARN: ruleArn })),
    );
    return Object.fromEntries((output.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  }

  /** The rules on this bus with a target of this ARN: no need to describe every rule. */
  async namesByTarget(targetArn: string, bus = DEFAULT_EVENT_BUS): Promise<string[]> {
    return readAllPages(async (nextToken, limit) => {
      const output = await this.call(
        'ListRuleNamesByTarget',
        targetArn,
        () =>
          this.client.send(
            new ListRuleNamesByTargetCommand({
              TargetArn: targetArn,
              ...busOf(bus),
              Limit: limit,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        { bus },
      );
      return { items: output.RuleNames ?? [], nextToken: output.NextToken };
    });
  }

  async setState(name: string, state: TriggerState, bus = DEFAULT_EVENT_BUS): Promise<void> {
    const input = { Name: name, ...busOf(bus) };
    if (state === 'ENABLED') {
      await this.call('EnableRule', name, () => this.client.send(new EnableRuleCommand(input)), {
        bus,
      });
    } else {
      await this.call('DisableRule', name, () => this.client.send(new DisableRuleCommand(input)), {
        bus,
      });
    }
  }

  async delete(name: string, bus = DEFAULT_EVENT_BUS): Promise<void> {
    // DeleteRule succeeds on a rule that does not exist; ListTargetsByRule is what tells
    // us (ResourceNotFoundException), and DeleteRule needs the targets gone anyway.
    const targets = await this.listTargets(name, bus);
    await this.removeTargets(
      name,
      targets.map((t) => t.Id).filter((id): id is string => id !== undefined),
      bus,
    );
    await this.call(
      'DeleteRule',
      name,
      () => this.client.send(new DeleteRuleCommand({ Name: name, ...busOf(bus) })),
      { bus },
    );
  }

  async list(
    query: PageRequest & { namePrefix?: string; bus?: string },
  ): Promise<Page<RuleSummary>> {
    const bus = query.bus ?? DEFAULT_EVENT_BUS;
    return fillPage(query, async (nextToken, limit) => {
      const output = await this.call(
        'ListRules',
        `${query.namePrefix ?? ''}*`,
        () =>
          this.client.send(
            new ListRulesCommand({
              ...(query.namePrefix ? { NamePrefix: query.namePrefix } : {}),
              ...busOf(bus),
              Limit: limit,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        { bus },
      );
      return {
        items: (output.Rules ?? []).map((r) => ({
          name: r.Name ?? '',
          arn: r.Arn ?? '',
          state: toState(r.State),
          bus: r.EventBusName || bus,
        })),
        nextToken: output.NextToken,
      };
    });
  }

  private listTargets(rule: string, bus = DEFAULT_EVENT_BUS): Promise<Target[]> {
    return readAllPages(async (nextToken, limit) => {
      const output = await this.call(
        'ListTargetsByRule',
        rule,
        () =>
          this.client.send(
            new ListTargetsByRuleCommand({
              Rule: rule,
              ...busOf(bus),
              Limit: limit,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
        { bus },
      );
      return { items: output.Targets ?? [], nextToken: output.NextToken };
    });
  }

  /** RemoveTargets with exactly these ids: the rest of the rule stays as it is. */
  async removeTargets(rule: string, ids: string[], bus = DEFAULT_EVENT_BUS): Promise<void> {
    for (const chunk of chunks(ids, MAX_ENTRIES_PER_REQUEST)) {
      const result = await this.call(
        'RemoveTargets',
        rule,
        () => this.client.send(new RemoveTargetsCommand({ Rule: rule, Ids: chunk, ...busOf(bus) })),
        { bus },
      );
      // A target someone else removed meanwhile is gone, which is what we wanted.
      const failed = (result.FailedEntries ?? []).filter(
        (e) => e.ErrorCode !== 'ResourceNotFoundException',
      );
      if (
        failed.length > 0 ||
        (result.FailedEntryCount ?? 0) > (result.FailedEntries?.length ?? 0)
      ) {
        throw failedEntriesError(
          failed,
          this.describeCall('RemoveTargets', rule, { bus }),
          result.$metadata.requestId,
        );
      }
    }
  }

  private describeCall(
    operation: string,
    rule: string,
    extra: Partial<AwsCall> & { bus?: string } = {},
  ): AwsCall {
    const { bus, ...rest } = extra;
    return {
      service: 'events',
      operation,
      resource: {
        kind: 'rule',
        name: rule,
        ...(bus && bus !== DEFAULT_EVENT_BUS ? { group: bus } : {}),
      },
      ...rest,
    };
  }

  private call<T>(
    operation: string,
    rule: string,
    send: () => Promise<T>,
    extra: Partial<AwsCall> & { bus?: string } = {},
  ): Promise<T> {
    return callAws(this.describeCall(operation, rule, extra), send, this.metrics);
  }
}

function fromTarget(target: Target): RuleTarget {
  const pipelineArn = target.Arn ?? '';
  return {
    id: target.Id ?? '',
    pipelineArn,
    pipelineName: pipelineNameOf(pipelineArn),
    parameters: (target.SageMakerPipelineParameters?.PipelineParameterList ?? []).map((p) => ({
      name: p.Name ?? '',
      value: p.Value ?? '',
    })),
  };
}

/** An SDK answer as the resource it describes: the response metadata is not part of it. */
function withoutMetadata(output: { $metadata?: unknown }): Record<string, unknown> {
  const { $metadata: _metadata, ...resource } = output;
  return resource;
}

/** ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is a kind of enabled. */
function toState(state: string | undefined): TriggerState {
  return state === 'DISABLED' ? 'DISABLED' : 'ENABLED';
}

/** The default bus is the one a request names by leaving EventBusName out. */
function busOf(bus: string): { EventBusName?: string } {
  return bus === DEFAULT_EVENT_BUS ? {} : { EventBusName: bus };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
