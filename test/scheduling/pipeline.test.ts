import { describe, expect, it } from 'vitest';
import {
  checkParameterValues,
  parametersFromDefinition,
  parsePipelineRef,
} from '../../src/scheduling/pipeline.js';

describe('a pipeline definition', () => {
  it('yields its typed parameters with defaults as SageMaker stores them', () => {
    const definition = JSON.stringify({
      Version: '2020-12-01',
      Parameters: [
        { Name: 'InputDataUri', Type: 'String', DefaultValue: 's3://bucket/train/' },
        { Name: 'InstanceCount', Type: 'Integer', DefaultValue: 1 },
        { Name: 'LearningRate', Type: 'Float', DefaultValue: 0.1 },
        { Name: 'SkipEval', Type: 'Boolean', DefaultValue: false },
        { Name: 'Region', Type: 'String' },
        { Name: 'Mode', Type: 'String', DefaultValue: 'fast', EnumValues: ['fast', 'full'] },
      ],
      Steps: [],
    });
    expect(parametersFromDefinition(definition)).toEqual([
      { name: 'InputDataUri', type: 'String', defaultValue: 's3://bucket/train/' },
      { name: 'InstanceCount', type: 'Integer', defaultValue: '1' },
      { name: 'LearningRate', type: 'Float', defaultValue: '0.1' },
      { name: 'SkipEval', type: 'Boolean', defaultValue: 'false' },
      { name: 'Region', type: 'String' },
      { name: 'Mode', type: 'String', defaultValue: 'fast', enumValues: ['fast', 'full'] },
    ]);
    expect(parametersFromDefinition('not json')).toEqual([]);
  });

  it('checks the values a trigger passes, reporting every problem at once', () => {
    const declared = parametersFromDefinition(
      JSON.stringify({
        Parameters: [
          { Name: 'Epochs', Type: 'Integer', DefaultValue: 3 },
          { Name: 'Rate', Type: 'Float', DefaultValue: 0.1 },
          { Name: 'Go', Type: 'Boolean', DefaultValue: true },
          { Name: 'Uri', Type: 'String' },
        ],
      }),
    );
    const problems = checkParameterValues(
      declared,
      [
        { name: 'Epochs', value: '2.5' },
        { name: 'Rate', value: 'fast' },
        { name: 'Go', value: 'yes' },
        { name: 'epochs', value: '1' },
      ],
      { pipelineName: 'train' },
    ).map((p) => p.message);
    expect(problems).toEqual([
      'Epochs is an Integer; "2.5" is not a whole number',
      'Rate is a Float; "fast" is not a number',
      'Go is a Boolean; "yes" should be true or false',
      'train has no parameter epochs (did you mean Epochs?); it declares: Epochs, Rate, Go, Uri',
      'Uri (String) has no default in train, so every run needs a value: add param:Uri=…',
    ]);
    expect(
      checkParameterValues(declared, [{ name: 'Uri', value: '$.detail.key' }], {
        pipelineName: 'train',
        allowDynamic: true,
      }),
    ).toEqual([]);
  });

  it('is named by name or ARN', () => {
    expect(parsePipelineRef('churn-train')).toEqual({ ok: true, ref: { name: 'churn-train' } });
    expect(
      parsePipelineRef('arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train'),
    ).toEqual({
      ok: true,
      ref: {
        name: 'churn-train',
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/churn-train',
      },
    });
    expect(parsePipelineRef('churn_train')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not a pipeline name/),
    });
  });
});
