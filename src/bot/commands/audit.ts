import { accessOf, defineCommand, inputError, readerFor, visibleAuditEntries } from './command.js';
import { mistake, parseOptions } from './parsing.js';

export type AuditCommand = { name: 'audit'; count?: number; pipeline?: string };

export const audit = defineCommand<AuditCommand>({
  name: 'audit',
  usage: {
    syntax: 'audit [count] [pipeline=<name>]',
    summary: 'who asked for, approved and ran what',
    example: 'audit 50 pipeline=churn-train',
  },
  dryRun: false,
  needsService: true,
  parse({ positional, options }) {
    const [count, ...extra] = positional;
    const parsed = parseOptions(options, 'audit', ['pipeline'], false);
    if (!parsed.ok) return parsed;
    if (extra.length > 0 || (count !== undefined && !/^\d+$/.test(count)))
      return mistake('audit takes a number of entries, and pipeline=<name>');
    const n = count === undefined ? undefined : Number(count);
    if (n !== undefined && (n < 1 || n > 1000)) return mistake('audit shows 1 to 1000 entries');
    return {
      ok: true,
      command: {
        name: 'audit',
        ...(n !== undefined ? { count: n } : {}),
        ...(parsed.options.pipeline ? { pipeline: parsed.options.pipeline } : {}),
      },
    };
  },
  async run(command, deps) {
    const found = accessOf(deps, 'audit');
    if (!found.ok) return found.reply;
    const log = deps.auditLog;
    if (!log) return { kind: 'error', message: 'the audit log is not available here', exitCode: 1 };
    const reader = await readerFor(deps);
    if (!reader.ok) return inputError(reader.reason);
    const denied = command.pipeline ? reader.denial([command.pipeline]) : undefined;
    if (denied) return inputError(denied);
    return {
      kind: 'audit',
      entries: await visibleAuditEntries(log, reader, command.count ?? 20, command.pipeline),
      ...(command.pipeline ? { pipeline: command.pipeline } : {}),
    };
  },
});
