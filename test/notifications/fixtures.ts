/** Real-shaped SageMaker pipeline events (reference §4). */
export const PIPELINE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train';

export function executionEvent(
  id: string,
  execution: string,
  status: string,
  options: { previous?: string; time?: string; description?: string } = {},
) {
  return {
    version: '0',
    id,
    'detail-type': 'SageMaker Model Building Pipeline Execution Status Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: options.time ?? '2026-03-02T09:14:05Z',
    region: 'us-east-1',
    resources: [PIPELINE_ARN, `${PIPELINE_ARN}/execution/${execution}`],
    detail: {
      pipelineArn: PIPELINE_ARN,
      pipelineExecutionArn: `${PIPELINE_ARN}/execution/${execution}`,
      currentPipelineExecutionStatus: status,
      ...(options.previous ? { previousPipelineExecutionStatus: options.previous } : {}),
      executionStartTime: '2026-03-02T09:00:41Z',
      ...(status === 'Executing' ? {} : { executionEndTime: '2026-03-02T09:14:04Z' }),
      ...(options.description ? { pipelineExecutionDescription: options.description } : {}),
    },
  };
}

export function stepEvent(
  id: string,
  execution: string,
  step: string,
  status: string,
  options: { time?: string; failureReason?: string } = {},
) {
  return {
    version: '0',
    id,
    'detail-type': 'SageMaker Model Building Pipeline Execution Step Status Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: options.time ?? '2026-03-02T09:13:58Z',
    region: 'us-east-1',
    resources: [PIPELINE_ARN, `${PIPELINE_ARN}/execution/${execution}`],
    detail: {
      pipelineArn: PIPELINE_ARN,
      pipelineExecutionArn: `${PIPELINE_ARN}/execution/${execution}`,
      stepName: step,
      stepType: 'Training',
      currentStepStatus: status,
      ...(options.failureReason ? { failureReason: options.failureReason } : {}),
      metadata: {},
    },
  };
}
