import { isTriggerError } from './errors.js';
import { pipelineNameOf } from './pipeline.js';
import type { Backend } from './ports.js';
import type { TriggerListItem } from './scheduling-service.js';
import type { Page, RuleRecord, ScheduleRecord } from './triggers.js';

/**
 * Finding the bot's triggers: one by name (a schedule of its group, else a rule), or all of them
 * in pages, schedules first, then rules. The service's list token says which phase a page is
 * in and carries that back end's own token.
 */

export type FoundTrigger =
  | { kind: 'schedule'; record: ScheduleRecord }
  | { kind: 'event'; record: RuleRecord };

/** The schedule or rule of this name; undefined when there is neither. */
export async function findTrigger(
  backend: Backend,
  group: string,
  name: string,
): Promise<FoundTrigger | undefined> {
  try {
    return { kind: 'schedule', record: await backend.schedules.get(group, name) };
  } catch (error) {
    if (!isTriggerError(error, 'NOT_FOUND')) throw error;
  }
  try {
    return { kind: 'event', record: await backend.rules.get(name) };
  } catch (error) {
    if (!isTriggerError(error, 'NOT_FOUND')) throw error;
  }
  return undefined;
}

export function listItem(found: FoundTrigger): TriggerListItem {
  return found.kind === 'schedule'
    ? {
        kind: 'schedule',
        name: found.record.name,
        arn: found.record.arn,
        state: found.record.state,
        pipelineNames: [found.record.pipelineName],
      }
    : {
        kind: 'event',
        name: found.record.name,
        arn: found.record.arn,
        state: found.record.state,
        pipelineNames: found.record.targets.map((t) => t.pipelineName),
      };
}

export interface ListQuery {
  /** Keeps the triggers that start this pipeline (name or ARN). */
  pipeline?: string;
  nextToken?: string;
  maxResults?: number;
}

type ListPhase = 'schedules' | 'rules' | 'done';

const DEFAULT_LIST_PAGE = 50;

export async function listTriggers(
  backend: Backend,
  group: string,
  query: ListQuery,
): Promise<Page<TriggerListItem>> {
  const size = Math.min(Math.max(query.maxResults ?? DEFAULT_LIST_PAGE, 1), 100);
  const wanted = query.pipeline ? pipelineNameOf(query.pipeline).toLowerCase() : undefined;
  const items: TriggerListItem[] = [];
  let [phase, token] = decodeListToken(query.nextToken);
  while (items.length < size && phase !== 'done') {
    if (phase === 'schedules') {
      await backend.schedules.ensureGroup(group);
      const page = await backend.schedules.list({
        group,
        maxResults: 100,
        ...(token ? { nextToken: token } : {}),
      });
      for (const s of page.items) {
        const pipelineName = pipelineNameOf(s.targetArn);
        if (!wanted || pipelineName.toLowerCase() === wanted) {
          items.push({
            kind: 'schedule',
            name: s.name,
            arn: s.arn,
            state: s.state,
            pipelineNames: [pipelineName],
          });
        }
      }
      [phase, token] = page.nextToken ? ['schedules', page.nextToken] : ['rules', undefined];
    } else {
      const page = await backend.rules.list({
        maxResults: 100,
        ...(token ? { nextToken: token } : {}),
      });
      for (const summary of page.items) {
        const rule = await ruleStillThere(backend, summary.name);
        if (!rule) continue;
        const names = rule.targets.map((t) => t.pipelineName);
        if (!wanted || names.some((n) => n.toLowerCase() === wanted)) {
          items.push({
            kind: 'event',
            name: rule.name,
            arn: rule.arn,
            state: rule.state,
            pipelineNames: names,
          });
        }
      }
      [phase, token] = page.nextToken ? ['rules', page.nextToken] : ['done', undefined];
    }
  }
  return {
    items,
    ...(phase !== 'done' ? { nextToken: encodeListToken(phase, token) } : {}),
  };
}

/**
 * ListRules names the rules; their targets need DescribeRule and ListTargetsByRule. A rule
 * deleted in between is simply gone; any other failure (throttling, access denied) is the
 * listing's failure, not a shorter list that looks complete.
 */
async function ruleStillThere(backend: Backend, name: string): Promise<RuleRecord | undefined> {
  try {
    return await backend.rules.get(name);
  } catch (error) {
    if (isTriggerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}

export function decodeListToken(token: string | undefined): [ListPhase, string | undefined] {
  if (!token) return ['schedules', undefined];
  const [phase, ...rest] = token.split(':');
  const inner = rest.join(':') || undefined;
  return [
    phase === 'r' ? 'rules' : 'schedules',
    inner ? Buffer.from(inner, 'base64url').toString() : undefined,
  ];
}

export function encodeListToken(phase: 'schedules' | 'rules', token: string | undefined): string {
  return `${phase === 'rules' ? 'r' : 's'}:${token ? Buffer.from(token).toString('base64url') : ''}`;
}
