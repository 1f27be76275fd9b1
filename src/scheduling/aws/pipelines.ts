import {
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  ListPipelinesCommand,
  type SageMakerClient,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  type UserContext,
} from '@aws-sdk/client-sagemaker';
import { noSchedulingMetrics, type SchedulingMetrics } from '../metrics.js';
import {
  type Pipeline,
  type PipelineSummary,
  parametersFromDefinition,
  pipelineNameOf,
} from '../pipeline.js';
import type { PipelinesPort, StartExecutionRequest } from '../ports.js';
import { startExecutionInput } from '../requests.js';
import type {
  Execution,
  ExecutionStatus,
  ExecutionSummary,
  Page,
  PageRequest,
} from '../triggers.js';
import { type AwsCall, callAws } from './aws-errors.js';
import { fillPage, readAllPages } from './paging.js';

const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'Executing',
  'Stopping',
  'Stopped',
  'Failed',
  'Succeeded',
];
const FINISHED: ReadonlySet<ExecutionStatus> = new Set(['Stopped', 'Failed', 'Succeeded']);

/** SageMaker pipelines and their executions. */
export class AwsPipelines implements PipelinesPort {
  constructor(
    private readonly client: SageMakerClient,
    private readonly metrics: SchedulingMetrics = noSchedulingMetrics,
  ) {}

  async list(query: PageRequest & { namePrefix?: string }): Promise<Page<PipelineSummary>> {
    return fillPage(query, async (nextToken, limit) => {
      const output = await this.call(
        'ListPipelines',
        'pipeline',
        `${query.namePrefix ?? ''}*`,
        () =>
          this.client.send(
            new ListPipelinesCommand({
              ...(query.namePrefix ? { PipelineNamePrefix: query.namePrefix } : {}),
              // By name, so a picker reads alphabetically; SageMaker defaults to creation time.
              SortBy: 'Name',
              SortOrder: 'Ascending',
              MaxResults: limit,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
      );
      return {
        items: (output.PipelineSummaries ?? []).map((p) => ({
          name: p.PipelineName ?? pipelineNameOf(p.PipelineArn ?? ''),
          arn: p.PipelineArn ?? '',
          ...(p.PipelineDisplayName ? { displayName: p.PipelineDisplayName } : {}),
          ...(p.PipelineDescription ? { description: p.PipelineDescription } : {}),
          ...(p.LastExecutionTime ? { lastExecutionTime: p.LastExecutionTime } : {}),
        })),
        nextToken: output.NextToken,
      };
    });
  }

  async describe(nameOrArn: string): Promise<Pipeline> {
    const name = pipelineNameOf(nameOrArn);
    const output = await this.call('DescribePipeline', 'pipeline', name, () =>
      this.client.send(new DescribePipelineCommand({ PipelineName: nameOrArn })),
    );
    return {
      name: output.PipelineName ?? name,
      arn: output.PipelineArn ?? '',
      ...(output.PipelineDisplayName ? { displayName: output.PipelineDisplayName } : {}),
      ...(output.PipelineDescription ? { description: output.PipelineDescription } : {}),
      ...(output.LastRunTime ? { lastExecutionTime: output.LastRunTime } : {}),
      parameters: parametersFromDefinition(output.PipelineDefinition ?? '{}'),
      ...(output.RoleArn ? { roleArn: output.RoleArn } : {}),
    };
  }

  async start(request: StartExecutionRequest): Promise<{ executionArn: string }> {
    const output = await this.call('StartPipelineExecution', 'pipeline', request.pipelineName, () =>
      this.client.send(new StartPipelineExecutionCommand(startExecutionInput(request))),
    );
    return { executionArn: output.PipelineExecutionArn ?? '' };
  }

  async listExecutions(pipelineName: string, query: PageRequest): Promise<Page<ExecutionSummary>> {
    return fillPage(query, async (nextToken, limit) => {
      const output = await this.call('ListPipelineExecutions', 'pipeline', pipelineName, () =>
        this.client.send(
          new ListPipelineExecutionsCommand({
            PipelineName: pipelineName,
            SortBy: 'CreationTime',
            SortOrder: 'Descending',
            MaxResults: limit,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      return {
        items: (output.PipelineExecutionSummaries ?? []).map((e) => {
          const arn = e.PipelineExecutionArn ?? '';
          return {
            arn,
            // Summaries do not carry it; an execution ARN is the pipeline ARN plus /execution/<id>.
            pipelineArn: pipelineArnOf(arn),
            status: toStatus(e.PipelineExecutionStatus),
            startTime: e.StartTime ?? new Date(0),
            ...(e.PipelineExecutionDisplayName
              ? { displayName: e.PipelineExecutionDisplayName }
              : {}),
            ...(e.PipelineExecutionDescription
              ? { description: e.PipelineExecutionDescription }
              : {}),
            ...(e.PipelineExecutionFailureReason
              ? { failureReason: e.PipelineExecutionFailureReason }
              : {}),
          };
        }),
        nextToken: output.NextToken,
      };
    });
  }

  async describeExecution(executionArn: string): Promise<Execution> {
    const output = await this.call(
      'DescribePipelineExecution',
      'pipeline execution',
      executionArn,
      () =>
        this.client.send(
          new DescribePipelineExecutionCommand({ PipelineExecutionArn: executionArn }),
        ),
    );
    const parameters = await readAllPages(async (nextToken, limit) => {
      const page = await this.call(
        'ListPipelineParametersForExecution',
        'pipeline execution',
        executionArn,
        () =>
          this.client.send(
            new ListPipelineParametersForExecutionCommand({
              PipelineExecutionArn: executionArn,
              MaxResults: limit,
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
          ),
      );
      return {
        items: (page.PipelineParameters ?? []).map((p) => ({
          name: p.Name ?? '',
          value: p.Value ?? '',
        })),
        nextToken: page.NextToken,
      };
    });
    const status = toStatus(output.PipelineExecutionStatus);
    const arn = output.PipelineExecutionArn ?? executionArn;
    return {
      arn,
      pipelineArn: output.PipelineArn ?? pipelineArnOf(arn),
      status,
      // DescribePipelineExecution has no start or end time: it was created when it started,
      // and a finished execution was last modified when it finished.
      startTime: output.CreationTime ?? new Date(0),
      ...(FINISHED.has(status) && output.LastModifiedTime
        ? { endTime: output.LastModifiedTime }
        : {}),
      ...(output.PipelineExecutionDisplayName
        ? { displayName: output.PipelineExecutionDisplayName }
        : {}),
      ...(output.PipelineExecutionDescription
        ? { description: output.PipelineExecutionDescription }
        : {}),
      ...(output.FailureReason ? { failureReason: output.FailureReason } : {}),
      parameters,
      ...identityOf(output.CreatedBy),
    };
  }

  async stopExecution(executionArn: string): Promise<void> {
    // ClientRequestToken is left to the SDK (a fresh UUID): stopping twice is harmless.
    await this.call('StopPipelineExecution', 'pipeline execution', executionArn, () =>
      this.client.send(new StopPipelineExecutionCommand({ PipelineExecutionArn: executionArn })),
    );
  }

  private call<T>(
    operation: string,
    kind: AwsCall['resource']['kind'],
    name: string,
    send: () => Promise<T>,
  ): Promise<T> {
    return callAws(
      { service: 'sagemaker', operation, resource: { kind, name } },
      send,
      this.metrics,
    );
  }
}

function pipelineArnOf(executionArn: string): string {
  return executionArn.replace(/\/execution\/[^/]+$/, '');
}

/** A status SageMaker adds later reads as still running rather than failing the whole answer. */
function toStatus(status: string | undefined): ExecutionStatus {
  return EXECUTION_STATUSES.find((s) => s === status) ?? 'Executing';
}

/** Who SageMaker says started an execution: the IAM identity, else the Studio user profile. */
function identityOf(createdBy: UserContext | undefined): { startedByIdentity?: string } {
  const identity = createdBy?.IamIdentity?.Arn ?? createdBy?.UserProfileName;
  return identity ? { startedByIdentity: identity } : {};
}
