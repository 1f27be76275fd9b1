import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PARAMETER_NAME, PIPELINE_NAME, type Pipeline, parameterTypes } from '../pipeline.js';

/** Where the local back end pretends to live, so its ARNs look like AWS's. */
export const LOCAL_REGION = 'local-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface SimulatedStep {
  name: string;
  type: string;
  seconds: number;
  /** When set, the step fails with this reason. */
  fails?: string;
}

export interface SimulatedPipeline extends Pipeline {
  steps: SimulatedStep[];
  /**
   * When set, every start is refused with this message, as SageMaker refuses a role without
   * sagemaker:StartPipelineExecution: a scheduled run of it fails, is retried, and dead-letters.
   */
  startFails?: string;
}

const fileSchema = z.object({
  pipelines: z
    .array(
      z.object({
        name: z.string().regex(PIPELINE_NAME, 'letters, digits and hyphens'),
        description: z.string().optional(),
        startFails: z.string().min(1).optional(),
        parameters: z
          .array(
            z.object({
              name: z.string().regex(PARAMETER_NAME, 'letters, digits, "-" and "_"'),
              type: z.enum(parameterTypes),
              default: z.union([z.string(), z.number(), z.boolean()]).optional(),
              description: z.string().optional(),
            }),
          )
          .default([]),
        steps: z
          .array(
            z.object({
              name: z.string().min(1).max(64),
              type: z.string().default('Processing'),
              seconds: z.number().min(0).max(86_400),
              fails: z.string().optional(),
            }),
          )
          .min(1, 'a pipeline needs at least one step'),
      }),
    )
    .default([]),
});

export function localPipelineArn(name: string): string {
  return `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT}:pipeline/${name.toLowerCase()}`;
}

/** Reads LOCAL_PIPELINES_FILE; a mistake names the file, the entry and the key. */
export function loadPipelineCatalog(path: string): SimulatedPipeline[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`LOCAL_PIPELINES_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
  return parsePipelineCatalog(text, path);
}

export function parsePipelineCatalog(text: string, source = 'pipelines'): SimulatedPipeline[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new Error(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new Error(`${source}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  const seen = new Set<string>();
  return parsed.data.pipelines.map((p) => {
    if (seen.has(p.name.toLowerCase()))
      throw new Error(`${source}: pipeline ${p.name} is listed twice`);
    seen.add(p.name.toLowerCase());
    return {
      name: p.name,
      arn: localPipelineArn(p.name),
      ...(p.description ? { description: p.description } : {}),
      ...(p.startFails ? { startFails: p.startFails } : {}),
      parameters: p.parameters.map((parameter) => ({
        name: parameter.name,
        type: parameter.type,
        ...(parameter.default !== undefined ? { defaultValue: String(parameter.default) } : {}),
        ...(parameter.description ? { description: parameter.description } : {}),
      })),
      steps: p.steps.map((s) => ({
        name: s.name,
        type: s.type,
        seconds: s.seconds,
        ...(s.fails ? { fails: s.fails } : {}),
      })),
    };
  });
}
