import { randomUUID } from 'node:crypto';
import type { AccessControl, AccessRequest, ReadFilter } from '../../auth/access.js';
import type { AuditLog } from '../../auth/audit.js';
import type { SubscriptionRepository } from '../../notifications/notification-store.js';
import type { LocalEventsPort } from '../../scheduling/local/event-bus.js';
import type { SchedulingService, ServiceError } from '../../scheduling/scheduling-service.js';
import type { Usage } from './parsing.js';
import { formatCommandError } from './preview-commands.js';
import type { Reply } from './replies.js';

/**
 * What one command is, in one place: how it reads, how it parses, how it is written back, what
 * the policy calls it, and how it runs. The registry derives the grammar, help, the policy's
 * mapping and the CLI's needs from these; adding a command is one file and a registry line.
 */
export interface CommandDefinition<C extends { name: string } = { name: string }> {
  name: C['name'];
  /** Other command names its parse produces (a bare `create` becomes `create-interactive`). */
  produces?: string[];
  /** Absent for forms no one types (a bare `create` that opens the form). */
  usage?: Usage;
  /** Whether `--dry-run` applies (commands that change something). */
  dryRun: boolean;
  /** Flags without a value it takes besides --dry-run (`utc`, `json`). */
  switches?: readonly string[];
  /** Whether it needs the running product (store, back end) rather than only the grammar. */
  needsService: boolean;
  /** The tokens after the command's name. */
  parse(input: ParseInput): ParseResult<C>;
  /** The command as a person would type it: what approvers and the audit log read. */
  text?(command: C): string;
  /** For changes: what the policy gate decides it as (undefined: it changes nothing). */
  change?: ChangeSpec<C>;
  /** Runs it: reads are filtered for this person, changes come here once the gate allowed them. */
  run(command: C, deps: CommandDeps): Promise<Reply>;
}

export interface ChangeSpec<C> {
  action(command: C): Exclude<AccessRequest['action'], never> | undefined;
  /**
   * Asks first (a delete nobody said yes to): the reply that asks, or undefined to go on. Not
   * asked again of an approved request, whose requester already said yes.
   */
  confirm?(command: C, deps: CommandDeps): Promise<Reply | undefined> | undefined;
  /**
   * The pipelines it touches; `undefined` when the thing it names does not exist (the command
   * then says "not found"); `refused` when they could not be learnt: the change does not run,
   * for a change the gate has not decided never runs.
   */
  pipelines(command: C, deps: CommandDeps): Promise<string[] | undefined | { refused: Reply }>;
  /** The trigger it is about, for the audit log and the approval message. */
  trigger?(command: C): string | undefined;
  /** The execution role it asks for, decided by the policy's allowlist. */
  role?(command: C, deps: CommandDeps): string | undefined | Promise<string | undefined>;
  /**
   * Who made the trigger it changes, in words, when the bot did not: the policy's
   * `madeElsewhere` then applies, and the audit says so.
   */
  madeElsewhere?(command: C, deps: CommandDeps): Promise<string | undefined>;
  /** Further actions the same request takes, each decided by the policy too. */
  alsoActions?(command: C): Array<Exclude<AccessRequest['action'], never>>;
}

export interface ParseInput {
  name: string;
  /** Every token after the name, `--dry-run` removed. */
  args: string[];
  /** Tokens that are not key=value options. */
  positional: string[];
  /** key=value and param:Name=value tokens. */
  options: string[];
  dryRun: boolean;
  /** The switches given (`--utc` as `utc`), each one the command declares. */
  switches: string[];
}

export type ParseResult<C = { name: string }> =
  | { ok: true; command: C }
  | { ok: false; message: string; usage?: string };

/** Defines a command with its own command type, checked against its own parse and run. */
export function defineCommand<C extends { name: string }>(
  definition: CommandDefinition<C>,
): CommandDefinition<C> {
  return definition;
}

/** What commands need from the running product; the CLI and chat front ends supply it. */
export type { LocalEventsPort, PreparedEvent } from '../../scheduling/local/event-bus.js';

export interface CommandDeps {
  /** Absent where only expressions and patterns can be checked. */
  service?: SchedulingService;
  /** The local event bus; absent on the AWS back end. */
  localEvents?: LocalEventsPort;
  /**
   * Reads an @file argument: given only where the person is on the machine (terminal, CLI),
   * never for Slack, whose users must not read the server's files.
   */
  readFile?: (path: string) => string;
  now: () => Date;
  /** Who is asking (a Slack user id, or the terminal's identity). */
  userId?: string;
  /** Execution roles the caller may pass, and their aliases; 'any' on the local back end. */
  allowedRoles: string[] | 'any';
  roleAliases: Record<string, string>;
  /** Used when a command names no role (the local back end's stand-in role). */
  defaultRole?: string;
  /** A fresh id per command; a retried request reuses its id (Slack's envelope id, say). */
  requestId?: string;
  /** The access policy and approvals; without it every command runs (tests, expression tools). */
  access?: AccessControl;
  /** The Slack channel the command came from, for channel-scoped policy rules. */
  channelId?: string;
  /** Set when running a request that was approved: it is not sent for approval again. */
  approved?: boolean;
  /** Where denials and outcomes are recorded. */
  auditLog?: AuditLog;
  /** Which channels follow which pipelines. */
  subscriptions?: SubscriptionRepository;
  /** Lists come a page at a time of this size (Slack); whole when unset (terminal, CLI). */
  listPageSize?: number;
}

// ---------------------------------------------------------------------------------------------
// What several commands' runs share.

/**
 * The newest `limit` entries this person may read: entries about pipelines they may not see are
 * skipped, reading further back (bounded) so the page is still full.
 */
export async function visibleAuditEntries(
  log: NonNullable<CommandDeps['auditLog']>,
  reader: Extract<ReadFilter, { ok: true }>,
  limit: number,
  pipeline: string | undefined,
) {
  const scanned = await log.list({
    limit: Math.min(limit * 10, 5_000),
    ...(pipeline ? { pipeline } : {}),
  });
  return scanned.filter((entry) => reader.mayRead(entry.pipelineNames)).slice(0, limit);
}

export function inputError(message: string, field?: string): Reply {
  return { kind: 'error', message, ...(field ? { field } : {}), exitCode: 2 };
}

const inputCodes = new Set([
  'INVALID_INPUT',
  'ROLE_NOT_ALLOWED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'VALIDATION',
]);

export function serviceError(error: ServiceError, expression?: string): Reply {
  const excerpt =
    expression && error.field === 'expression'
      ? formatCommandError(error as never, expression).slice(1)
      : [];
  return {
    kind: 'error',
    message: error.message,
    ...(error.field ? { field: error.field } : {}),
    ...(excerpt.length ? { excerpt } : {}),
    exitCode: inputCodes.has(error.code) ? 2 : 1,
  };
}

export function resolveRole(
  role: string | undefined,
  deps: CommandDeps,
): { ok: true; arn: string } | { ok: false; reply: Reply } {
  if (role === undefined) {
    if (deps.defaultRole) return { ok: true, arn: deps.defaultRole };
    const aliases = Object.keys(deps.roleAliases);
    return {
      ok: false,
      reply: inputError(
        `role: say which execution role the trigger uses: role=<arn>${aliases.length ? ` or one of ${aliases.join(', ')}` : ''}`,
        'role',
      ),
    };
  }
  const alias = deps.roleAliases[role];
  if (alias) return { ok: true, arn: alias };
  if (role.startsWith('arn:')) return { ok: true, arn: role };
  const aliases = Object.keys(deps.roleAliases);
  return {
    ok: false,
    reply: inputError(
      `role: "${role}" is neither a role ARN nor a known alias${aliases.length ? ` (${aliases.join(', ')})` : ''}`,
      'role',
    ),
  };
}

/** Inline JSON, or @path to read where the person is on the machine (terminal, CLI). */
export function readArgument(
  value: string,
  deps: CommandDeps,
  label: string,
): { ok: true; text: string; file?: string } | { ok: false; reply: Reply } {
  if (!value.startsWith('@')) return { ok: true, text: value };
  const file = value.slice(1);
  if (!deps.readFile)
    return {
      ok: false,
      reply: inputError(
        `${label}: files cannot be read from here (@file works in the terminal and the CLI); paste the JSON here instead`,
      ),
    };
  try {
    return { ok: true, text: deps.readFile(file), file };
  } catch (error) {
    return { ok: false, reply: inputError(`${label}: ${(error as Error).message}`) };
  }
}

/**
 * An error about an argument read from a file names the file, never its content: a message
 * that quotes what it could not parse would print a secret the file happened to hold.
 */
export function fileSafe(
  message: string,
  argument: { file?: string },
  label: string,
  what: string,
) {
  return argument.file
    ? `${label}: ${argument.file} does not hold ${what} (its content is not shown; check the file, or paste the JSON to see where)`
    : message;
}

export const OPEN_READER: Extract<ReadFilter, { ok: true }> = {
  ok: true,
  mayRead: () => true,
  denial: () => undefined,
};

/** The one read filter: what this person may see, from the policy (all, without a policy). */
export async function readerFor(deps: CommandDeps): Promise<ReadFilter> {
  if (!deps.access) return OPEN_READER;
  return deps.access.reader(deps.userId ?? 'unknown', deps.channelId);
}

/** One line of the audit log about what this person did with a command. */
export async function audit(
  deps: CommandDeps,
  entry: {
    event: string;
    action: string;
    pipelineNames: string[];
    triggerName?: string;
    details?: unknown;
  },
): Promise<void> {
  const store = deps.auditLog;
  if (!store) return;
  await store.append({
    at: deps.now(),
    actor: deps.userId ?? 'unknown',
    event: entry.event,
    action: entry.action,
    pipelineNames: entry.pipelineNames,
    ...(entry.triggerName ? { triggerName: entry.triggerName } : {}),
    ...(deps.requestId ? { requestId: deps.requestId } : {}),
    ...(entry.details !== undefined ? { details: JSON.stringify(entry.details) } : {}),
  });
}

/** The scheduling service, or the reply that says it is not running here. */
export function serviceOf(
  deps: CommandDeps,
  name: string,
): { ok: true; service: SchedulingService } | { ok: false; reply: Reply } {
  return deps.service
    ? { ok: true, service: deps.service }
    : { ok: false, reply: missing(name, 'the scheduling service, which is not running here') };
}

/** The access policy and approvals, or the reply that says they are not loaded here. */
export function accessOf(
  deps: CommandDeps,
  name: string,
): { ok: true; access: AccessControl } | { ok: false; reply: Reply } {
  return deps.access
    ? { ok: true, access: deps.access }
    : { ok: false, reply: missing(name, 'the access policy, which is not loaded here') };
}

/** A part of the product this front end does not run (the CLI without a store, say). */
function missing(name: string, what: string): Reply {
  return { kind: 'error', message: `${name} needs ${what}`, exitCode: 1 };
}

/** The request context the service takes: who, from where, which roles, dry or not. */
export function requestContext(deps: CommandDeps, dryRun = false) {
  return {
    requestId: deps.requestId ?? randomUUID(),
    ...(deps.userId ? { userId: deps.userId } : {}),
    ...(deps.channelId ? { channelId: deps.channelId } : {}),
    allowedRoles: deps.allowedRoles,
    dryRun,
    now: deps.now(),
  };
}
