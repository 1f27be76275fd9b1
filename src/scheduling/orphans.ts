import { isTriggerError } from './errors.js';
import { pipelineNameOf } from './pipeline.js';
import type { Backend, BackendRequest } from './ports.js';
import type { Provenance } from './provenance.js';
import { scheduleTargetKind } from './schedule-document.js';
import type { DryRun, RequestContext } from './scheduling-service.js';
import type { FoundTrigger, placesOf } from './trigger-listing.js';

/**
 * Orphans: triggers whose pipeline was deleted (`pipeline.delete()` leaves its schedules behind,
 * the SageMaker SDK says so), found target by target in every place the bot looks. Only
 * pipeline targets are judged: a Lambda target is never sent to SageMaker. Cleaning removes
 * exactly what is dead: a dead schedule; a rule's dead targets (RemoveTargets with their ids);
 * the rule itself only when nothing would be left and the bot made it, or when named with
 * `delete-rule`.
 */

export interface Orphan {
  kind: 'schedule' | 'event';
  name: string;
  /** How a command names it (`default/churn-train` outside the bot's own places). */
  ref: string;
  /** Its schedule group or event bus. */
  place: string;
  arn: string;
  missingPipelines: string[];
  /** The rule targets whose pipeline is gone; empty for a schedule. */
  deadTargets: Array<{ id: string; pipelineName: string }>;
  /** The targets a clean-up leaves in the rule: live pipelines and targets of other kinds. */
  targetsLeft: number;
  /** Every target id of the rule (deleting a rule removes them all first). */
  targetIds: string[];
  provenance: Provenance;
  /** What `orphans clean` does to it. */
  cleanUp: 'delete-schedule' | 'remove-targets' | 'delete-rule';
}

export interface OrphanScan {
  backend: Backend;
  places(): ReturnType<typeof placesOf>;
  pipelineExists(name: string): Promise<boolean>;
  describe(found: FoundTrigger): Promise<{ ref: string; provenance: Provenance }>;
}

export async function findOrphans(scan: OrphanScan): Promise<Orphan[]> {
  const known = new Map<string, Promise<boolean>>();
  const exists = (name: string) => {
    const key = name.toLowerCase();
    let answer = known.get(key);
    if (!answer) {
      answer = scan.pipelineExists(name);
      known.set(key, answer);
    }
    return answer;
  };
  const orphans: Orphan[] = [];
  for (const place of await scan.places()) {
    try {
      if (place.kind === 'schedules')
        orphans.push(...(await scheduleOrphans(scan, place.group, exists)));
      else orphans.push(...(await ruleOrphans(scan, place.bus, exists)));
    } catch (error) {
      // A watched group or bus that does not exist has no orphans.
      if (!isTriggerError(error, 'NOT_FOUND')) throw error;
    }
  }
  return orphans;
}

async function scheduleOrphans(
  scan: OrphanScan,
  group: string,
  exists: (name: string) => Promise<boolean>,
): Promise<Orphan[]> {
  const orphans: Orphan[] = [];
  let nextToken: string | undefined;
  do {
    const page = await scan.backend.schedules.list({
      group,
      maxResults: 100,
      ...(nextToken ? { nextToken } : {}),
    });
    // The pipeline of a templated target is in the summary: one DescribePipeline per pipeline.
    const checked = await Promise.all(
      page.items.map(async (summary) => {
        const kind = scheduleTargetKind(summary.targetArn);
        if (kind === 'other') return undefined;
        if (kind === 'pipeline' && (await exists(pipelineNameOf(summary.targetArn))))
          return undefined;
        const record = await getOrUndefined(() => scan.backend.schedules.get(group, summary.name));
        if (!record || (await exists(record.pipelineName))) return undefined;
        const found: FoundTrigger = { kind: 'schedule', record };
        const about = await scan.describe(found);
        return {
          kind: 'schedule' as const,
          name: record.name,
          ...about,
          place: group,
          arn: record.arn,
          missingPipelines: [record.pipelineName || '(none named)'],
          deadTargets: [],
          targetsLeft: 0,
          targetIds: [],
          cleanUp: 'delete-schedule' as const,
        };
      }),
    );
    orphans.push(...checked.filter((o): o is NonNullable<typeof o> => o !== undefined));
    nextToken = page.nextToken;
  } while (nextToken);
  return orphans;
}

async function ruleOrphans(
  scan: OrphanScan,
  bus: string,
  exists: (name: string) => Promise<boolean>,
): Promise<Orphan[]> {
  const orphans: Orphan[] = [];
  let nextToken: string | undefined;
  do {
    const page = await scan.backend.rules.list({
      bus,
      maxResults: 100,
      ...(nextToken ? { nextToken } : {}),
    });
    for (const summary of page.items) {
      const rule = await getOrUndefined(() => scan.backend.rules.get(summary.name, bus));
      if (!rule || rule.targets.length === 0) continue;
      const dead: Orphan['deadTargets'] = [];
      for (const target of rule.targets)
        if (!(await exists(target.pipelineName)))
          dead.push({ id: target.id, pipelineName: target.pipelineName });
      if (dead.length === 0) continue;
      const about = await scan.describe({ kind: 'event', record: rule });
      const targetsLeft = rule.targets.length + rule.otherTargets.length - dead.length;
      orphans.push({
        kind: 'event',
        name: rule.name,
        ...about,
        place: bus,
        arn: rule.arn,
        missingPipelines: [...new Set(dead.map((t) => t.pipelineName))],
        deadTargets: dead,
        targetsLeft,
        targetIds: [...rule.targets, ...rule.otherTargets].map((t) => t.id),
        cleanUp:
          targetsLeft === 0 && about.provenance.source === 'bot' ? 'delete-rule' : 'remove-targets',
      });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return orphans;
}

export interface OrphanRemoval {
  backend: Backend;
  /** Drops the bot's record of a trigger that is gone. */
  forget(orphan: Orphan): Promise<void>;
  counted(kind: Orphan['kind']): void;
}

/**
 * Cleans the chosen orphans (all, or those `names` lists by name or ref); `deleteRules` names
 * rules made elsewhere to delete whole, which the caller has had approved.
 */
export async function removeOrphans(
  removal: OrphanRemoval,
  orphans: Orphan[],
  ctx: RequestContext & { clientToken(what: string): string },
  options: { names?: string[]; deleteRules?: string[] },
): Promise<Orphan[] | DryRun> {
  const named = (o: Orphan, names: string[]) => names.includes(o.ref) || names.includes(o.name);
  const chosen = options.names ? orphans.filter((o) => named(o, options.names ?? [])) : orphans;
  const plan = chosen.map((orphan) =>
    orphan.kind === 'event' && options.deleteRules && named(orphan, options.deleteRules)
      ? { ...orphan, cleanUp: 'delete-rule' as const }
      : orphan,
  );
  if (ctx.dryRun)
    return { dryRun: true, requests: plan.flatMap((o) => requestsFor(removal.backend, o, ctx)) };
  const removed: Orphan[] = [];
  for (const orphan of plan) {
    try {
      if (orphan.cleanUp === 'delete-schedule') {
        await removal.backend.schedules.delete(
          orphan.place,
          orphan.name,
          ctx.clientToken(`delete-schedule-${orphan.place}/${orphan.name}`),
        );
      } else if (orphan.cleanUp === 'delete-rule') {
        await removal.backend.rules.delete(orphan.name, orphan.place);
      } else {
        await removal.backend.rules.removeTargets(
          orphan.name,
          orphan.deadTargets.map((t) => t.id),
          orphan.place,
        );
      }
    } catch (error) {
      // Gone meanwhile: what we wanted.
      if (isTriggerError(error, 'NOT_FOUND')) continue;
      throw error;
    }
    if (orphan.cleanUp !== 'remove-targets') {
      await removal.forget(orphan);
      removal.counted(orphan.kind);
    }
    removed.push(orphan);
  }
  return removed;
}

function requestsFor(
  backend: Backend,
  orphan: Orphan,
  ctx: { clientToken(what: string): string },
): BackendRequest[] {
  const { requests } = backend;
  if (orphan.cleanUp === 'delete-schedule')
    return requests.deleteSchedule(
      orphan.place,
      orphan.name,
      ctx.clientToken(`delete-schedule-${orphan.place}/${orphan.name}`),
    );
  if (orphan.cleanUp === 'remove-targets')
    return requests.removeRuleTargets(
      orphan.name,
      orphan.deadTargets.map((t) => t.id),
      orphan.place,
    );
  return requests.deleteRule(
    {
      kind: 'event',
      name: orphan.name,
      bus: orphan.place,
      eventPattern: '',
      state: 'ENABLED',
      roleArn: '',
      targets: [],
    },
    orphan.targetIds,
  );
}

async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (isTriggerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}
