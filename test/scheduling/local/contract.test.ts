import { SchedulingService } from '../../../src/scheduling/scheduling-service.js';
import { startLocal } from '../../support/local-backend.js';
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
