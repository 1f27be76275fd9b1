import type {
  PutRuleCommandInput,
  PutTargetsCommandInput,
  Target as RuleTargetInput,
} from '@aws-sdk/client-eventbridge';
import type { StartPipelineExecutionCommandInput } from '@aws-sdk/client-sagemaker';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import type { BackendRequest, RequestRenderer, StartExecutionRequest } from './ports.js';
import { scheduleDocument } from './schedule-document.js';
import {
  DEFAULT_EVENT_BUS,
  type EventTrigger,
  type RuleRecord,
  type RuleTarget,
  type ScheduleTrigger,
} from './triggers.js';

/**
 * The request bodies the AWS adapters send, as pure functions: the adapters send them, and a dry
 * run on either back end shows them (the local one stands in for AWS), so what a person
 * previews is exactly what AWS would receive. Type-only imports of the SDK: nothing here sends.
 */

/**
 * The whole schedule as CreateSchedule and UpdateSchedule take it (same members): its document
 * (schedule-document.ts: the held one with the domain's changes, or a new one), dates as Dates.
 */
export function scheduleInput(s: ScheduleTrigger, clientToken: string): CreateScheduleCommandInput {
  const document: Record<string, unknown> = { ...scheduleDocument(s), ClientToken: clientToken };
  for (const key of ['StartDate', 'EndDate'])
    if (typeof document[key] === 'string') document[key] = new Date(document[key]);
  return document as unknown as CreateScheduleCommandInput;
}

export function ruleInput(rule: EventTrigger) {
  return {
    Name: rule.name,
    EventPattern: rule.eventPattern,
    State: rule.state,
    // PutRule replaces the rule: an omitted description is cleared, as intended.
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
  };
}

export function ruleTargetInput(target: RuleTarget, roleArn: string): RuleTargetInput {
  return {
    Id: target.id,
    Arn: target.pipelineArn,
    RoleArn: roleArn,
    SageMakerPipelineParameters: {
      PipelineParameterList: target.parameters.map((p) => ({ Name: p.name, Value: p.value })),
    },
  };
}

/**
 * A changed rule as PutRule and PutTargets take it: the rule and each pipeline target as
 * EventBridge answered (held), with the modelled fields laid over. PutRule replaces the whole
 * rule, so everything it held (its own RoleArn, a CloudTrail state, the schedule) goes back.
 */
export function ruleUpdateInput(rule: RuleRecord): {
  putRule: PutRuleCommandInput;
  putTargets: PutTargetsCommandInput;
} {
  const held = rule.held?.rule ?? {};
  const heldState = typeof held.State === 'string' ? held.State : undefined;
  const { Arn: _arn, CreatedBy: _by, ManagedBy: _managed, ...kept } = held;
  const bus = rule.bus !== DEFAULT_EVENT_BUS ? { EventBusName: rule.bus } : {};
  const putRule: Record<string, unknown> = {
    ...kept,
    Name: rule.name,
    ...bus,
    // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is a kind of enabled: kept while enabled.
    State: rule.state === 'ENABLED' && heldState?.startsWith('ENABLED') ? heldState : rule.state,
  };
  delete putRule.EventPattern;
  delete putRule.Description;
  if (rule.eventPattern) putRule.EventPattern = rule.eventPattern;
  if (rule.scheduleExpression) putRule.ScheduleExpression = rule.scheduleExpression;
  if (rule.description) putRule.Description = rule.description;
  const heldTargets = new Map((rule.held?.targets ?? []).map((t) => [t.Id, t]));
  // The rule's role is read from its first pipeline target; targets made elsewhere may each
  // have their own, which stay unless the update sets a new role.
  const firstHeldRole = rule.held?.targets[0]?.RoleArn;
  const roleChanged = rule.held === undefined || rule.roleArn !== firstHeldRole;
  return {
    putRule: putRule as unknown as PutRuleCommandInput,
    putTargets: {
      Rule: rule.name,
      ...bus,
      Targets: rule.targets.map((t) => {
        const heldTarget = heldTargets.get(t.id) ?? {};
        const heldParameters = (heldTarget.SageMakerPipelineParameters ?? {}) as object;
        const role =
          roleChanged || typeof heldTarget.RoleArn !== 'string' ? rule.roleArn : heldTarget.RoleArn;
        return {
          ...heldTarget,
          ...ruleTargetInput(t, role),
          SageMakerPipelineParameters: {
            ...heldParameters,
            PipelineParameterList: t.parameters.map((p) => ({ Name: p.name, Value: p.value })),
          },
        } as RuleTargetInput;
      }),
    },
  };
}

export function startExecutionInput(
  request: StartExecutionRequest,
): StartPipelineExecutionCommandInput {
  return {
    PipelineName: request.pipelineName,
    // Ours, not the SDK's random one: a retried "run" must not start a second execution.
    ClientRequestToken: request.clientToken,
    PipelineParameters: request.parameters.map((p) => ({ Name: p.name, Value: p.value })),
    ...(request.displayName ? { PipelineExecutionDisplayName: request.displayName } : {}),
    ...(request.description ? { PipelineExecutionDescription: request.description } : {}),
  };
}

/** What each change sends, in order. The local back end mirrors AWS, so it renders the same. */
export const awsRequests: RequestRenderer = {
  createSchedule: (s, token): BackendRequest[] => [
    { operation: 'CreateSchedule', input: scheduleInput(s, token) },
  ],
  updateSchedule: (s, token): BackendRequest[] => [
    { operation: 'UpdateSchedule', input: scheduleInput(s, token) },
  ],
  deleteSchedule: (group, name, token): BackendRequest[] => [
    { operation: 'DeleteSchedule', input: { Name: name, GroupName: group, ClientToken: token } },
  ],
  putRule: (rule): BackendRequest[] => [
    { operation: 'PutRule', input: ruleInput(rule) },
    {
      operation: 'PutTargets',
      input: {
        Rule: rule.name,
        Targets: rule.targets.map((t) => ruleTargetInput(t, rule.roleArn)),
      },
    },
  ],
  updateRule: (rule): BackendRequest[] => {
    const { putRule, putTargets } = ruleUpdateInput(rule);
    return [
      { operation: 'PutRule', input: putRule },
      { operation: 'PutTargets', input: putTargets },
    ];
  },
  setRuleState: (name, state, bus): BackendRequest[] => [
    {
      operation: state === 'ENABLED' ? 'EnableRule' : 'DisableRule',
      input: { Name: name, ...busInput(bus) },
    },
  ],
  // Every target goes, pipeline or not: the rule cannot be deleted with any left.
  deleteRule: (rule, ids = rule.targets.map((t) => t.id)): BackendRequest[] => [
    { operation: 'RemoveTargets', input: { Rule: rule.name, Ids: ids, ...busInput(rule.bus) } },
    { operation: 'DeleteRule', input: { Name: rule.name, ...busInput(rule.bus) } },
  ],
  removeRuleTargets: (name, ids, bus): BackendRequest[] => [
    { operation: 'RemoveTargets', input: { Rule: name, Ids: ids, ...busInput(bus) } },
  ],
  startExecution: (request): BackendRequest[] => [
    { operation: 'StartPipelineExecution', input: startExecutionInput(request) },
  ],
};

/** Requests name the default bus by leaving EventBusName out. */
function busInput(bus: string | undefined): { EventBusName?: string } {
  return bus && bus !== 'default' ? { EventBusName: bus } : {};
}
