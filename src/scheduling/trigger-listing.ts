import { isTriggerError } from './errors.js';
import { pipelineNameOf } from './pipeline.js';
import type { Backend } from './ports.js';
import type { Provenance } from './provenance.js';
import { scheduleTargetKind } from './schedule-document.js';
import {
  DEFAULT_EVENT_BUS,
  type HeldDocument,
  type Page,
  type RuleRecord,
  type ScheduleRecord,
  type ScheduleSummary,
  startsPipeline,
  type TriggerState,
} from './triggers.js';

/**
 * Where the bot looks for triggers, and finding them there: its own schedule group, the
 * schedule groups and event buses it watches (the SageMaker SDK puts schedules in `default`;
 * people make rules on the default bus), one trigger by name or all of them in pages. Only
 * pipeline targets count: a schedule of a Lambda is not listed, a rule's other targets are
 * only counted.
 */

export interface WatchScope {
  /** `*`: every group of the account. */
  scheduleGroups: string[] | '*';
  eventBuses: string[];
}

export const DEFAULT_WATCH: WatchScope = { scheduleGroups: ['default'], eventBuses: ['default'] };

export type FoundTrigger =
  | { kind: 'schedule'; record: ScheduleRecord }
  | { kind: 'event'; record: RuleRecord };

export interface TriggerListItem {
  kind: 'schedule' | 'event';
  name: string;
  /** How to name it in a command: the bare name in the bot's own places, else `place/name`. */
  ref: string;
  /** Its schedule group, or its rule's event bus. */
  place: string;
  arn: string;
  state: TriggerState;
  pipelineNames: string[];
  /** Targets of a rule that are not pipelines: shown as "and N other targets". */
  otherTargets: number;
  provenance: Provenance;
  /** Set on a rule that runs on a schedule instead of on events. */
  scheduleExpression?: string;
}

export interface ListQuery {
  /** Keeps the triggers that start this pipeline (name or ARN). */
  pipeline?: string;
  nextToken?: string;
  maxResults?: number;
}

interface Scope {
  backend: Backend;
  /** The bot's own group. */
  group: string;
  watch: WatchScope;
  provenanceOf(trigger: TriggerIdentity): Promise<Provenance>;
}

/** What tells who made a trigger: its place and name, and what AWS shows of it. */
export type TriggerIdentity =
  | { kind: 'schedule'; name: string; group: string; held?: HeldDocument }
  | { kind: 'event'; name: string; bus: string; arn: string; managedBy?: string };

export function identityOf(found: FoundTrigger): TriggerIdentity {
  if (found.kind === 'schedule') {
    const { name, group, held } = found.record;
    return { kind: 'schedule', name, group, ...(held ? { held } : {}) };
  }
  const { name, bus, arn, managedBy } = found.record;
  return { kind: 'event', name, bus, arn, ...(managedBy ? { managedBy } : {}) };
}

type Place = { kind: 'schedules'; group: string } | { kind: 'rules'; bus: string };

/** The places to look in, the bot's own first, each once. */
export async function placesOf(scope: Omit<Scope, 'provenanceOf'>): Promise<Place[]> {
  const groups =
    scope.watch.scheduleGroups === '*'
      ? (await scope.backend.schedules.listGroups()).sort()
      : scope.watch.scheduleGroups;
  const buses = [DEFAULT_EVENT_BUS, ...scope.watch.eventBuses];
  return [
    { kind: 'schedules', group: scope.group },
    ...[...new Set(groups)]
      .filter((g) => g !== scope.group)
      .map((group) => ({ kind: 'schedules' as const, group })),
    ...[...new Set(buses)].map((bus) => ({ kind: 'rules' as const, bus })),
  ];
}

/** The trigger's name as a command takes it. */
export function refOf(found: FoundTrigger, group: string): string {
  if (found.kind === 'schedule')
    return found.record.group === group
      ? found.record.name
      : `${found.record.group}/${found.record.name}`;
  return found.record.bus === DEFAULT_EVENT_BUS
    ? found.record.name
    : `${found.record.bus}/${found.record.name}`;
}

/**
 * The triggers a name can mean. `place/name` looks in that schedule group or on that bus; a
 * bare name is the bot's own schedule, else a rule of that name on the default bus, else every
 * watched group and bus that has one (more than one: the caller asks which).
 */
export async function findTriggers(
  scope: Omit<Scope, 'provenanceOf'>,
  ref: string,
): Promise<FoundTrigger[]> {
  const places = await placesOf(scope);
  const slash = ref.indexOf('/');
  if (slash > 0) {
    const [place, name] = [ref.slice(0, slash), ref.slice(slash + 1)];
    const found = await Promise.all(
      places
        .filter((p) => (p.kind === 'schedules' ? p.group === place : p.bus === place))
        .map((p) => lookIn(scope.backend, p, name)),
    );
    return found.filter((f): f is FoundTrigger => f !== undefined);
  }
  const own = await lookIn(scope.backend, places[0] as Place, ref);
  if (own) return [own];
  const onDefaultBus = await lookIn(scope.backend, { kind: 'rules', bus: DEFAULT_EVENT_BUS }, ref);
  if (onDefaultBus) return [onDefaultBus];
  const found = await Promise.all(
    places
      .slice(1)
      .filter((p) => p.kind === 'schedules' || p.bus !== DEFAULT_EVENT_BUS)
      .map((p) => lookIn(scope.backend, p, ref)),
  );
  return found.filter((f): f is FoundTrigger => f !== undefined);
}

/** The trigger of this name in this place; undefined when there is none, or no such place. */
async function lookIn(
  backend: Backend,
  place: Place,
  name: string,
): Promise<FoundTrigger | undefined> {
  try {
    return place.kind === 'schedules'
      ? { kind: 'schedule', record: await backend.schedules.get(place.group, name) }
      : { kind: 'event', record: await backend.rules.get(name, place.bus) };
  } catch (error) {
    if (isTriggerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}

/** Whether the trigger starts a pipeline at all: the others are not the bot's business. */
export function startsAnyPipeline(found: FoundTrigger): boolean {
  return found.kind === 'schedule' ? startsPipeline(found.record) : found.record.targets.length > 0;
}

export async function listItem(found: FoundTrigger, scope: Scope): Promise<TriggerListItem> {
  const common = {
    name: found.record.name,
    ref: refOf(found, scope.group),
    arn: found.record.arn,
    state: found.record.state,
    provenance: await scope.provenanceOf(identityOf(found)),
  };
  return found.kind === 'schedule'
    ? {
        ...common,
        kind: 'schedule',
        place: found.record.group,
        pipelineNames: [found.record.pipelineName],
        otherTargets: 0,
      }
    : {
        ...common,
        kind: 'event',
        place: found.record.bus,
        pipelineNames: found.record.targets.map((t) => t.pipelineName),
        otherTargets: found.record.otherTargets.length,
        ...(found.record.scheduleExpression
          ? { scheduleExpression: found.record.scheduleExpression }
          : {}),
      };
}

const DEFAULT_LIST_PAGE = 50;

/**
 * One page of triggers, place after place. The token says which place the page stopped in and
 * carries that back end's own token. For a pipeline, rules are found with
 * ListRuleNamesByTarget instead of describing every rule.
 */
export async function listTriggers(scope: Scope, query: ListQuery): Promise<Page<TriggerListItem>> {
  const size = Math.min(Math.max(query.maxResults ?? DEFAULT_LIST_PAGE, 1), 100);
  const wanted = query.pipeline ? pipelineNameOf(query.pipeline).toLowerCase() : undefined;
  const pipelineArn = query.pipeline
    ? await arnOfPipeline(scope.backend, query.pipeline)
    : undefined;
  const places = await placesOf(scope);
  const items: TriggerListItem[] = [];
  let [index, token] = decodeListToken(query.nextToken);
  while (items.length < size && index < places.length) {
    const place = places[index] as Place;
    // Ask each place for no more than the page still needs, so a page stops where it says.
    const page = await readPlace(scope, place, token, size - items.length, wanted, pipelineArn);
    items.push(...page.items);
    [index, token] = page.nextToken ? [index, page.nextToken] : [index + 1, undefined];
  }
  return {
    items,
    ...(index < places.length ? { nextToken: encodeListToken(index, token) } : {}),
  };
}

async function readPlace(
  scope: Scope,
  place: Place,
  token: string | undefined,
  room: number,
  wanted: string | undefined,
  pipelineArn: string | undefined,
): Promise<Page<TriggerListItem>> {
  const { backend } = scope;
  const items: TriggerListItem[] = [];
  try {
    if (place.kind === 'schedules') {
      if (place.group === scope.group) await backend.schedules.ensureGroup(place.group);
      const page = await backend.schedules.list({
        group: place.group,
        maxResults: room,
        ...(token ? { nextToken: token } : {}),
      });
      for (const summary of page.items) {
        const item = await scheduleItem(scope, summary, wanted);
        if (item) items.push(item);
      }
      return { items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    }
    if (pipelineArn !== undefined) {
      // One call names them all; there is no page after it.
      for (const name of await backend.rules.namesByTarget(pipelineArn, place.bus)) {
        const rule = await lookIn(backend, place, name);
        if (rule) items.push(await listItem(rule, scope));
      }
      return { items };
    }
    const page = await backend.rules.list({
      maxResults: room,
      bus: place.bus,
      ...(token ? { nextToken: token } : {}),
    });
    for (const summary of page.items) {
      // ListRules names the rules; their targets need DescribeRule and ListTargetsByRule. A
      // rule deleted in between is simply gone; any other failure is the listing's.
      const rule = await lookIn(backend, place, summary.name);
      if (!rule || !startsAnyPipeline(rule)) continue;
      const names = rule.kind === 'event' ? rule.record.targets.map((t) => t.pipelineName) : [];
      if (!wanted || names.some((n) => n.toLowerCase() === wanted))
        items.push(await listItem(rule, scope));
    }
    return { items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  } catch (error) {
    // A watched group or bus that does not exist (yet) has nothing in it.
    if (isTriggerError(error, 'NOT_FOUND') && !isOwn(scope, place)) return { items };
    throw error;
  }
}

async function scheduleItem(
  scope: Scope,
  summary: ScheduleSummary,
  wanted: string | undefined,
): Promise<TriggerListItem | undefined> {
  const kind = scheduleTargetKind(summary.targetArn);
  if (kind === 'other') return undefined;
  if (kind === 'pipeline' && wanted && pipelineNameOf(summary.targetArn).toLowerCase() !== wanted)
    return undefined;
  // The universal target names its pipeline in its Input; someone else's schedule shows who
  // made it in its shape: both need the whole schedule.
  if (kind === 'universal' || summary.group !== scope.group) {
    const found = await lookIn(
      scope.backend,
      { kind: 'schedules', group: summary.group },
      summary.name,
    );
    if (found?.kind !== 'schedule') return undefined;
    if (wanted && found.record.pipelineName.toLowerCase() !== wanted) return undefined;
    return listItem(found, scope);
  }
  const pipelineName = pipelineNameOf(summary.targetArn);
  return {
    kind: 'schedule',
    name: summary.name,
    ref: summary.name,
    place: summary.group,
    arn: summary.arn,
    state: summary.state,
    pipelineNames: [pipelineName],
    otherTargets: 0,
    provenance: await scope.provenanceOf({
      kind: 'schedule',
      name: summary.name,
      group: summary.group,
    }),
  };
}

function isOwn(scope: Scope, place: Place): boolean {
  return place.kind === 'schedules' ? place.group === scope.group : place.bus === DEFAULT_EVENT_BUS;
}

/** The pipeline's ARN for ListRuleNamesByTarget; undefined when SageMaker no longer has it. */
async function arnOfPipeline(backend: Backend, pipeline: string): Promise<string | undefined> {
  if (pipeline.startsWith('arn:')) return pipeline;
  try {
    return (await backend.pipelines.describe(pipeline)).arn;
  } catch (error) {
    if (isTriggerError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
}

export function decodeListToken(token: string | undefined): [number, string | undefined] {
  if (!token) return [0, undefined];
  const [place, ...rest] = token.split(':');
  const inner = rest.join(':') || undefined;
  const index = Number(place);
  return [
    Number.isInteger(index) && index >= 0 ? index : 0,
    inner ? Buffer.from(inner, 'base64url').toString() : undefined,
  ];
}

export function encodeListToken(place: number, token: string | undefined): string {
  return `${place}:${token ? Buffer.from(token).toString('base64url') : ''}`;
}
