import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import { startLocal } from '../../support/local-backend.js';
import { foreignTriggersContract } from '../foreign-triggers-contract.js';
import { schedulingContract } from '../scheduling-contract.js';

schedulingContract('local back end', async () => {
  const local = await startLocal();
  return {
    service: new SchedulingService(local.backend, local.store, { group: 'sagemaker-pipelines' }),
    deletePipeline: (name) => {
      local.backend.pipelines.deletePipeline(name);
    },
    close: () => local.close(),
  };
});

foreignTriggersContract('local back end', async () => {
  const local = await startLocal();
  return {
    service: new SchedulingService(local.backend, local.store, { group: 'sagemaker-pipelines' }),
    local,
    close: () => local.close(),
  };
});
