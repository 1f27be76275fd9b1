import { defineCommand } from './command.js';
import { mistake, parseOptions } from './parsing.js';
import { formatCommandError, runPreviewCommand } from './preview-commands.js';
import type { Reply } from './replies.js';

export interface ExpressionOptions {
  expression: string;
  timeZone?: string;
  start?: string;
  end?: string;
  from?: string;
}

export type NextCommand = {
  name: 'next';
  count?: string;
  utc?: boolean;
  json?: boolean;
} & ExpressionOptions;

export const next = defineCommand<NextCommand>({
  name: 'next',
  usage: {
    syntax:
      'next <expression> [tz=<zone>] [start=<ISO>] [end=<ISO>] [from=<ISO>] [count=<n>] [--utc] [--json]',
    summary: 'the next runs of an expression, without creating anything',
    example: "next 'cron(30 2 * * ? *)' tz=America/New_York count=3",
  },
  dryRun: false,
  switches: ['utc', 'json'],
  needsService: false,
  parse(input) {
    const parsed = parseExpressionOptions(input, ['tz', 'start', 'end', 'from', 'count']);
    if (!parsed.ok) return parsed;
    const count = parsed.options.count;
    return {
      ok: true,
      command: {
        name: 'next',
        ...parsed.value,
        ...(count ? { count } : {}),
        ...(input.switches.includes('utc') ? { utc: true } : {}),
        ...(input.switches.includes('json') ? { json: true } : {}),
      },
    };
  },
  run: async (command, deps) => {
    const reply = previewReply(command, deps.now(), true);
    return reply.kind === 'preview'
      ? {
          ...reply,
          ...(command.utc ? { utc: true } : {}),
          ...(command.json ? { json: true } : {}),
        }
      : reply;
  },
});

/** `<expression> [tz=…] [start=…] [end=…] [from=…]`, shared by next and validate. */
export function parseExpressionOptions(
  input: { name: string; positional: string[]; options: string[] },
  allowed: string[],
):
  | { ok: true; value: ExpressionOptions; options: Record<string, string> }
  | { ok: false; message: string } {
  const [expression, ...extra] = input.positional;
  if (!expression)
    return mistake(`${input.name} needs an expression, e.g. 'cron(0 8 ? * MON-FRI *)'`);
  if (extra.length > 0)
    return mistake(`unexpected "${extra[0]}" (quote the expression if it has spaces)`);
  const parsed = parseOptions(input.options, input.name, allowed, false);
  if (!parsed.ok) return parsed;
  const o = parsed.options;
  return {
    ok: true,
    options: o,
    value: {
      expression,
      ...(o.tz ? { timeZone: o.tz } : {}),
      ...(o.start ? { start: o.start } : {}),
      ...(o.end ? { end: o.end } : {}),
      ...(o.from ? { from: o.from } : {}),
    },
  };
}

/** What an expression does from now (or `from`): its runs, description and warnings. */
export function previewReply(
  command: ExpressionOptions & { count?: string },
  now: Date,
  runsOnly: boolean,
): Reply {
  const result = runPreviewCommand(
    {
      expression: command.expression,
      ...(command.timeZone ? { timeZone: command.timeZone } : {}),
      ...(command.start ? { start: command.start } : {}),
      ...(command.end ? { end: command.end } : {}),
      ...(command.from ? { from: command.from } : {}),
      ...(command.count ? { count: command.count } : {}),
    },
    now,
    5,
  );
  if (!result.ok) {
    const [message = '', ...excerpt] = formatCommandError(result.error, command.expression);
    return {
      kind: 'error',
      message,
      excerpt,
      field: result.error.field ?? 'expression',
      exitCode: 2,
    };
  }
  return { kind: 'preview', preview: result.preview, runsOnly };
}
