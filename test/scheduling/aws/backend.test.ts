import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsBackend } from '../../../src/scheduling/aws/backend.js';
import { AwsStandIn } from '../../support/aws-stand-in.js';

// What the SDK reads from the environment; set per test and restored after.
const ENV_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SCHEDULER',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
];
let saved: Record<string, string | undefined>;
let general: AwsStandIn;
let scheduler: AwsStandIn;

beforeEach(async () => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const key of ENV_KEYS) delete process.env[key];
  general = await AwsStandIn.start();
  scheduler = await AwsStandIn.start();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: general.url,
    AWS_ENDPOINT_URL_SCHEDULER: scheduler.url,
    AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
    AWS_SECRET_ACCESS_KEY: 'secret-from-env',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  });
});
afterEach(async () => {
  for (const key of ENV_KEYS) {
    const value = saved[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await general.close();
  await scheduler.close();
});

describe('createAwsBackend', () => {
  it('leaves endpoints and credentials to the SDK: AWS_ENDPOINT_URL(_SCHEDULER) and env keys', async () => {
    scheduler.on('ListSchedules', { body: { Schedules: [] } });
    general
      .on('ListRules', { body: { Rules: [] } })
      .on('ListPipelines', { body: { PipelineSummaries: [] } });

    const backend = createAwsBackend({ region: 'eu-central-1' });
    expect(backend.kind).toBe('aws');
    await backend.schedules.list({ group: 'sagemaker-pipelines' });
    await backend.rules.list({});
    await backend.pipelines.list({});

    expect(scheduler.requests.map((r) => r.operation)).toEqual(['ListSchedules']);
    expect(general.requests.map((r) => r.operation)).toEqual(['ListRules', 'ListPipelines']);
    // Signed with the environment's keys, for the region we gave, per service.
    const signatures = [...scheduler.requests, ...general.requests].map((r) =>
      String(r.headers.authorization),
    );
    expect(signatures).toEqual([
      expect.stringMatching(/AKIDFROMENV\/\d{8}\/eu-central-1\/scheduler\/aws4_request/),
      expect.stringMatching(/AKIDFROMENV\/\d{8}\/eu-central-1\/events\/aws4_request/),
      expect.stringMatching(/AKIDFROMENV\/\d{8}\/eu-central-1\/sagemaker\/aws4_request/),
    ]);
  });

  it('uses the clients it is given', async () => {
    const given = await AwsStandIn.start();
    given.on('DescribePipeline', {
      body: {
        PipelineName: 'churn-train',
        PipelineArn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train',
      },
    });
    const sageMakerClient = new SageMakerClient(given.clientConfig({ maxAttempts: 1 }));
    try {
      const backend = createAwsBackend({ sageMakerClient });
      const pipeline = await backend.pipelines.describe('churn-train');
      expect(pipeline.name).toBe('churn-train');
      expect(given.requestsFor('DescribePipeline')).toHaveLength(1);
      expect(general.requests).toHaveLength(0);
    } finally {
      sageMakerClient.destroy();
      await given.close();
    }
  });
});
