import { testEventPattern } from '../../scheduling/events/event-pattern/index.js';
import { defineCommand, fileSafe, inputError, readArgument } from './command.js';
import { mistake } from './parsing.js';

export type TestPatternCommand = { name: 'test-pattern'; pattern: string; event: string };

export const testPattern = defineCommand<TestPatternCommand>({
  name: 'test-pattern',
  usage: {
    syntax: 'test-pattern <pattern JSON|@file> <event JSON|@file>',
    summary: 'does the event match the pattern? (like TestEventPattern)',
    example: 'test-pattern {"source":["aws.s3"]} @examples/s3-object-created.json',
  },
  dryRun: false,
  needsService: false,
  parse({ positional }) {
    const [pattern, event, ...extra] = positional;
    if (!pattern || !event || extra.length > 0)
      return mistake('test-pattern needs a pattern and an event, each JSON or @file');
    return { ok: true, command: { name: 'test-pattern', pattern, event } };
  },
  async run(command, deps) {
    const pattern = readArgument(command.pattern, deps, 'pattern');
    if (!pattern.ok) return pattern.reply;
    const event = readArgument(command.event, deps, 'event');
    if (!event.ok) return event.reply;
    const result = testEventPattern(pattern.text, event.text);
    if (!result.ok)
      return inputError(
        result.error.code === 'INVALID_EVENT'
          ? fileSafe(result.error.message, event, 'event', 'an EventBridge event')
          : fileSafe(result.error.message, pattern, 'pattern', 'a valid event pattern'),
      );
    return { kind: 'pattern-result', matches: result.matches };
  },
});
