import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { TriggerError } from '../errors.js';
import { matchesEventPattern, parseEventPattern } from '../events/event-pattern/index.js';
import { nextOccurrences, parseExpression } from '../expression/index.js';
import { DYNAMIC_VALUE, type ParameterValue } from '../pipeline.js';
import type { PipelinesPort, RulesPort } from '../ports.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_RULE_TARGETS,
  MAX_TRIGGER_NAME_LENGTH,
  ROLE_ARN,
  TRIGGER_NAME,
} from '../trigger-rules.js';
import {
  DEFAULT_EVENT_BUS,
  type EventTrigger,
  type Page,
  type PageRequest,
  type RuleRecord,
  type RuleSummary,
  type TriggerState,
} from '../triggers.js';
import type { Clock } from './clock.js';
import type { BusEvent, LocalEventBus } from './event-bus.js';
import type { LocalStateRepository } from './local-state.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './pipeline-catalog.js';

/** At most this many runs of one scheduled rule are fired in one look (a rate(1 minute) after a long pause). */
const MAX_RUNS_PER_LOOK = 60;

/**
 * The embedded stand-in for EventBridge rules on the default bus: rules are stored like
 * PutRule/PutTargets store them, and every event published on the local bus starts the pipeline
 * targets of each enabled rule whose pattern matches, with static parameter values as given and
 * dynamic ones ($.detail.key) read from the event. A rule with a schedule expression instead of
 * a pattern runs in UTC, each run sending its targets a "Scheduled Event" as EventBridge does.
 */
/** What became of one target of a rule that matched an event. */
export interface RuleTargetReport {
  rule: string;
  target: string;
  pipelineName: string;
  eventId: string;
  outcome: 'started' | 'failed';
  executionArn?: string;
  error?: string;
}

export class LocalRules implements RulesPort {
  private readonly unsubscribe: () => void;
  private readonly listeners = new Set<(report: RuleTargetReport) => void | Promise<void>>();
  /** Scheduled rules' runs up to this instant have been fired; unset until startSchedules(). */
  private firedUpTo: number | undefined;
  private scheduleTimer: unknown;
  private scheduling: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: LocalStateRepository,
    private readonly pipelines: PipelinesPort,
    bus: LocalEventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.unsubscribe = bus.subscribe((event) => this.route(event));
  }

  close(): void {
    this.unsubscribe();
  }

  /**
   * Starts running the rules on a schedule from now on: runs that fell due while the service was
   * down are not replayed (EventBridge would have run them then, not later).
   */
  async startSchedules(): Promise<void> {
    this.firedUpTo = this.clock.now();
    await this.rearmSchedules();
  }

  async stopSchedules(): Promise<void> {
    this.firedUpTo = undefined;
    if (this.scheduleTimer !== undefined) this.clock.clearTimeout(this.scheduleTimer);
    this.scheduleTimer = undefined;
    await this.scheduling;
  }

  /**
   * Fires the scheduled rules' runs that are due and sets the timer for the next one; called
   * after every change here and by the back end's sync, which sees other processes' rules. A run
   * seen twice (two replicas, a restart within the minute) starts nothing twice: the start's
   * client token comes from the rule, the run and the target.
   */
  rearmSchedules(): Promise<void> {
    this.scheduling = this.scheduling
      .then(async () => {
        if (this.firedUpTo === undefined) return;
        const now = this.clock.now();
        const from = this.firedUpTo;
        this.firedUpTo = now;
        let next = Number.POSITIVE_INFINITY;
        for (const { rule, anchor } of await this.scheduledRules()) {
          const runs = runsOf(rule, anchor, from, MAX_RUNS_PER_LOOK + 1);
          for (const run of runs.filter((t) => t <= now).slice(0, MAX_RUNS_PER_LOOK))
            await this.deliver(rule, scheduledEvent(rule, run));
          const [upcoming] = runsOf(rule, anchor, now, 1);
          if (upcoming !== undefined) next = Math.min(next, upcoming);
        }
        if (this.scheduleTimer !== undefined) this.clock.clearTimeout(this.scheduleTimer);
        this.scheduleTimer = undefined;
        if (Number.isFinite(next) && this.firedUpTo !== undefined)
          this.scheduleTimer = this.clock.setTimeout(
            () => void this.rearmSchedules(),
            next - this.clock.now(),
          );
      })
      .catch((error: unknown) => this.log.error({ err: error }, 'scheduled rules failed to run'));
    return this.scheduling;
  }

  /** Enabled rules on a schedule with a pipeline to start, and the instant a rate() counts from. */
  private async scheduledRules(): Promise<Array<{ rule: RuleRecord; anchor: number }>> {
    const found: Array<{ rule: RuleRecord; anchor: number }> = [];
    for (const row of await this.state.list('rules')) {
      const rule = readRule(row.json);
      if (rule.state === 'ENABLED' && rule.scheduleExpression && rule.targets.length > 0)
        found.push({ rule, anchor: Math.floor(row.updatedAt.getTime() / 1000) * 1000 });
    }
    return found;
  }

  /** Tells the listener what each matched target did: a failed start must reach a person. */
  onTarget(listener: (report: RuleTargetReport) => void | Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async report(report: RuleTargetReport): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(report);
      } catch (error) {
        this.log.warn({ err: error, rule: report.rule }, 'reporting a rule target failed');
      }
    }
  }

  async put(rule: EventTrigger): Promise<{ arn: string }> {
    return this.store({ ...rule, bus: DEFAULT_EVENT_BUS, otherTargets: [] });
  }

  /**
   * A rule as any tool may make it (the console, CloudFormation, `LOCAL_FOREIGN_TRIGGERS`, the
   * AWS stand-in): a schedule expression instead of a pattern, targets that are not pipelines.
   */
  async store(rule: LocalRule): Promise<{ arn: string }> {
    this.requireBus(rule.bus);
    validateRule(rule);
    const arn = ruleArn(rule.name);
    await this.state.put('rules', {
      key: rule.name,
      json: JSON.stringify({ ...rule, arn }),
      updatedAt: new Date(this.clock.now()),
    });
    await this.rearmSchedules();
    return { arn };
  }

  async get(name: string, bus = DEFAULT_EVENT_BUS): Promise<RuleRecord & LocalRule> {
    this.requireBus(bus);
    const row = await this.state.get('rules', name);
    if (!row)
      throw new TriggerError('NOT_FOUND', `rule ${name} does not exist on the default event bus`, {
        rule: name,
      });
    return readRule(row.json);
  }

  /** The rule as stored, with the modelled fields changed; its other targets stay. */
  async update(rule: RuleRecord): Promise<void> {
    const { description: _description, ...current } = await this.get(rule.name, rule.bus);
    await this.store({
      ...current,
      eventPattern: rule.eventPattern,
      state: rule.state,
      roleArn: rule.roleArn,
      ...(rule.description ? { description: rule.description } : {}),
      targets: rule.targets,
    });
  }

  async setState(name: string, state: TriggerState, bus = DEFAULT_EVENT_BUS): Promise<void> {
    const rule = await this.get(name, bus);
    await this.state.put('rules', {
      key: name,
      json: JSON.stringify({ ...rule, state }),
      updatedAt: new Date(this.clock.now()),
    });
    await this.rearmSchedules();
  }

  async delete(name: string, bus = DEFAULT_EVENT_BUS): Promise<void> {
    this.requireBus(bus);
    if (!(await this.state.delete('rules', name))) {
      throw new TriggerError('NOT_FOUND', `rule ${name} does not exist on the default event bus`, {
        rule: name,
      });
    }
    await this.rearmSchedules();
  }

  /** A rule left with no target stays, as on AWS, where only DeleteRule removes it. */
  async removeTargets(name: string, ids: string[], bus = DEFAULT_EVENT_BUS): Promise<void> {
    const rule = await this.get(name, bus);
    const gone = new Set(ids);
    await this.state.put('rules', {
      key: name,
      json: JSON.stringify({
        ...rule,
        targets: rule.targets.filter((t) => !gone.has(t.id)),
        otherTargets: rule.otherTargets.filter((t) => !gone.has(t.id)),
      }),
      updatedAt: new Date(this.clock.now()),
    });
    await this.rearmSchedules();
  }

  async list(
    query: PageRequest & { namePrefix?: string; bus?: string },
  ): Promise<Page<RuleSummary>> {
    this.requireBus(query.bus ?? DEFAULT_EVENT_BUS);
    const size = Math.min(Math.max(query.maxResults ?? 100, 1), 100);
    const rows = await this.state.list('rules', {
      ...(query.namePrefix ? { keyPrefix: query.namePrefix } : {}),
      ...(query.nextToken ? { after: query.nextToken } : {}),
      limit: size + 1,
    });
    const items = rows.slice(0, size).map((row) => {
      const rule = readRule(row.json);
      return { name: rule.name, arn: rule.arn, state: rule.state, bus: rule.bus };
    });
    const last = rows[size - 1];
    return { items, ...(rows.length > size && last ? { nextToken: last.key } : {}) };
  }

  async namesByTarget(targetArn: string, bus = DEFAULT_EVENT_BUS): Promise<string[]> {
    this.requireBus(bus);
    const names: string[] = [];
    for (const row of await this.state.list('rules')) {
      const rule = readRule(row.json);
      if (
        [
          ...rule.targets.map((t) => t.pipelineArn),
          ...rule.otherTargets.map((t) => t.arn),
        ].includes(targetArn)
      )
        names.push(rule.name);
    }
    return names;
  }

  async tags(ruleArnText: string, name: string): Promise<Record<string, string>> {
    const rule = await this.get(name);
    if (rule.arn !== ruleArnText)
      throw new TriggerError('NOT_FOUND', `no rule has the ARN ${ruleArnText}`, { rule: name });
    return rule.tags ?? {};
  }

  /** The local back end has the default bus only; a watched other bus is simply not there. */
  private requireBus(bus: string): void {
    if (bus !== DEFAULT_EVENT_BUS)
      throw new TriggerError('NOT_FOUND', `event bus ${bus} does not exist`, { bus });
  }

  /** The enabled rules this event matches: what publishing it would start. */
  async matching(event: BusEvent): Promise<RuleRecord[]> {
    const rows = await this.state.list('rules');
    const matched: RuleRecord[] = [];
    for (const row of rows) {
      const rule = readRule(row.json);
      // A rule on a schedule matches no event.
      if (rule.state !== 'ENABLED' || !rule.eventPattern) continue;
      const pattern = parseEventPattern(rule.eventPattern);
      if (pattern.ok && matchesEventPattern(pattern.pattern, event)) matched.push(rule);
    }
    return matched;
  }

  /** Starts the targets of every enabled rule the event matches. */
  private async route(event: BusEvent): Promise<void> {
    for (const rule of await this.matching(event)) await this.deliver(rule, event);
  }

  /** Starts each pipeline target of a rule for one event (matched, or one of its scheduled runs). */
  private async deliver(rule: RuleRecord, event: BusEvent): Promise<void> {
    for (const target of rule.targets) {
      try {
        const { executionArn } = await this.pipelines.start({
          pipelineName: target.pipelineName,
          parameters: resolveParameters(target.parameters, event),
          // One execution per event and target, however often the event is delivered.
          clientToken: `${event.id}-${rule.name}-${target.id}`
            .replace(/[^A-Za-z0-9-]/g, '-')
            .padEnd(32, '0')
            .slice(0, 128),
          description: `Started by EventBridge rule ${rule.name} for event ${event.id}`,
        });
        this.log.info(
          { rule: rule.name, target: target.id, eventId: event.id, executionArn },
          'rule started pipeline',
        );
        await this.report({
          rule: rule.name,
          target: target.id,
          pipelineName: target.pipelineName,
          eventId: event.id,
          outcome: 'started',
          executionArn,
        });
      } catch (error) {
        this.log.warn(
          { rule: rule.name, target: target.id, eventId: event.id, err: error },
          'rule target failed to start',
        );
        await this.report({
          rule: rule.name,
          target: target.id,
          pipelineName: target.pipelineName,
          eventId: event.id,
          outcome: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}

/** Dynamic values ($.detail.x) come from the event; a path that is not there leaves the parameter out. */
export function resolveParameters(parameters: ParameterValue[], event: unknown): ParameterValue[] {
  const out: ParameterValue[] = [];
  for (const { name, value } of parameters) {
    if (!DYNAMIC_VALUE.test(value)) {
      out.push({ name, value });
      continue;
    }
    const found = readJsonPath(event, value);
    if (found === undefined || found === null) continue;
    out.push({ name, value: typeof found === 'string' ? found : JSON.stringify(found) });
  }
  return out;
}

function readJsonPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const part of path.slice(1).match(/\.[^.[]+|\[\d+\]/g) ?? []) {
    if (current === null || typeof current !== 'object') return undefined;
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part.slice(1);
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The runs of a scheduled rule after an instant, in UTC (EventBridge has no zone for rules). */
function runsOf(rule: RuleRecord, anchor: number, after: number, count: number): number[] {
  const parsed = parseExpression(rule.scheduleExpression ?? '', { dialect: 'rules' });
  if (!parsed.ok) return [];
  // A rule's rate() counts from when it was written, as EventBridge's counts from its creation.
  return nextOccurrences(parsed.expression, {
    after: new Date(after),
    start: new Date(anchor),
    count,
  }).map((d) => d.getTime());
}

/**
 * What EventBridge sends a scheduled rule's targets: a "Scheduled Event" from aws.events naming
 * the rule. Its id is derived from the rule and the run, so a run seen twice is one event.
 */
export function scheduledEvent(rule: { arn: string }, run: number): BusEvent {
  const hex = createHash('sha256').update(`${rule.arn}|${run}`).digest('hex');
  return {
    version: '0',
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date(run).toISOString().replace('.000Z', 'Z'),
    region: LOCAL_REGION,
    resources: [rule.arn],
    detail: {},
  };
}

export function ruleArn(name: string): string {
  return `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${name}`;
}

/** A rule as the local back end keeps it. */
export type LocalRule = Omit<RuleRecord, 'arn'> & { tags?: Record<string, string> };

/** A stored rule; rows written before rules had buses and other targets read as the bot's. */
function readRule(json: string): RuleRecord & LocalRule {
  const rule = JSON.parse(json) as Partial<RuleRecord> & EventTrigger & { arn: string };
  return { ...rule, bus: rule.bus ?? DEFAULT_EVENT_BUS, otherTargets: rule.otherTargets ?? [] };
}

function validateRule(rule: LocalRule): void {
  if (!TRIGGER_NAME.test(rule.name))
    throw new TriggerError(
      'VALIDATION',
      `rule name "${rule.name}" must be 1-${MAX_TRIGGER_NAME_LENGTH} letters, digits, "-", "_" or "."`,
    );
  if (rule.scheduleExpression === undefined) {
    const pattern = parseEventPattern(rule.eventPattern);
    if (!pattern.ok)
      throw new TriggerError(
        'VALIDATION',
        `Event pattern is not valid. Reason: ${pattern.error.message}`,
      );
  }
  // A rule may have no target (AWS allows it: PutRule comes before PutTargets).
  if (rule.targets.length + rule.otherTargets.length > MAX_RULE_TARGETS)
    throw new TriggerError('LIMIT_EXCEEDED', `a rule can have at most ${MAX_RULE_TARGETS} targets`);
  if (rule.targets.length > 0 && !ROLE_ARN.test(rule.roleArn))
    throw new TriggerError('VALIDATION', `RoleArn ${rule.roleArn} is not an IAM role ARN`);
  if ((rule.description ?? '').length > MAX_DESCRIPTION_LENGTH)
    throw new TriggerError(
      'VALIDATION',
      `Description is longer than ${MAX_DESCRIPTION_LENGTH} characters`,
    );
}
