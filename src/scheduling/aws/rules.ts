import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { noSchedulingMetrics, type SchedulingMetrics } from '../metrics.js';
import { pipelineNameOf } from '../pipeline.js';
import type { RulesPort } from '../ports.js';
import { ruleInput, ruleTargetInput } from '../requests.js';
import type {
  EventTrigger,
  Page,
  PageRequest,
  RuleRecord,
  RuleSummary,
  RuleTarget,
  TriggerState,
} from '../triggers.js';
import { type AwsCall, callAws, failedEntriesError } from './aws-errors.js';
import { fillPage, readAllPages } from './paging.js';

/** PutTargets and RemoveTargets take at most 10 entries per request (API reference). */
const MAX_ENTRIES_PER_REQUEST = 10;

/**
 * EventBridge rules on the default bus whose targets start SageMaker pipelines. Parameter
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

  async get(name: string): Promise<RuleRecord> {
    const rule = await this.call('DescribeRule', name, () =>
      this.client.send(new DescribeRuleCommand({ Name: name })),
    );
    const targets = await this.listTargets(name);
    return {
      kind: 'event',
      arn: rule.Arn ?? '',
      name: rule.Name ?? name,
      eventPattern: rule.EventPattern ?? '',
      state: toState(rule.State),
      // Our triggers give every target the same role; DescribeRule's RoleArn is something else
      // (cross-account bus targets).
      roleArn: targets[0]?.RoleArn ?? '',
      ...(rule.Description ? { description: rule.Description } : {}),
      targets: targets.map(fromTarget),
    };
  }

  async setState(name: string, state: TriggerState): Promise<void> {
    if (state === 'ENABLED') {
      await this.call('EnableRule', name, () =>
        this.client.send(new EnableRuleCommand({ Name: name })),
      );
    } else {
      await this.call('DisableRule', name, () =>
        this.client.send(new DisableRuleCommand({ Name: name })),
      );
    }
  }

  async delete(name: string): Promise<void> {
    // DeleteRule succeeds on a rule that does not exist; ListTargetsByRule is what tells
    // us (ResourceNotFoundException), and DeleteRule needs the targets gone anyway.
    const targets = await this.listTargets(name);
    await this.removeTargets(
      name,
      targets.map((t) => t.Id).filter((id): id is string => id !== undefined),
    );
    await this.call('DeleteRule', name, () =>
      this.client.send(new DeleteRuleCommand({ Name: name })),
    );
  }

  async list(query: PageRequest & { namePrefix?: string }): Promise<Page<RuleSummary>> {
    return fillPage(query, async (nextToken, limit) => {
      const output = await this.call('ListRules', `${query.namePrefix ?? ''}*`, () =>
        this.client.send(
          new ListRulesCommand({
            ...(query.namePrefix ? { NamePrefix: query.namePrefix } : {}),
            Limit: limit,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      return {
        items: (output.Rules ?? []).map((r) => ({
          name: r.Name ?? '',
          arn: r.Arn ?? '',
          state: toState(r.State),
        })),
        nextToken: output.NextToken,
      };
    });
  }

  private listTargets(rule: string): Promise<Target[]> {
    return readAllPages(async (nextToken, limit) => {
      const output = await this.call('ListTargetsByRule', rule, () =>
        this.client.send(
          new ListTargetsByRuleCommand({
            Rule: rule,
            Limit: limit,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      return { items: output.Targets ?? [], nextToken: output.NextToken };
    });
  }

  private async removeTargets(rule: string, ids: string[]): Promise<void> {
    for (const chunk of chunks(ids, MAX_ENTRIES_PER_REQUEST)) {
      const result = await this.call('RemoveTargets', rule, () =>
        this.client.send(new RemoveTargetsCommand({ Rule: rule, Ids: chunk })),
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
          this.describeCall('RemoveTargets', rule),
          result.$metadata.requestId,
        );
      }
    }
  }

  private describeCall(operation: string, rule: string, extra: Partial<AwsCall> = {}): AwsCall {
    return { service: 'events', operation, resource: { kind: 'rule', name: rule }, ...extra };
  }

  private call<T>(
    operation: string,
    rule: string,
    send: () => Promise<T>,
    extra: Partial<AwsCall> = {},
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

/** ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is a kind of enabled. */
function toState(state: string | undefined): TriggerState {
  return state === 'DISABLED' ? 'DISABLED' : 'ENABLED';
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
