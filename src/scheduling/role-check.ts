import { globMatches } from '../auth/glob.js';

/**
 * The execution role, checked before a trigger is made or an approval carried out: the commonest
 * silent failures are a role Scheduler (or EventBridge) may not assume, and a role that may not
 * start the pipeline. Both end in invocations that fail after retries, visible only in a metric.
 */

/** Who must be able to assume the role: Scheduler for schedules, EventBridge for rules. */
export type RoleUser = 'scheduler.amazonaws.com' | 'events.amazonaws.com';

export type RoleCheck =
  | { status: 'passed' }
  | { status: 'failed'; problems: string[] }
  /** The bot could not look (no IAM read permission, a local role): nothing is claimed. */
  | { status: 'unchecked'; reason: string };

export interface RoleCheckRequest {
  roleArn: string;
  user: RoleUser;
  pipelineArn: string;
  /** For Scheduler: the schedule group, which a trust policy's aws:SourceArn may name. */
  scheduleGroup?: string;
}

export interface RolesPort {
  check(request: RoleCheckRequest): Promise<RoleCheck>;
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
}

/**
 * Whether a trust policy lets the service assume the role: an Allow statement for
 * sts:AssumeRole (or a wildcard) whose Principal names the service, and whose aws:SourceAccount
 * and aws:SourceArn conditions, where it has them, match this account and (for Scheduler) the
 * bot's schedule group. Conditions on other keys cannot be told in advance and are not held
 * against the role. Returns the problem, or undefined when the service may assume it.
 */
export function trustProblem(document: unknown, request: RoleCheckRequest): string | undefined {
  const statements = statementsOf(document);
  const allowing = statements.filter(
    (s) =>
      s.Effect === 'Allow' &&
      principalServices(s.Principal).includes(request.user) &&
      listOf(s.Action).some((a) => matchesAction(a, 'sts:AssumeRole')),
  );
  const service = request.user;
  if (allowing.length === 0)
    return `its trust policy does not let ${service} assume it (add ${service} as a Principal for sts:AssumeRole)`;
  const context = sourceContext(request);
  if (allowing.some((s) => conditionsHold(s.Condition, context))) return undefined;
  return `its trust policy lets ${service} assume it only for another source (aws:SourceArn or aws:SourceAccount do not match ${context['aws:SourceArn'] ?? context['aws:SourceAccount']})`;
}

/** The account, region and partition of the pipeline: where Scheduler and EventBridge act. */
function sourceContext(request: RoleCheckRequest): Record<string, string> {
  const [, partition = 'aws', , region = '', account = ''] = request.pipelineArn.split(':');
  const context: Record<string, string> = { 'aws:SourceAccount': account };
  if (request.user === 'scheduler.amazonaws.com' && request.scheduleGroup)
    context['aws:SourceArn'] =
      `arn:${partition}:scheduler:${region}:${account}:schedule-group/${request.scheduleGroup}`;
  return context;
}

function conditionsHold(condition: unknown, context: Record<string, string>): boolean {
  if (!condition || typeof condition !== 'object') return true;
  for (const [operator, pairs] of Object.entries(condition as Record<string, unknown>)) {
    if (!pairs || typeof pairs !== 'object') continue;
    for (const [key, expected] of Object.entries(pairs as Record<string, unknown>)) {
      const actual = context[key.toLowerCase() === 'aws:sourcearn' ? 'aws:SourceArn' : key];
      const knownKey = /^aws:source(arn|account)$/i.test(key);
      if (!knownKey || actual === undefined) continue;
      const values = listOf(expected).map(String);
      const base = operator.replace(/^ForAnyValue:|^ForAllValues:/, '').replace(/IfExists$/, '');
      const matched =
        base === 'StringEquals' || base === 'ArnEquals'
          ? values.includes(actual)
          : base === 'StringLike' || base === 'ArnLike'
            ? values.some((v) => globMatches(v, actual))
            : base === 'StringNotEquals' || base === 'ArnNotEquals'
              ? !values.includes(actual)
              : base === 'StringNotLike' || base === 'ArnNotLike'
                ? !values.some((v) => globMatches(v, actual))
                : true;
      if (!matched) return false;
    }
  }
  return true;
}

function statementsOf(document: unknown): Statement[] {
  if (!document || typeof document !== 'object') return [];
  const statement = (document as { Statement?: unknown }).Statement;
  return listOf(statement).filter((s): s is Statement => !!s && typeof s === 'object');
}

function principalServices(principal: unknown): string[] {
  if (principal === '*') return ['scheduler.amazonaws.com', 'events.amazonaws.com'];
  if (!principal || typeof principal !== 'object') return [];
  const p = principal as { Service?: unknown; AWS?: unknown };
  if (p.AWS === '*') return ['scheduler.amazonaws.com', 'events.amazonaws.com'];
  return listOf(p.Service).map(String);
}

function matchesAction(pattern: unknown, action: string): boolean {
  return typeof pattern === 'string' && globMatches(pattern, action);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** A trust policy as IAM's GetRole returns it: URL-encoded JSON (or, leniently, plain JSON). */
export function readPolicyDocument(text: string | undefined): unknown {
  if (!text) return undefined;
  for (const candidate of [text, safeDecode(text)]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What a failed check says, in one line, for previews, approvals and errors. */
export function roleCheckWords(roleArn: string, check: RoleCheck): string | undefined {
  if (check.status !== 'failed') return undefined;
  return `role ${roleArn.split('/').at(-1) ?? roleArn}: ${check.problems.join('; ')}`;
}
