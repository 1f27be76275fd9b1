import { z } from 'zod';

/**
 * SageMaker pipelines as the domain sees them: a reference by name or ARN, typed parameters
 * read from the pipeline definition, and the check of the values a trigger passes.
 */

/** SageMaker PipelineName: letters, digits and hyphens, no leading/trailing hyphen, ≤ 256. */
export const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
export const PIPELINE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:(\d{12}|aws):pipeline\/([^/]+)$/;
/** Scheduler and SageMaker allow underscores in parameter names; rules' model does not. */
export const PARAMETER_NAME = /^[A-Za-z0-9\-_]{1,256}$/;
export const MAX_PARAMETER_VALUE_LENGTH = 1024;
export const MAX_PARAMETERS = 200;

export const parameterTypes = ['String', 'Integer', 'Float', 'Boolean'] as const;
export type ParameterType = (typeof parameterTypes)[number];

export interface PipelineParameter {
  name: string;
  type: ParameterType;
  /** As SageMaker stores it, in text. Absent: the parameter must be given on every run. */
  defaultValue?: string;
  description?: string;
  enumValues?: string[];
}

export interface PipelineSummary {
  name: string;
  arn: string;
  displayName?: string;
  description?: string;
  lastExecutionTime?: Date;
}

export interface Pipeline extends PipelineSummary {
  parameters: PipelineParameter[];
  roleArn?: string;
}

export interface PipelineRef {
  name: string;
  /** Known when the person gave an ARN. */
  arn?: string;
}

export type PipelineRefResult = { ok: true; ref: PipelineRef } | { ok: false; message: string };

/** A pipeline as a person names it: `churn-train` or its full ARN. */
export function parsePipelineRef(text: string): PipelineRefResult {
  const value = text.trim();
  const arn = PIPELINE_ARN.exec(value);
  if (arn) return { ok: true, ref: { name: arn[2] ?? '', arn: value } };
  if (value.startsWith('arn:')) {
    return {
      ok: false,
      message: `pipeline: "${value}" is not a SageMaker pipeline ARN (arn:aws:sagemaker:<region>:<account>:pipeline/<name>)`,
    };
  }
  if (!PIPELINE_NAME.test(value)) {
    return {
      ok: false,
      message: `pipeline: "${value}" is not a pipeline name: letters, digits and hyphens, starting and ending with a letter or digit`,
    };
  }
  return { ok: true, ref: { name: value } };
}

/** Pipeline names compare case-insensitively: SageMaker may hand ARNs back lower-cased. */
export function samePipeline(a: string, b: string): boolean {
  return pipelineNameOf(a).toLowerCase() === pipelineNameOf(b).toLowerCase();
}

export function pipelineNameOf(nameOrArn: string): string {
  return PIPELINE_ARN.exec(nameOrArn)?.[2] ?? nameOrArn;
}

const definitionSchema = z.object({
  Parameters: z
    .array(
      z.object({
        Name: z.string(),
        Type: z.enum(parameterTypes),
        DefaultValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
        Description: z.string().optional(),
        EnumValues: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** The declared parameters of a PipelineDefinition JSON document. */
export function parametersFromDefinition(definition: string): PipelineParameter[] {
  let json: unknown;
  try {
    json = JSON.parse(definition);
  } catch {
    return [];
  }
  const parsed = definitionSchema.safeParse(json);
  if (!parsed.success) return [];
  return (parsed.data.Parameters ?? []).map((p) => ({
    name: p.Name,
    type: p.Type,
    ...(p.DefaultValue !== undefined
      ? { defaultValue: formatParameterValue(p.Type, p.DefaultValue) }
      : {}),
    ...(p.Description ? { description: p.Description } : {}),
    ...(p.EnumValues ? { enumValues: p.EnumValues } : {}),
  }));
}

function formatParameterValue(type: ParameterType, value: string | number | boolean): string {
  if (type === 'Boolean' && typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

export interface ParameterValue {
  name: string;
  value: string;
}

export interface ParameterProblem {
  name: string;
  message: string;
}

/** A value written as a JSON path is taken from the triggering event (rules only). */
export const DYNAMIC_VALUE = /^\$(\.[A-Za-z0-9_-]+|\[\d+\]|\.\*)+$/;

/**
 * Checks the values a trigger passes against what the pipeline declares: unknown names, values
 * of the wrong type, required parameters left out. Returns every problem at once.
 */
export function checkParameterValues(
  declared: PipelineParameter[],
  given: ParameterValue[],
  options: { allowDynamic?: boolean; pipelineName: string },
): ParameterProblem[] {
  const problems: ParameterProblem[] = [];
  const byName = new Map(declared.map((p) => [p.name, p]));
  const seen = new Set<string>();
  if (given.length > MAX_PARAMETERS) {
    problems.push({
      name: '*',
      message: `at most ${MAX_PARAMETERS} parameters can be passed, got ${given.length}`,
    });
  }
  for (const { name, value } of given) {
    if (seen.has(name)) {
      problems.push({ name, message: `${name} is given twice` });
      continue;
    }
    seen.add(name);
    const parameter = byName.get(name);
    if (!parameter) {
      const known = declared.map((p) => p.name).join(', ') || 'none';
      const near = declared.find((p) => p.name.toLowerCase() === name.toLowerCase());
      problems.push({
        name,
        message: `${options.pipelineName} has no parameter ${name}${near ? ` (did you mean ${near.name}?)` : ''}; it declares: ${known}`,
      });
      continue;
    }
    if (value.length === 0) {
      problems.push({
        name,
        message: `${name}: an empty value can't be sent (EventBridge Scheduler requires 1-1024 characters); leave it out to use the default`,
      });
      continue;
    }
    if (value.length > MAX_PARAMETER_VALUE_LENGTH) {
      problems.push({
        name,
        message: `${name}: the value is ${value.length} characters; at most ${MAX_PARAMETER_VALUE_LENGTH} are allowed`,
      });
      continue;
    }
    if (options.allowDynamic && DYNAMIC_VALUE.test(value)) continue;
    const typeProblem = checkType(parameter, value);
    if (typeProblem) problems.push({ name, message: typeProblem });
  }
  for (const parameter of declared) {
    if (parameter.defaultValue === undefined && !seen.has(parameter.name)) {
      problems.push({
        name: parameter.name,
        message: `${parameter.name} (${parameter.type}) has no default in ${options.pipelineName}, so every run needs a value: add param:${parameter.name}=…`,
      });
    }
  }
  return problems;
}

function checkType(parameter: PipelineParameter, value: string): string | undefined {
  switch (parameter.type) {
    case 'Integer':
      return /^[+-]?\d+$/.test(value)
        ? undefined
        : `${parameter.name} is an Integer; "${value}" is not a whole number`;
    case 'Float':
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)
        ? undefined
        : `${parameter.name} is a Float; "${value}" is not a number`;
    case 'Boolean':
      return /^(true|false)$/i.test(value)
        ? undefined
        : `${parameter.name} is a Boolean; "${value}" should be true or false`;
    case 'String':
      if (parameter.enumValues && !parameter.enumValues.includes(value)) {
        return `${parameter.name} must be one of ${parameter.enumValues.join(', ')}; got "${value}"`;
      }
      return undefined;
  }
}
