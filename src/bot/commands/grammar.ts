import { closest } from '../../scheduling/closest.js';
import type { ParseResult } from './command.js';
import { isOption, type Usage } from './parsing.js';
import { type Command, commandDefinitions, definitionNamed, definitionOf } from './registry.js';
import { tokenize } from './tokenize.js';

/**
 * The command grammar every front end shares (slash command, terminal chat, CLI). Parsing is
 * pure: text in, a typed command or a usage error out. Each command's own part of it (its
 * usage, its arguments, how it is written back) lives in its module; this reads them all.
 */

export type { ScheduleOptions } from './create.js';
export type { Command } from './registry.js';

/** Every command with what it does and one example, for `help` and for usage errors. */
export const usages: Record<string, Usage> = Object.fromEntries(
  commandDefinitions.flatMap((d) => (d.usage ? [[d.name, d.usage]] : [])),
);

export function parseCommand(text: string): ParseResult<Command> {
  const tokenized = tokenize(text);
  if (!tokenized.ok) return { ok: false, message: tokenized.message };
  return parseTokens(tokenized.tokens);
}

/** Tokens as a shell hands them over (argv), with an unquoted cron(… put back together. */
export function parseArgv(argv: string[]): ParseResult<Command> {
  const tokens: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let token = argv[i] ?? '';
    while (/^(cron|rate|at)\(/.test(token) && !token.includes(')') && i + 1 < argv.length)
      token += ` ${argv[++i]}`;
    tokens.push(token);
  }
  return parseTokens(tokens);
}

/** Flags that stand alone; every other `--name` takes a value, as `name=` does. */
const SWITCHES = new Set(['--dry-run', '--utc', '--json', '--yes']);

/**
 * One grammar in every front end: `--tz Europe/Berlin` and `--tz=Europe/Berlin` mean
 * `tz=Europe/Berlin`, so what works in the CLI works in Slack and the terminal, and back.
 */
function optionsAsKeyValues(tokens: string[]):
  | { ok: true; tokens: string[] }
  | {
      ok: false;
      message: string;
    } {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const flag = /^--([a-z][a-z-]*)(=(.*))?$/i.exec(token);
    if (!flag || SWITCHES.has(token)) {
      out.push(token);
      continue;
    }
    const [, key = '', withValue, value] = flag;
    if (withValue !== undefined) {
      out.push(`${key}=${value ?? ''}`);
      continue;
    }
    const next = tokens[i + 1];
    if (next === undefined || /^--[a-z]/i.test(next))
      return { ok: false, message: `--${key} needs a value: --${key} <value> or ${key}=<value>` };
    out.push(`${key}=${next}`);
    i++;
  }
  return { ok: true, tokens: out };
}

function parseTokens(typed: string[]): ParseResult<Command> {
  // `create --help` is `help create`, as command-line tools have it.
  const [first] = typed;
  if (first !== undefined && typed.some((t) => t === '--help' || t === '-h'))
    return first === '--help' || first === '-h'
      ? parseTokens(['help'])
      : parseTokens(['help', first]);
  const normalized = optionsAsKeyValues(typed);
  if (!normalized.ok) return { ok: false, message: normalized.message };
  const all = normalized.tokens;
  const dryRun = all.includes('--dry-run');
  const switches = all.filter((t) => SWITCHES.has(t) && t !== '--dry-run').map((t) => t.slice(2));
  const tokens = all.filter((t) => !SWITCHES.has(t));
  const [verb, ...args] = tokens;
  if (verb === undefined) return usageError('help', 'type a command, or help to see them all');
  const name = verb.replace(/^\//, '').toLowerCase();
  const definition = definitionNamed(name);
  if (!definition?.usage)
    return {
      ok: false,
      message: `unknown command "${verb}"${suggestion(closest(name, Object.keys(usages)))}`,
      usage: Object.values(usages)
        .map((u) => u.syntax)
        .join('\n'),
    };
  if (dryRun && !definition.dryRun)
    return usageError(name, `--dry-run applies to commands that change something, not ${name}`);
  const stray = switches.find((s) => !definition.switches?.includes(s));
  if (stray) {
    const takers = commandDefinitions.filter((d) => d.switches?.includes(stray)).map((d) => d.name);
    return usageError(
      name,
      `--${stray} applies to ${takers.join(', ') || 'no command'}, not ${name}`,
    );
  }
  const parsed = definition.parse({
    name,
    args,
    positional: args.filter((a) => !isOption(a)),
    options: args.filter(isOption),
    dryRun,
    switches,
  });
  return parsed.ok || parsed.usage ? parsed : usageError(name, parsed.message);
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
  return definitionOf(command).text?.(command) ?? command.name;
}

/** Whether a command needs the running product, not only the grammar (the CLI opens it then). */
export function needsService(command: Command): boolean {
  return definitionOf(command).needsService;
}

function suggestion(guess: string | undefined): string {
  return guess ? ` (did you mean ${guess}?)` : '';
}
