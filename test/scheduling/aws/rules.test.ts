import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsRules } from '../../../src/scheduling/aws/rules.js';
import type { EventTrigger } from '../../../src/scheduling/triggers.js';
import { AwsStandIn, awsError, failure } from '../../support/aws-stand-in.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/PipelineSchedulerDev';
const RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/new-data-retrain';
const pipelineArn = (name: string) => `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${name}`;
const PATTERN = JSON.stringify({
  source: ['aws.s3'],
  'detail-type': ['Object Created'],
  detail: { bucket: { name: ['ml-training-data'] } },
});

function rule(overrides: Partial<EventTrigger> = {}): EventTrigger {
  return {
    kind: 'event',
    name: 'new-data-retrain',
    eventPattern: PATTERN,
    state: 'ENABLED',
    roleArn: ROLE_ARN,
    description: 'retrain when new data lands',
    targets: [
      {
        id: 'churn-train',
        pipelineArn: pipelineArn('churn-train'),
        pipelineName: 'churn-train',
        parameters: [
          { name: 'InputDataUri', value: '$.detail.object.key' },
          { name: 'InstanceType', value: 'ml.m5.xlarge' },
        ],
      },
      {
        id: 'churn-eval',
        pipelineArn: pipelineArn('churn-eval'),
        pipelineName: 'churn-eval',
        parameters: [],
      },
    ],
    ...overrides,
  };
}

let standIn: AwsStandIn;
let client: EventBridgeClient;
let rules: AwsRules;

beforeAll(async () => {
  standIn = await AwsStandIn.start();
  client = new EventBridgeClient(standIn.clientConfig({ maxAttempts: 1 }));
  rules = new AwsRules(client);
});
afterAll(async () => {
  client.destroy();
  await standIn.close();
});
beforeEach(() => standIn.reset());

const noFailures = { body: { FailedEntryCount: 0, FailedEntries: [] } };

describe('put', () => {
  it('puts the rule, removes targets no longer named, then puts every target', async () => {
    standIn
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on(
        'ListTargetsByRule',
        {
          body: {
            Targets: [{ Id: 'churn-train', Arn: pipelineArn('churn-train'), RoleArn: ROLE_ARN }],
            NextToken: 'more',
          },
        },
        { body: { Targets: [{ Id: 'old-pipeline', Arn: pipelineArn('old-pipeline') }] } },
      )
      .on('RemoveTargets', noFailures)
      .on('PutTargets', noFailures);

    expect(await rules.put(rule())).toEqual({ arn: RULE_ARN });

    expect(standIn.requests.map((r) => [r.method, r.path, r.target])).toEqual([
      ['POST', '/', 'AWSEvents.PutRule'],
      ['POST', '/', 'AWSEvents.ListTargetsByRule'],
      ['POST', '/', 'AWSEvents.ListTargetsByRule'],
      ['POST', '/', 'AWSEvents.RemoveTargets'],
      ['POST', '/', 'AWSEvents.PutTargets'],
    ]);
    expect(standIn.requests[0]?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(standIn.requests.map((r) => r.body)).toEqual([
      {
        Name: 'new-data-retrain',
        EventPattern: PATTERN,
        State: 'ENABLED',
        Description: 'retrain when new data lands',
      },
      { Rule: 'new-data-retrain', Limit: 100 },
      { Rule: 'new-data-retrain', Limit: 100, NextToken: 'more' },
      { Rule: 'new-data-retrain', Ids: ['old-pipeline'] },
      {
        Rule: 'new-data-retrain',
        Targets: [
          {
            Id: 'churn-train',
            Arn: pipelineArn('churn-train'),
            RoleArn: ROLE_ARN,
            SageMakerPipelineParameters: {
              PipelineParameterList: [
                // A JSON path goes through as is: EventBridge fills it from the event.
                { Name: 'InputDataUri', Value: '$.detail.object.key' },
                { Name: 'InstanceType', Value: 'ml.m5.xlarge' },
              ],
            },
          },
          {
            Id: 'churn-eval',
            Arn: pipelineArn('churn-eval'),
            RoleArn: ROLE_ARN,
            SageMakerPipelineParameters: { PipelineParameterList: [] },
          },
        ],
      },
    ]);
  });

  it('sends no RemoveTargets when every existing target is still named', async () => {
    standIn
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on('ListTargetsByRule', { body: { Targets: [{ Id: 'churn-train' }] } })
      .on('PutTargets', noFailures);
    const { description: _none, ...undescribed } = rule({ state: 'DISABLED' });
    await rules.put(undescribed);
    expect(standIn.requests.map((r) => r.operation)).toEqual([
      'PutRule',
      'ListTargetsByRule',
      'PutTargets',
    ]);
    expect(standIn.requests[0]?.body).toEqual({
      Name: 'new-data-retrain',
      EventPattern: PATTERN,
      State: 'DISABLED',
    });
  });

  it('turns failed PutTargets entries into an error even though AWS answered 200', async () => {
    standIn
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on('ListTargetsByRule', { body: { Targets: [] } })
      .on('PutTargets', {
        body: {
          FailedEntryCount: 1,
          FailedEntries: [
            {
              TargetId: 'churn-eval',
              ErrorCode: 'ValidationException',
              ErrorMessage: 'Parameter SageMakerPipelineParameters is not valid.',
            },
          ],
        },
      });

    const error = await failure(rules.put(rule()));

    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe(
      'EventBridge refused target churn-eval of rule new-data-retrain: ' +
        'Parameter SageMakerPipelineParameters is not valid. (ValidationException)',
    );
    expect(error.context).toMatchObject({
      operation: 'PutTargets',
      resource: 'rule new-data-retrain',
      requestId: 'req-3',
      failedEntries: [
        {
          targetId: 'churn-eval',
          errorCode: 'ValidationException',
          errorMessage: 'Parameter SageMakerPipelineParameters is not valid.',
        },
      ],
    });
  });

  it('maps a failed entry by its error code (ConcurrentModificationException → CONFLICT)', async () => {
    standIn
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on('ListTargetsByRule', { body: { Targets: [{ Id: 'gone' }] } })
      .on('RemoveTargets', {
        body: {
          FailedEntryCount: 1,
          FailedEntries: [
            { TargetId: 'gone', ErrorCode: 'ConcurrentModificationException', ErrorMessage: 'x' },
          ],
        },
      });
    const error = await failure(rules.put(rule()));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe(
      'rule new-data-retrain is being changed by another request; try again',
    );
    expect(error.context.operation).toBe('RemoveTargets');
    expect(standIn.requestsFor('PutTargets')).toHaveLength(0);
  });

  it('keeps the message of an invalid event pattern', async () => {
    standIn.on(
      'PutRule',
      awsError('InvalidEventPatternException', 'Event pattern is not valid. Reason: ...', {
        status: 400,
        via: 'body',
      }),
    );
    const error = await failure(rules.put(rule({ eventPattern: '{"source": "aws.s3"}' })));
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toBe('Event pattern is not valid. Reason: ...');
  });

  it('deletes a rule its targets could not be added to, so a retry can create it again', async () => {
    standIn
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on('ListTargetsByRule', { body: { Targets: [] } })
      .on(
        'PutTargets',
        awsError(
          'LimitExceededException',
          'The requested resource exceeds the maximum number allowed.',
          { status: 400 },
        ),
      )
      .on('DeleteRule', { body: {} });
    const error = await failure(rules.put(rule()));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(standIn.requests.map((r) => r.operation)).toEqual([
      'PutRule',
      'ListTargetsByRule',
      'PutTargets',
      'ListTargetsByRule',
      'DeleteRule',
    ]);
    expect(standIn.requestsFor('DeleteRule')[0]?.body).toEqual({ Name: 'new-data-retrain' });
  });

  it('keeps a rule that still has targets when adding more fails', async () => {
    standIn
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on('ListTargetsByRule', {
        body: { Targets: [{ Id: 'churn-train', Arn: pipelineArn('churn-train') }] },
      })
      .on(
        'PutTargets',
        awsError(
          'LimitExceededException',
          'The requested resource exceeds the maximum number allowed.',
          { status: 400 },
        ),
      );
    await failure(rules.put(rule()));
    expect(standIn.requestsFor('DeleteRule')).toHaveLength(0);
  });

  it('reports the five-targets limit as LIMIT_EXCEEDED', async () => {
    standIn
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on('ListTargetsByRule', { body: { Targets: [] } })
      .on(
        'PutTargets',
        awsError(
          'LimitExceededException',
          'The requested resource exceeds the maximum number allowed.',
          { status: 400 },
        ),
      );
    const error = await failure(rules.put(rule()));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toBe(
      'EventBridge limit reached for rule new-data-retrain: ' +
        'The requested resource exceeds the maximum number allowed.',
    );
  });
});

describe('get', () => {
  it('describes the rule and reads all its targets', async () => {
    standIn
      .on('DescribeRule', {
        body: {
          Name: 'new-data-retrain',
          Arn: RULE_ARN,
          EventPattern: PATTERN,
          State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
          Description: 'retrain when new data lands',
          EventBusName: 'default',
        },
      })
      .on(
        'ListTargetsByRule',
        {
          body: {
            Targets: [
              {
                Id: 'churn-train',
                Arn: pipelineArn('churn-train'),
                RoleArn: ROLE_ARN,
                SageMakerPipelineParameters: {
                  PipelineParameterList: [{ Name: 'InputDataUri', Value: '$.detail.object.key' }],
                },
              },
            ],
            NextToken: 'p2',
          },
        },
        {
          body: {
            Targets: [{ Id: 'churn-eval', Arn: pipelineArn('churn-eval'), RoleArn: ROLE_ARN }],
          },
        },
      );

    const record = await rules.get('new-data-retrain');

    expect(standIn.requests.map((r) => [r.operation, r.body])).toEqual([
      ['DescribeRule', { Name: 'new-data-retrain' }],
      ['ListTargetsByRule', { Rule: 'new-data-retrain', Limit: 100 }],
      ['ListTargetsByRule', { Rule: 'new-data-retrain', Limit: 100, NextToken: 'p2' }],
    ]);
    expect(record).toEqual({
      kind: 'event',
      arn: RULE_ARN,
      name: 'new-data-retrain',
      bus: 'default',
      eventPattern: PATTERN,
      state: 'ENABLED',
      roleArn: ROLE_ARN,
      description: 'retrain when new data lands',
      otherTargets: [],
      targets: [
        {
          id: 'churn-train',
          pipelineArn: pipelineArn('churn-train'),
          pipelineName: 'churn-train',
          parameters: [{ name: 'InputDataUri', value: '$.detail.object.key' }],
        },
        {
          id: 'churn-eval',
          pipelineArn: pipelineArn('churn-eval'),
          pipelineName: 'churn-eval',
          parameters: [],
        },
      ],
      // Held as read, for an update to write back.
      held: {
        rule: expect.objectContaining({ Name: 'new-data-retrain', EventPattern: PATTERN }),
        targets: [
          expect.objectContaining({ Id: 'churn-train' }),
          expect.objectContaining({ Id: 'churn-eval' }),
        ],
      },
    });
  });

  it('turns ResourceNotFoundException into NOT_FOUND', async () => {
    standIn.on(
      'DescribeRule',
      awsError('ResourceNotFoundException', 'Rule new-data-retrain does not exist.', {
        status: 400,
      }),
    );
    const error = await failure(rules.get('new-data-retrain'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('rule new-data-retrain was not found');
  });
});

describe('setState', () => {
  it('enables and disables with EnableRule / DisableRule', async () => {
    standIn.on('EnableRule', { body: {} }).on('DisableRule', { body: {} });
    await rules.setState('new-data-retrain', 'DISABLED');
    await rules.setState('new-data-retrain', 'ENABLED');
    expect(standIn.requests.map((r) => [r.target, r.body])).toEqual([
      ['AWSEvents.DisableRule', { Name: 'new-data-retrain' }],
      ['AWSEvents.EnableRule', { Name: 'new-data-retrain' }],
    ]);
  });
});

describe('delete', () => {
  it('removes every target, then deletes the rule', async () => {
    standIn
      .on('ListTargetsByRule', { body: { Targets: [{ Id: 'churn-train' }, { Id: 'churn-eval' }] } })
      .on('RemoveTargets', noFailures)
      .on('DeleteRule', { body: {} });
    await rules.delete('new-data-retrain');
    expect(standIn.requests.map((r) => [r.operation, r.body])).toEqual([
      ['ListTargetsByRule', { Rule: 'new-data-retrain', Limit: 100 }],
      ['RemoveTargets', { Rule: 'new-data-retrain', Ids: ['churn-train', 'churn-eval'] }],
      ['DeleteRule', { Name: 'new-data-retrain' }],
    ]);
  });

  it('treats a target already removed by someone else as removed', async () => {
    standIn
      .on('ListTargetsByRule', { body: { Targets: [{ Id: 'churn-train' }] } })
      .on('RemoveTargets', {
        body: {
          FailedEntryCount: 1,
          FailedEntries: [
            { TargetId: 'churn-train', ErrorCode: 'ResourceNotFoundException', ErrorMessage: '' },
          ],
        },
      })
      .on('DeleteRule', { body: {} });
    await rules.delete('new-data-retrain');
    expect(standIn.requestsFor('DeleteRule')).toHaveLength(1);
  });

  it('reports a missing rule as NOT_FOUND and deletes nothing', async () => {
    standIn.on(
      'ListTargetsByRule',
      awsError(
        'ResourceNotFoundException',
        'Rule new-data-retrain does not exist on EventBus default.',
        { status: 400 },
      ),
    );
    const error = await failure(rules.delete('new-data-retrain'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('rule new-data-retrain was not found');
    expect(standIn.requestsFor('DeleteRule')).toHaveLength(0);
  });
});

describe('list', () => {
  it('pages through ListRules with the name prefix', async () => {
    standIn.on(
      'ListRules',
      {
        body: {
          Rules: [{ Name: 'psb-a', Arn: `${RULE_ARN}-a`, State: 'ENABLED' }],
          NextToken: 'n1',
        },
      },
      { body: { Rules: [{ Name: 'psb-b', Arn: `${RULE_ARN}-b`, State: 'DISABLED' }] } },
    );
    const page = await rules.list({ namePrefix: 'psb-' });
    expect(page).toEqual({
      items: [
        { name: 'psb-a', arn: `${RULE_ARN}-a`, state: 'ENABLED', bus: 'default' },
        { name: 'psb-b', arn: `${RULE_ARN}-b`, state: 'DISABLED', bus: 'default' },
      ],
    });
    expect(standIn.requests.map((r) => r.body)).toEqual([
      { NamePrefix: 'psb-', Limit: 100 },
      { NamePrefix: 'psb-', Limit: 100, NextToken: 'n1' },
    ]);
  });
});

describe('update', () => {
  it('writes back the rule and its pipeline targets as read, with only the change laid over', async () => {
    standIn
      .on('DescribeRule', {
        body: {
          Name: 'new-data-retrain',
          Arn: RULE_ARN,
          EventPattern: PATTERN,
          State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
          Description: 'retrain when new data lands',
          RoleArn: 'arn:aws:iam::123456789012:role/CrossAccountBus',
          EventBusName: 'default',
          CreatedBy: '123456789012',
        },
      })
      .on('ListTargetsByRule', {
        body: {
          Targets: [
            {
              Id: 'churn-train',
              Arn: pipelineArn('churn-train'),
              RoleArn: ROLE_ARN,
              RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
              DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:rule-dlq' },
              SageMakerPipelineParameters: {
                PipelineParameterList: [{ Name: 'InstanceType', Value: 'ml.m5.xlarge' }],
              },
            },
            {
              Id: 'churn-eval',
              Arn: pipelineArn('churn-eval'),
              RoleArn: 'arn:aws:iam::123456789012:role/EvalOnly',
            },
            { Id: 'audit', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:audit' },
          ],
        },
      })
      .on('PutRule', { body: { RuleArn: RULE_ARN } })
      .on('PutTargets', noFailures);
    const read = await rules.get('new-data-retrain');
    const [target, evaluation] = read.targets;
    if (!target || !evaluation) throw new Error('no pipeline targets read');
    await rules.update({
      ...read,
      eventPattern: '{"source":["aws.s3"]}',
      targets: [
        { ...target, parameters: [{ name: 'InstanceType', value: 'ml.m5.4xlarge' }] },
        evaluation,
      ],
    });

    expect(standIn.requestsFor('PutRule').map((r) => r.body)).toEqual([
      {
        Name: 'new-data-retrain',
        EventPattern: '{"source":["aws.s3"]}',
        // PutRule replaces the rule: what it held goes back, not its defaults.
        State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
        Description: 'retrain when new data lands',
        RoleArn: 'arn:aws:iam::123456789012:role/CrossAccountBus',
        EventBusName: 'default',
      },
    ]);
    expect(standIn.requestsFor('PutTargets').map((r) => r.body)).toEqual([
      {
        Rule: 'new-data-retrain',
        Targets: [
          {
            Id: 'churn-train',
            Arn: pipelineArn('churn-train'),
            RoleArn: ROLE_ARN,
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:rule-dlq' },
            SageMakerPipelineParameters: {
              PipelineParameterList: [{ Name: 'InstanceType', Value: 'ml.m5.4xlarge' }],
            },
          },
          {
            Id: 'churn-eval',
            Arn: pipelineArn('churn-eval'),
            // Its own role stays: the update did not set one.
            RoleArn: 'arn:aws:iam::123456789012:role/EvalOnly',
            SageMakerPipelineParameters: { PipelineParameterList: [] },
          },
        ],
      },
    ]);
    // Nothing is removed: the Lambda target was never the bot's to touch.
    expect(standIn.requestsFor('RemoveTargets')).toEqual([]);
  });
});
