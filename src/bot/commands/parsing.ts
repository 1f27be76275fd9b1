import { closest } from '../../scheduling/closest.js';
import type { ParameterValue } from '../../scheduling/pipeline.js';

/** What help and usage errors show of a command. */
export interface Usage {
  syntax: string;
  summary: string;
  example: string;
}

/** A mistake in what was typed; the grammar adds the command's usage. */
export function mistake(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/** key=value and param:Name=value; JSON (which may contain "=") is never an option. */
export function isOption(token: string): boolean {
  return !/^[{[]/.test(token) && /^(param:[^=]*|[a-z][a-z-]*)=/i.test(token);
}

/** Words people reach for first, read as the option they mean. */
const OPTION_SYNONYMS: Record<string, string> = {
  timezone: 'tz',
  'time-zone': 'tz',
  zone: 'tz',
};

/** Reads key=value options (only `allowed` keys, each once) and param:Name=value parameters. */
export function parseOptions(
  tokens: string[],
  command: string,
  allowed: string[],
  allowParameters = true,
):
  | { ok: true; options: Record<string, string>; parameters: ParameterValue[] }
  | { ok: false; message: string } {
  const options: Record<string, string> = {};
  const parameters: ParameterValue[] = [];
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1);
    if (key.startsWith('param:')) {
      if (!allowParameters) return mistake(`${command} takes no pipeline parameters`);
      const name = key.slice('param:'.length);
      if (!name) return mistake(`"${token}" needs a parameter name: param:Name=value`);
      parameters.push({ name, value });
      continue;
    }
    const lower = OPTION_SYNONYMS[key.toLowerCase()] ?? key.toLowerCase();
    if (!allowed.includes(lower)) {
      const list = allowed.length ? allowed.map((a) => `${a}=`).join(', ') : 'none';
      const guess = closest(lower, allowed);
      return mistake(
        `${command} has no option ${key}=${guess ? ` (did you mean ${guess}=?)` : ''} (options: ${list}${allowParameters ? ', param:<Name>=' : ''})`,
      );
    }
    if (lower in options) return mistake(`${key}= is given twice`);
    options[lower] = value;
  }
  return { ok: true, options, parameters };
}

/** `state=enabled|disabled`, as the back ends spell it. */
export function parseState(
  value: string | undefined,
): { ok: true; state?: 'ENABLED' | 'DISABLED' } | { ok: false; message: string } {
  if (value === undefined) return { ok: true };
  if (!/^(enabled|disabled)$/i.test(value))
    return mistake(`state: "${value}" should be enabled or disabled`);
  return { ok: true, state: value.toUpperCase() as 'ENABLED' | 'DISABLED' };
}

/** A channel as Slack sends it (`<#C0123|name>`) or as typed (`#C0123`, `C0123`). */
export function channelId(text: string): string | undefined {
  const m = /^<#([CGD][A-Z0-9]+)(\|[^>]*)?>$/.exec(text) ?? /^#?([CGD][A-Z0-9]{2,})$/.exec(text);
  return m?.[1];
}

// Writing a command back as a person would type it.

/** A value with spaces is quoted, except an expression, which reads as typed. */
export function quote(value: string): string {
  return /\s/.test(value) && !/^(cron|rate|at)\(/.test(value) ? JSON.stringify(value) : value;
}

export function parameterTokens(parameters: Array<{ name: string; value: string }>): string[] {
  return parameters.map((p) => `param:${p.name}=${quote(p.value)}`);
}

/** key=value for each option that is set, in the order of `keys` (typed key → field). */
export function optionTokens(options: object, keys: Record<string, string>): string[] {
  const values = options as Record<string, string | undefined>;
  return Object.entries(keys).flatMap(([key, field]) =>
    values[field] !== undefined ? [`${key}=${quote(values[field] ?? '')}`] : [],
  );
}

/** `--json` asked for (a command's switches), or carried on (a command to its reply). */
export function jsonSwitch(from: readonly string[] | { json?: true }): { json?: true } {
  const asked = Array.isArray(from) ? from.includes('json') : (from as { json?: true }).json;
  return asked ? { json: true } : {};
}

export function dryRunToken(dryRun: boolean): string[] {
  return dryRun ? ['--dry-run'] : [];
}
