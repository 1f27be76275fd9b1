import { defineCommand } from './command.js';
import { type ExpressionOptions, parseExpressionOptions, previewReply } from './next.js';

export type ValidateCommand = { name: 'validate' } & ExpressionOptions;

export const validate = defineCommand<ValidateCommand>({
  name: 'validate',
  usage: {
    syntax: 'validate <expression> [tz=<zone>] [start=<ISO>] [end=<ISO>]',
    summary: 'what an expression means, and what to watch for',
    example: "validate 'cron(0 8 31 * ? *)'",
  },
  dryRun: false,
  needsService: false,
  parse(input) {
    const parsed = parseExpressionOptions(input, ['tz', 'start', 'end', 'from']);
    if (!parsed.ok) return parsed;
    return { ok: true, command: { name: 'validate', ...parsed.value } };
  },
  run: async (command, deps) => previewReply(command, deps.now(), false),
});
