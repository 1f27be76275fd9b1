import type { ParameterValue } from '../../scheduling/pipeline.js';
import { tokenize } from './tokenize.js';

/**
 * The command grammar every front end shares (slash command, terminal chat, CLI). Parsing is
 * pure: text in, a typed command or a usage error out. What each command does is elsewhere.
 */

export interface ScheduleOptions {
  name?: string;
  timeZone?: string;
  start?: string;
  end?: string;
  window?: string;
  role?: string;
  state?: 'ENABLED' | 'DISABLED';
  description?: string;
  deadLetterArn?: string;
  retries?: string;
  maxAge?: string;
}

export type Command =
  | { name: 'help'; topic?: string }
  | { name: 'create-interactive' }
  | {
      name: 'create';
      pipeline: string;
      expression: string;
      options: ScheduleOptions;
      parameters: ParameterValue[];
      dryRun: boolean;
    }
  | {
      name: 'on-event';
      pipelines: string[];
      pattern: string;
      options: Pick<ScheduleOptions, 'name' | 'role' | 'state' | 'description'>;
      parameters: ParameterValue[];
      dryRun: boolean;
    }
  | { name: 'list'; pipeline?: string }
  | { name: 'describe'; trigger: string }
  | { name: 'delete' | 'pause' | 'resume'; trigger: string; dryRun: boolean }
  | { name: 'run'; pipeline: string; parameters: ParameterValue[]; dryRun: boolean }
  | {
      name: 'next';
      expression: string;
      timeZone?: string;
      start?: string;
      end?: string;
      from?: string;
      count?: string;
    }
  | {
      name: 'validate';
      expression: string;
      timeZone?: string;
      start?: string;
      end?: string;
      from?: string;
    }
  | { name: 'history'; pipeline: string }
  | { name: 'orphans'; clean: boolean; dryRun: boolean }
  | { name: 'pipelines'; prefix?: string }
  | { name: 'put-event'; event: string }
  | { name: 'test-pattern'; pattern: string; event: string }
  | { name: 'approvals' }
  | { name: 'approve'; requestId: string }
  | { name: 'reject'; requestId: string; reason?: string }
  | { name: 'cancel'; requestId: string }
  | { name: 'audit'; count?: number; pipeline?: string }
  | { name: 'subscribe'; pipeline: string; channel?: string; failuresOnly: boolean }
  | { name: 'unsubscribe'; pipeline: string; channel?: string };

export type ParseResult =
  | { ok: true; command: Command }
  | { ok: false; message: string; usage?: string };

interface Usage {
  syntax: string;
  summary: string;
  example: string;
}

/** Every command with what it does and one example, for `help` and for usage errors. */
export const usages: Record<string, Usage> = {
  help: { syntax: 'help [command]', summary: 'what you can do here', example: 'help create' },
  create: {
    syntax:
      'create <pipeline> <expression> [name=<schedule>] [tz=<IANA zone>] [start=<ISO>] [end=<ISO>] [window=<minutes>] [role=<arn|alias>] [state=enabled|disabled] [description=<text>] [retries=<0-185>] [max-age=<seconds>] [dlq=<sqs arn>] [param:<Name>=<value>]... [--dry-run]',
    summary:
      'schedule a pipeline with at(…), rate(…) or cron(…); with no arguments, asks step by step',
    example:
      "create churn-train 'cron(0 8 ? * MON-FRI *)' tz=Europe/Berlin param:InstanceType=ml.m5.xlarge",
  },
  'on-event': {
    syntax:
      'on-event <pipeline>[,<pipeline>…] <event-pattern JSON> [name=<rule>] [role=<arn|alias>] [param:<Name>=<value>|param:<Name>=$.json.path]... [--dry-run]',
    summary: 'start pipelines (at most 5) whenever an EventBridge event matches the pattern',
    example:
      'on-event ingest-daily {"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"daily/"}]}}} param:InputDataUri=$.detail.object.key',
  },
  list: {
    syntax: 'list [<pipeline>]',
    summary: 'the schedules and rules, or those of one pipeline',
    example: 'list churn-train',
  },
  describe: {
    syntax: 'describe <name>',
    summary: 'everything about a schedule or rule, with its next runs',
    example: 'describe churn-weekdays',
  },
  delete: {
    syntax: 'delete <name> [--dry-run]',
    summary: 'remove a schedule or rule',
    example: 'delete churn-weekdays',
  },
  pause: {
    syntax: 'pause <name> [--dry-run]',
    summary: 'stop a schedule or rule from firing, keeping it',
    example: 'pause churn-weekdays',
  },
  resume: {
    syntax: 'resume <name> [--dry-run]',
    summary: 'let a paused schedule or rule fire again',
    example: 'resume churn-weekdays',
  },
  run: {
    syntax: 'run <pipeline> [param:<Name>=<value>]... [--dry-run]',
    summary: 'start a pipeline now',
    example: 'run churn-train param:Epochs=3',
  },
  next: {
    syntax: 'next <expression> [tz=<zone>] [start=<ISO>] [end=<ISO>] [from=<ISO>] [count=<n>]',
    summary: 'the next runs of an expression, without creating anything',
    example: "next 'cron(30 2 * * ? *)' tz=America/New_York count=3",
  },
  validate: {
    syntax: 'validate <expression> [tz=<zone>] [start=<ISO>] [end=<ISO>]',
    summary: 'what an expression means, and what to watch for',
    example: "validate 'cron(0 8 31 * ? *)'",
  },
  history: {
    syntax: 'history <pipeline>',
    summary: 'recent executions of a pipeline',
    example: 'history churn-train',
  },
  orphans: {
    syntax: 'orphans [clean] [--dry-run]',
    summary: 'triggers whose pipeline no longer exists; clean removes them',
    example: 'orphans clean',
  },
  pipelines: {
    syntax: 'pipelines [<prefix>]',
    summary: 'the pipelines you can schedule',
    example: 'pipelines churn',
  },
  'put-event': {
    syntax: 'put-event <event JSON|@file>',
    summary: 'publish an event on the local bus (local back end)',
    example: 'put-event @examples/s3-object-created.json',
  },
  approvals: {
    syntax: 'approvals',
    summary: 'requests waiting for a decision',
    example: 'approvals',
  },
  approve: {
    syntax: 'approve <request-id>',
    summary: 'approve a request someone else made',
    example: 'approve req-3f2a…',
  },
  reject: {
    syntax: 'reject <request-id> [reason]',
    summary: 'turn a request down, saying why',
    example: 'reject req-3f2a… not during the freeze',
  },
  cancel: {
    syntax: 'cancel <request-id>',
    summary: 'withdraw a request you made',
    example: 'cancel req-3f2a…',
  },
  subscribe: {
    syntax: 'subscribe <pipeline> [#channel] [failures-only]',
    summary: "post this pipeline's executions in a channel (here by default)",
    example: 'subscribe churn-train #ml-alerts failures-only',
  },
  unsubscribe: {
    syntax: 'unsubscribe <pipeline> [#channel]',
    summary: 'stop posting them there',
    example: 'unsubscribe churn-train #ml-alerts',
  },
  audit: {
    syntax: 'audit [count] [pipeline=<name>]',
    summary: 'who asked for, approved and ran what',
    example: 'audit 50 pipeline=churn-train',
  },
  'test-pattern': {
    syntax: 'test-pattern <pattern JSON|@file> <event JSON|@file>',
    summary: 'does the event match the pattern? (like TestEventPattern)',
    example: 'test-pattern {"source":["aws.s3"]} @examples/s3-object-created.json',
  },
};

const scheduleOptionKeys: Record<string, keyof ScheduleOptions> = {
  name: 'name',
  tz: 'timeZone',
  start: 'start',
  end: 'end',
  window: 'window',
  role: 'role',
  state: 'state',
  description: 'description',
  dlq: 'deadLetterArn',
  retries: 'retries',
  'max-age': 'maxAge',
};

export function parseCommand(text: string): ParseResult {
  const tokenized = tokenize(text);
  if (!tokenized.ok) return { ok: false, message: tokenized.message };
  return parseTokens(tokenized.tokens);
}

/** Tokens as a shell hands them over (argv), with an unquoted cron(… put back together. */
export function parseArgv(argv: string[]): ParseResult {
  const tokens: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let token = argv[i] ?? '';
    while (/^(cron|rate|at)\(/.test(token) && !token.includes(')') && i + 1 < argv.length)
      token += ` ${argv[++i]}`;
    tokens.push(token);
  }
  return parseTokens(tokens);
}

function parseTokens(all: string[]): ParseResult {
  const dryRun = all.includes('--dry-run');
  const tokens = all.filter((t) => t !== '--dry-run');
  const [verb, ...args] = tokens;
  if (verb === undefined) return usageError('help', 'type a command, or help to see them all');
  const name = verb.replace(/^\//, '').toLowerCase();
  const usage = usages[name];
  if (!usage)
    return {
      ok: false,
      message: `unknown command "${verb}"`,
      usage: Object.values(usages)
        .map((u) => u.syntax)
        .join('\n'),
    };
  if (
    dryRun &&
    !['create', 'on-event', 'delete', 'pause', 'resume', 'run', 'orphans'].includes(name)
  ) {
    return usageError(name, `--dry-run applies to commands that change something, not ${name}`);
  }
  const positional = args.filter((a) => !isOption(a));
  const options = args.filter(isOption);
  switch (name) {
    case 'help':
      return {
        ok: true,
        command: { name: 'help', ...(positional[0] ? { topic: positional[0] } : {}) },
      };
    case 'create': {
      if (args.length === 0) return { ok: true, command: { name: 'create-interactive' } };
      const [pipeline, expression, ...extra] = positional;
      if (!pipeline || !expression)
        return usageError(name, 'create needs a pipeline and an expression');
      if (extra.length > 0)
        return usageError(
          name,
          `unexpected "${extra[0]}": options are written key=value, parameters param:Name=value`,
        );
      const parsed = parseOptions(options, name, Object.keys(scheduleOptionKeys));
      if (!parsed.ok) return parsed;
      const state = parsed.options.state;
      if (state !== undefined && !/^(enabled|disabled)$/i.test(state))
        return usageError(name, `state: "${state}" should be enabled or disabled`);
      const scheduleOptions: ScheduleOptions = {};
      for (const [key, value] of Object.entries(parsed.options)) {
        const field = scheduleOptionKeys[key];
        if (field === 'state')
          scheduleOptions.state = value.toUpperCase() as 'ENABLED' | 'DISABLED';
        else if (field) scheduleOptions[field] = value;
      }
      return {
        ok: true,
        command: {
          name: 'create',
          pipeline,
          expression,
          options: scheduleOptions,
          parameters: parsed.parameters,
          dryRun,
        },
      };
    }
    case 'on-event': {
      const [pipelines, pattern, ...extra] = positional;
      if (!pipelines || !pattern)
        return usageError(name, 'on-event needs pipelines and an event pattern');
      if (extra.length > 0)
        return usageError(
          name,
          `unexpected "${extra[0]}" (is the pattern quoted as one piece of JSON?)`,
        );
      const parsed = parseOptions(options, name, ['name', 'role', 'state', 'description']);
      if (!parsed.ok) return parsed;
      const state = parsed.options.state;
      if (state !== undefined && !/^(enabled|disabled)$/i.test(state))
        return usageError(name, `state: "${state}" should be enabled or disabled`);
      return {
        ok: true,
        command: {
          name: 'on-event',
          pipelines: pipelines
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
          pattern,
          options: {
            ...(parsed.options.name ? { name: parsed.options.name } : {}),
            ...(parsed.options.role ? { role: parsed.options.role } : {}),
            ...(state ? { state: state.toUpperCase() as 'ENABLED' | 'DISABLED' } : {}),
            ...(parsed.options.description ? { description: parsed.options.description } : {}),
          },
          parameters: parsed.parameters,
          dryRun,
        },
      };
    }
    case 'list':
    case 'pipelines': {
      if (options.length > 0 || positional.length > 1)
        return usageError(
          name,
          `${name} takes at most one ${name === 'list' ? 'pipeline' : 'prefix'}`,
        );
      const [first] = positional;
      return name === 'list'
        ? { ok: true, command: { name: 'list', ...(first ? { pipeline: first } : {}) } }
        : { ok: true, command: { name: 'pipelines', ...(first ? { prefix: first } : {}) } };
    }
    case 'describe':
    case 'delete':
    case 'pause':
    case 'resume': {
      const [trigger, ...extra] = positional;
      if (!trigger || extra.length > 0 || options.length > 0)
        return usageError(name, `${name} needs exactly one schedule or rule name`);
      return name === 'describe'
        ? { ok: true, command: { name, trigger } }
        : { ok: true, command: { name, trigger, dryRun } };
    }
    case 'run': {
      const [pipeline, ...extra] = positional;
      if (!pipeline || extra.length > 0)
        return usageError(name, 'run needs one pipeline, then param:Name=value for each parameter');
      const parsed = parseOptions(options, name, []);
      if (!parsed.ok) return parsed;
      return {
        ok: true,
        command: { name: 'run', pipeline, parameters: parsed.parameters, dryRun },
      };
    }
    case 'next':
    case 'validate': {
      const [expression, ...extra] = positional;
      if (!expression)
        return usageError(name, `${name} needs an expression, e.g. 'cron(0 8 ? * MON-FRI *)'`);
      if (extra.length > 0)
        return usageError(name, `unexpected "${extra[0]}" (quote the expression if it has spaces)`);
      const allowed =
        name === 'next' ? ['tz', 'start', 'end', 'from', 'count'] : ['tz', 'start', 'end', 'from'];
      const parsed = parseOptions(options, name, allowed, false);
      if (!parsed.ok) return parsed;
      const o = parsed.options;
      const common = {
        expression,
        ...(o.tz ? { timeZone: o.tz } : {}),
        ...(o.start ? { start: o.start } : {}),
        ...(o.end ? { end: o.end } : {}),
        ...(o.from ? { from: o.from } : {}),
      };
      return name === 'next'
        ? { ok: true, command: { name: 'next', ...common, ...(o.count ? { count: o.count } : {}) } }
        : { ok: true, command: { name: 'validate', ...common } };
    }
    case 'history': {
      const [pipeline, ...extra] = positional;
      if (!pipeline || extra.length > 0 || options.length > 0)
        return usageError(name, 'history needs one pipeline');
      return { ok: true, command: { name: 'history', pipeline } };
    }
    case 'orphans': {
      const [action, ...extra] = positional;
      if ((action !== undefined && action !== 'clean') || extra.length > 0 || options.length > 0)
        return usageError(name, 'orphans takes nothing, or clean');
      return { ok: true, command: { name: 'orphans', clean: action === 'clean', dryRun } };
    }
    case 'put-event': {
      const [event, ...extra] = positional;
      if (!event || extra.length > 0)
        return usageError(name, 'put-event needs one event, as JSON or @file');
      return { ok: true, command: { name: 'put-event', event } };
    }
    case 'approvals':
      if (args.length > 0) return usageError(name, 'approvals takes nothing');
      return { ok: true, command: { name: 'approvals' } };
    case 'approve':
    case 'cancel': {
      const [requestId, ...extra] = positional;
      if (!requestId || extra.length > 0 || options.length > 0)
        return usageError(name, `${name} needs one request id`);
      return { ok: true, command: { name, requestId } };
    }
    case 'reject': {
      // Everything after the id is the reason, spaces and all.
      const [requestId, ...reason] = args;
      if (!requestId) return usageError(name, 'reject needs a request id, then the reason');
      return {
        ok: true,
        command: {
          name: 'reject',
          requestId,
          ...(reason.length ? { reason: reason.join(' ') } : {}),
        },
      };
    }
    case 'audit': {
      const [count, ...extra] = positional;
      const parsed = parseOptions(options, name, ['pipeline'], false);
      if (!parsed.ok) return parsed;
      if (extra.length > 0 || (count !== undefined && !/^\d+$/.test(count)))
        return usageError(name, 'audit takes a number of entries, and pipeline=<name>');
      const n = count === undefined ? undefined : Number(count);
      if (n !== undefined && (n < 1 || n > 1000))
        return usageError(name, 'audit shows 1 to 1000 entries');
      return {
        ok: true,
        command: {
          name: 'audit',
          ...(n !== undefined ? { count: n } : {}),
          ...(parsed.options.pipeline ? { pipeline: parsed.options.pipeline } : {}),
        },
      };
    }
    case 'subscribe':
    case 'unsubscribe': {
      const [pipeline, ...rest] = positional;
      const failuresOnly = rest.includes('failures-only');
      const others = rest.filter((r) => r !== 'failures-only');
      if (
        !pipeline ||
        others.length > 1 ||
        options.length > 0 ||
        (name === 'unsubscribe' && failuresOnly)
      ) {
        return usageError(
          name,
          `${name} needs a pipeline, then optionally a channel${name === 'subscribe' ? ' and failures-only' : ''}`,
        );
      }
      const channel = others[0] === undefined ? undefined : channelId(others[0]);
      if (others[0] !== undefined && !channel)
        return usageError(
          name,
          `"${others[0]}" is not a channel: pick it from Slack's # list (an id like C0123ABCD)`,
        );
      return name === 'subscribe'
        ? { ok: true, command: { name, pipeline, failuresOnly, ...(channel ? { channel } : {}) } }
        : { ok: true, command: { name, pipeline, ...(channel ? { channel } : {}) } };
    }
    case 'test-pattern': {
      const [pattern, event, ...extra] = positional;
      if (!pattern || !event || extra.length > 0)
        return usageError(name, 'test-pattern needs a pattern and an event, each JSON or @file');
      return { ok: true, command: { name: 'test-pattern', pattern, event } };
    }
  }
  return usageError('help', `unknown command "${verb}"`);
}

/** key=value and param:Name=value; JSON (which may contain "=") is never an option. */
function isOption(token: string): boolean {
  return !/^[{[]/.test(token) && /^(param:[^=]*|[a-z][a-z-]*)=/i.test(token);
}

function parseOptions(
  tokens: string[],
  command: string,
  allowed: string[],
  allowParameters = true,
):
  | { ok: true; options: Record<string, string>; parameters: ParameterValue[] }
  | { ok: false; message: string; usage?: string } {
  const options: Record<string, string> = {};
  const parameters: ParameterValue[] = [];
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (key.startsWith('param:')) {
      if (!allowParameters) return usageError(command, `${command} takes no pipeline parameters`);
      const name = key.slice('param:'.length);
      if (!name) return usageError(command, `"${token}" needs a parameter name: param:Name=value`);
      parameters.push({ name, value });
      continue;
    }
    const lower = key.toLowerCase();
    if (!allowed.includes(lower)) {
      const list = allowed.length ? allowed.map((a) => `${a}=`).join(', ') : 'none';
      return usageError(
        command,
        `${command} has no option ${key}= (options: ${list}${allowParameters ? ', param:<Name>=' : ''})`,
      );
    }
    if (lower in options) return usageError(command, `${key}= is given twice`);
    options[lower] = value;
  }
  return { ok: true, options, parameters };
}

function usageError(
  command: string,
  message: string,
): { ok: false; message: string; usage: string } {
  const usage = usages[command] ?? usages.help;
  return { ok: false, message, usage: `${usage?.syntax ?? ''}\n  e.g. ${usage?.example ?? ''}` };
}

/** A command as a person would type it: what approvers read. */
export function commandText(command: Command): string {
  const quote = (v: string) =>
    /\s/.test(v) && !/^(cron|rate|at)\(/.test(v) ? JSON.stringify(v) : v;
  const params = (ps: Array<{ name: string; value: string }>) =>
    ps.map((p) => `param:${p.name}=${quote(p.value)}`);
  const opts = (o: Record<string, string | undefined>, keys: Record<string, string>) =>
    Object.entries(keys).flatMap(([key, field]) =>
      o[field] !== undefined ? [`${key}=${quote(o[field] ?? '')}`] : [],
    );
  const flag = (dryRun: boolean) => (dryRun ? ['--dry-run'] : []);
  switch (command.name) {
    case 'create':
      return [
        'create',
        command.pipeline,
        command.expression,
        ...opts(command.options as Record<string, string | undefined>, scheduleOptionKeysByName),
        ...params(command.parameters),
        ...flag(command.dryRun),
      ].join(' ');
    case 'on-event':
      return [
        'on-event',
        command.pipelines.join(','),
        command.pattern,
        ...opts(command.options as Record<string, string | undefined>, {
          name: 'name',
          role: 'role',
          state: 'state',
          description: 'description',
        }),
        ...params(command.parameters),
        ...flag(command.dryRun),
      ].join(' ');
    case 'run':
      return ['run', command.pipeline, ...params(command.parameters), ...flag(command.dryRun)].join(
        ' ',
      );
    case 'delete':
    case 'pause':
    case 'resume':
      return [command.name, command.trigger, ...flag(command.dryRun)].join(' ');
    case 'orphans':
      return ['orphans', ...(command.clean ? ['clean'] : []), ...flag(command.dryRun)].join(' ');
    default:
      return command.name;
  }
}

const scheduleOptionKeysByName: Record<string, string> = Object.fromEntries(
  Object.entries(scheduleOptionKeys),
);

/** A channel as Slack sends it (`<#C0123|name>`) or as typed (`#C0123`, `C0123`). */
function channelId(text: string): string | undefined {
  const m = /^<#([CGD][A-Z0-9]+)(\|[^>]*)?>$/.exec(text) ?? /^#?([CGD][A-Z0-9]{2,})$/.exec(text);
  return m?.[1];
}
