import { defineCommand } from './command.js';

export type HelpCommand = { name: 'help'; topic?: string };

export const help = defineCommand<HelpCommand>({
  name: 'help',
  usage: { syntax: 'help [command]', summary: 'what you can do here', example: 'help create' },
  dryRun: false,
  needsService: false,
  parse: ({ positional }) => ({
    ok: true,
    command: { name: 'help', ...(positional[0] ? { topic: positional[0] } : {}) },
  }),
  run: async (command) => ({ kind: 'help', ...(command.topic ? { topic: command.topic } : {}) }),
});
