import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createAwsBackend } from '../../../src/scheduling/aws/backend.js';
import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import { AwsLocalEndpoint } from '../../support/aws-local-endpoint.js';
import { startLocal } from '../../support/local-backend.js';
import { foreignTriggersContract } from '../foreign-triggers-contract.js';
import { schedulingContract } from '../scheduling-contract.js';

/** The real SDK clients and AWS adapters, over HTTP, against the local back end's wire front. */
async function overTheWire() {
  const local = await startLocal();
  const endpoint = await AwsLocalEndpoint.start(local.backend);
  const config = endpoint.clientConfig({ maxAttempts: 1 });
  const clients = {
    schedulerClient: new SchedulerClient(config),
    eventBridgeClient: new EventBridgeClient(config),
    sageMakerClient: new SageMakerClient(config),
  };
  const backend = createAwsBackend({ region: 'us-east-1', ...clients });
  return {
    local,
    endpoint,
    service: new SchedulingService(backend, local.store, { group: 'sagemaker-pipelines' }),
    async close() {
      for (const client of Object.values(clients)) client.destroy();
      await endpoint.close();
      await local.close();
    },
  };
}

schedulingContract('AWS back end over the wire (local stand-in)', async () => {
  const wire = await overTheWire();
  return {
    service: wire.service,
    deletePipeline: (name) => {
      wire.local.backend.pipelines.deletePipeline(name);
    },
    close: wire.close,
  };
});

// The same account the local back end holds, seen through the AWS adapters.
foreignTriggersContract('AWS back end over the wire (local stand-in)', async () => {
  const wire = await overTheWire();
  return {
    service: wire.service,
    local: wire.local,
    sent: () => wire.endpoint.requests,
    close: wire.close,
  };
});
