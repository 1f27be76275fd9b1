import type { Target as RuleTargetInput } from '@aws-sdk/client-eventbridge';
import type { StartPipelineExecutionCommandInput } from '@aws-sdk/client-sagemaker';
import type {
  CreateScheduleCommandInput,
  Target as ScheduleTargetInput,
} from '@aws-sdk/client-scheduler';
import type { BackendRequest, RequestRenderer, StartExecutionRequest } from './ports.js';
import type { EventTrigger, RuleTarget, ScheduleTrigger } from './triggers.js';

/**
 * The request bodies the AWS adapters send, as pure functions: the adapters send them, and a dry
 * run on either back end shows them (the local one stands in for AWS), so what a person
 * previews is exactly what AWS would receive. Type-only imports of the SDK: nothing here sends.
 */

/** The whole schedule as CreateSchedule and UpdateSchedule take it (same members). */
export function scheduleInput(s: ScheduleTrigger, clientToken: string): CreateScheduleCommandInput {
  const target: ScheduleTargetInput = {
    Arn: s.pipelineArn,
    RoleArn: s.roleArn,
    // Always present, even empty (`{}`, as the SageMaker Python SDK sends it): the block is
    // what makes Scheduler treat the pipeline ARN as the SageMaker templated target.
    SageMakerPipelineParameters:
      s.parameters.length > 0
        ? { PipelineParameterList: s.parameters.map((p) => ({ Name: p.name, Value: p.value })) }
        : {},
    // Scheduler's own defaults are undocumented; we always send ours.
    RetryPolicy: {
      MaximumEventAgeInSeconds: s.retryPolicy.maximumEventAgeSeconds,
      MaximumRetryAttempts: s.retryPolicy.maximumRetryAttempts,
    },
    ...(s.deadLetterArn ? { DeadLetterConfig: { Arn: s.deadLetterArn } } : {}),
  };
  return {
    Name: s.name,
    GroupName: s.group,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timeZone,
    ...(s.start ? { StartDate: s.start } : {}),
    ...(s.end ? { EndDate: s.end } : {}),
    FlexibleTimeWindow:
      s.flexibleWindowMinutes === undefined
        ? { Mode: 'OFF' }
        : { Mode: 'FLEXIBLE', MaximumWindowInMinutes: s.flexibleWindowMinutes },
    State: s.state,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ActionAfterCompletion: s.deleteAfterCompletion ? 'DELETE' : 'NONE',
    Target: target,
    ClientToken: clientToken,
  };
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
  setRuleState: (name, state): BackendRequest[] => [
    { operation: state === 'ENABLED' ? 'EnableRule' : 'DisableRule', input: { Name: name } },
  ],
  deleteRule: (rule): BackendRequest[] => [
    { operation: 'RemoveTargets', input: { Rule: rule.name, Ids: rule.targets.map((t) => t.id) } },
    { operation: 'DeleteRule', input: { Name: rule.name } },
  ],
  startExecution: (request): BackendRequest[] => [
    { operation: 'StartPipelineExecution', input: startExecutionInput(request) },
  ],
};
