import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsPipelines } from '../../../src/scheduling/aws/pipelines.js';
import { AwsStandIn, awsError, failure } from '../../support/aws-stand-in.js';

const PIPELINE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train';
const EXECUTION_ARN = `${PIPELINE_ARN}/execution/k2x8w1qz7d3m`;
const TOKEN = 'run-7f3c2a9e-4b1d-4c55-9a0e-1c2d3e4f5a6b';

let standIn: AwsStandIn;
let client: SageMakerClient;
let pipelines: AwsPipelines;

beforeAll(async () => {
  standIn = await AwsStandIn.start();
  client = new SageMakerClient(standIn.clientConfig({ maxAttempts: 1 }));
  pipelines = new AwsPipelines(client);
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});
beforeEach(() => standIn.reset());

describe('list', () => {
  it('pages ListPipelines by name prefix, sorted by name', async () => {
    standIn.on(
      'ListPipelines',
      {
        body: {
          PipelineSummaries: [
            {
              PipelineArn: PIPELINE_ARN,
              PipelineName: 'churn-train',
              PipelineDisplayName: 'Churn training',
              PipelineDescription: 'weekly churn model',
              LastExecutionTime: 1_790_000_000,
            },
          ],
          NextToken: 'p2',
        },
      },
      {
        body: {
          PipelineSummaries: [
            { PipelineArn: `${PIPELINE_ARN}-eval`, PipelineName: 'churn-train-eval' },
          ],
        },
      },
    );

    const page = await pipelines.list({ namePrefix: 'churn' });

    expect(page).toEqual({
      items: [
        {
          name: 'churn-train',
          arn: PIPELINE_ARN,
          displayName: 'Churn training',
          description: 'weekly churn model',
          lastExecutionTime: new Date(1_790_000_000_000),
        },
        { name: 'churn-train-eval', arn: `${PIPELINE_ARN}-eval` },
      ],
    });
    expect(standIn.requests.map((r) => [r.target, r.body])).toEqual([
      [
        'SageMaker.ListPipelines',
        { PipelineNamePrefix: 'churn', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 100 },
      ],
      [
        'SageMaker.ListPipelines',
        {
          PipelineNamePrefix: 'churn',
          SortBy: 'Name',
          SortOrder: 'Ascending',
          MaxResults: 100,
          NextToken: 'p2',
        },
      ],
    ]);
  });
});

describe('describe', () => {
  it('parses the parameters out of the pipeline definition', async () => {
    const definition = JSON.stringify({
      Version: '2020-12-01',
      Metadata: {},
      Parameters: [
        { Name: 'InstanceType', Type: 'String', DefaultValue: 'ml.m5.xlarge' },
        { Name: 'Epochs', Type: 'Integer', DefaultValue: 10 },
        { Name: 'SkipEval', Type: 'Boolean', DefaultValue: false },
        { Name: 'Region', Type: 'String' },
      ],
      Steps: [],
    });
    standIn.on('DescribePipeline', {
      body: {
        PipelineArn: PIPELINE_ARN,
        PipelineName: 'churn-train',
        PipelineDefinition: definition,
        RoleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
        PipelineStatus: 'Active',
        LastRunTime: 1_790_000_000,
      },
    });

    const pipeline = await pipelines.describe(PIPELINE_ARN);

    expect(standIn.requests[0]?.body).toEqual({ PipelineName: PIPELINE_ARN });
    expect(pipeline).toEqual({
      name: 'churn-train',
      arn: PIPELINE_ARN,
      lastExecutionTime: new Date(1_790_000_000_000),
      roleArn: 'arn:aws:iam::123456789012:role/SageMakerExecution',
      parameters: [
        { name: 'InstanceType', type: 'String', defaultValue: 'ml.m5.xlarge' },
        { name: 'Epochs', type: 'Integer', defaultValue: '10' },
        { name: 'SkipEval', type: 'Boolean', defaultValue: 'false' },
        { name: 'Region', type: 'String' },
      ],
    });
  });

  it('turns ResourceNotFound (no "Exception") into NOT_FOUND', async () => {
    standIn.on(
      'DescribePipeline',
      awsError('com.amazonaws.sagemaker#ResourceNotFound', 'Pipeline churn-trian does not exist.', {
        status: 400,
        via: 'body',
        messageKey: 'Message',
      }),
    );
    const error = await failure(pipelines.describe('churn-trian'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('pipeline churn-trian was not found');
    expect(error.context).toMatchObject({
      service: 'sagemaker',
      operation: 'DescribePipeline',
      awsError: 'ResourceNotFound',
      requestId: 'req-1',
    });
  });
});

describe('start', () => {
  it('sends our client token, the parameters, display name and description', async () => {
    standIn.on('StartPipelineExecution', { body: { PipelineExecutionArn: EXECUTION_ARN } });
    const result = await pipelines.start({
      pipelineName: 'churn-train',
      parameters: [{ name: 'Epochs', value: '20' }],
      clientToken: TOKEN,
      displayName: 'slack-run-42',
      description: 'started from #ml-ops by U0ALICE',
    });
    expect(result).toEqual({ executionArn: EXECUTION_ARN });
    expect(standIn.requests[0]).toMatchObject({
      method: 'POST',
      path: '/',
      target: 'SageMaker.StartPipelineExecution',
      body: {
        PipelineName: 'churn-train',
        ClientRequestToken: TOKEN,
        PipelineParameters: [{ Name: 'Epochs', Value: '20' }],
        PipelineExecutionDisplayName: 'slack-run-42',
        PipelineExecutionDescription: 'started from #ml-ops by U0ALICE',
      },
    });
    expect(standIn.requests[0]?.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('reports ResourceLimitExceeded as LIMIT_EXCEEDED', async () => {
    standIn.on(
      'StartPipelineExecution',
      awsError('ResourceLimitExceeded', 'Too many concurrent executions.', { status: 400 }),
    );
    const error = await failure(
      pipelines.start({ pipelineName: 'churn-train', parameters: [], clientToken: TOKEN }),
    );
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(standIn.requests[0]?.body).toEqual({
      PipelineName: 'churn-train',
      ClientRequestToken: TOKEN,
      PipelineParameters: [],
    });
  });
});

describe('executions', () => {
  it('lists executions newest first and derives the pipeline ARN', async () => {
    standIn.on('ListPipelineExecutions', {
      body: {
        PipelineExecutionSummaries: [
          {
            PipelineExecutionArn: EXECUTION_ARN,
            StartTime: 1_790_000_000,
            PipelineExecutionStatus: 'Failed',
            PipelineExecutionDisplayName: 'slack-run-42',
            PipelineExecutionFailureReason: 'Step Evaluate failed',
          },
        ],
        NextToken: 'more',
      },
    });

    const page = await pipelines.listExecutions('churn-train', { maxResults: 1 });

    expect(standIn.requests[0]?.body).toEqual({
      PipelineName: 'churn-train',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    });
    expect(page).toEqual({
      items: [
        {
          arn: EXECUTION_ARN,
          pipelineArn: PIPELINE_ARN,
          status: 'Failed',
          startTime: new Date(1_790_000_000_000),
          displayName: 'slack-run-42',
          failureReason: 'Step Evaluate failed',
        },
      ],
      nextToken: 'more',
    });
  });

  it('describes an execution with the parameter values it ran with', async () => {
    standIn
      .on('DescribePipelineExecution', {
        body: {
          PipelineArn: PIPELINE_ARN,
          PipelineExecutionArn: EXECUTION_ARN,
          PipelineExecutionDisplayName: 'slack-run-42',
          PipelineExecutionStatus: 'Succeeded',
          CreationTime: 1_790_000_000,
          LastModifiedTime: 1_790_000_900,
        },
      })
      .on(
        'ListPipelineParametersForExecution',
        { body: { PipelineParameters: [{ Name: 'Epochs', Value: '20' }], NextToken: 'x' } },
        { body: { PipelineParameters: [{ Name: 'InstanceType', Value: 'ml.m5.xlarge' }] } },
      );

    const execution = await pipelines.describeExecution(EXECUTION_ARN);

    expect(execution).toEqual({
      arn: EXECUTION_ARN,
      pipelineArn: PIPELINE_ARN,
      status: 'Succeeded',
      startTime: new Date(1_790_000_000_000),
      endTime: new Date(1_790_000_900_000),
      displayName: 'slack-run-42',
      parameters: [
        { name: 'Epochs', value: '20' },
        { name: 'InstanceType', value: 'ml.m5.xlarge' },
      ],
    });
    expect(standIn.requests.map((r) => [r.operation, r.body])).toEqual([
      ['DescribePipelineExecution', { PipelineExecutionArn: EXECUTION_ARN }],
      [
        'ListPipelineParametersForExecution',
        { PipelineExecutionArn: EXECUTION_ARN, MaxResults: 100 },
      ],
      [
        'ListPipelineParametersForExecution',
        { PipelineExecutionArn: EXECUTION_ARN, MaxResults: 100, NextToken: 'x' },
      ],
    ]);
  });

  it('gives a running execution no end time', async () => {
    standIn
      .on('DescribePipelineExecution', {
        body: {
          PipelineArn: PIPELINE_ARN,
          PipelineExecutionArn: EXECUTION_ARN,
          PipelineExecutionStatus: 'Executing',
          CreationTime: 1_790_000_000,
          LastModifiedTime: 1_790_000_100,
        },
      })
      .on('ListPipelineParametersForExecution', { body: { PipelineParameters: [] } });
    const execution = await pipelines.describeExecution(EXECUTION_ARN);
    expect(execution.status).toBe('Executing');
    expect(execution.endTime).toBeUndefined();
  });

  it('stops an execution', async () => {
    standIn.on('StopPipelineExecution', { body: { PipelineExecutionArn: EXECUTION_ARN } });
    await pipelines.stopExecution(EXECUTION_ARN);
    expect(standIn.requests[0]).toMatchObject({
      target: 'SageMaker.StopPipelineExecution',
      body: { PipelineExecutionArn: EXECUTION_ARN, ClientRequestToken: expect.any(String) },
    });
  });

  it('reports stopping a finished execution as CONFLICT', async () => {
    standIn.on(
      'StopPipelineExecution',
      awsError('ConflictException', 'Pipeline execution is already in a terminal state.', {
        status: 400,
      }),
    );
    const error = await failure(pipelines.stopExecution(EXECUTION_ARN));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(
      `pipeline execution ${EXECUTION_ARN} is in a state that does not allow ` +
        'StopPipelineExecution: Pipeline execution is already in a terminal state.',
    );
  });
});
