import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createAwsBackend } from '../../../src/scheduling/aws/backend.js';
import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import { AwsLocalEndpoint } from '../../support/aws-local-endpoint.js';
import { startLocal } from '../../support/local-backend.js';
import { foreignTriggersContract } from '../foreign-triggers-contract.js';
import { schedulingContract } from '../scheduling-contract.js';

// The real SDK clients and AWS adapters, over HTTP, against the local back end's wire front.
schedulingContract('AWS back end over the wire (local stand-in)', async () => {
  const local = await startLocal();
  const endpoint = await AwsLocalEndpoint.start(local.backend);
  const config = endpoint.clientConfig({ maxAttempts: 1 });
  const schedulerClient = new SchedulerClient(config);
  const eventBridgeClient = new EventBridgeClient(config);
  const sageMakerClient = new SageMakerClient(config);
  const backend = createAwsBackend({
    region: 'us-east-1',
    schedulerClient,
    eventBridgeClient,
    sageMakerClient,
  });
  return {
    service: new SchedulingService(backend, local.store, { group: 'sagemaker-pipelines' }),
    deletePipeline: (name) => {
      local.backend.pipelines.deletePipeline(name);
    },
    async close() {
      schedulerClient.destroy();
      eventBridgeClient.destroy();
      sageMakerClient.destroy();
      await endpoint.close();
      await local.close();
    },
  };
});

// The same account over the wire: the AWS adapters against the local back end's wire front.
foreignTriggersContract('AWS back end over the wire (local stand-in)', async () => {
  const local = await startLocal();
  const endpoint = await AwsLocalEndpoint.start(local.backend);
  const config = endpoint.clientConfig({ maxAttempts: 1 });
  const schedulerClient = new SchedulerClient(config);
  const eventBridgeClient = new EventBridgeClient(config);
  const sageMakerClient = new SageMakerClient(config);
  const backend = createAwsBackend({
    region: 'us-east-1',
    schedulerClient,
    eventBridgeClient,
    sageMakerClient,
  });
  return {
    service: new SchedulingService(backend, local.store, { group: 'sagemaker-pipelines' }),
    local,
    sent: () => endpoint.requests,
    async close() {
      schedulerClient.destroy();
      eventBridgeClient.destroy();
      sageMakerClient.destroy();
      await endpoint.close();
      await local.close();
    },
  };
});
