import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseCommand } from '../commands/grammar.js';
import { renderText } from '../commands/render-text.js';
import { type CommandDeps, runCommand } from '../commands/run-command.js';

export interface TerminalChatOptions {
  input: Readable;
  output: Writable;
  /** Everything a command needs except the per-command request id. */
  deps: Omit<CommandDeps, 'requestId'>;
  onError: (error: unknown) => void;
}

/**
 * The chat in a terminal: the same commands as /pipeline-schedule in Slack, answered as text.
 * The leading "/pipeline-schedule" is optional. Resolves when the input ends (Ctrl-D).
 */
export function startTerminalChat(options: TerminalChatOptions): {
  done: Promise<void>;
  close(): void;
} {
  const rl = createInterface({
    input: options.input,
    output: options.output,
    prompt: '> ',
    terminal: 'isTTY' in options.output && Boolean(options.output.isTTY),
  });
  const write = (line: string) => options.output.write(`${line}\n`);
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      const text = line.trim().replace(/^\/pipeline-schedule\b\s*/, '');
      if (text === '') {
        rl.prompt();
        return;
      }
      if (text === 'exit' || text === 'quit') {
        rl.close();
        return;
      }
      try {
        const parsed = parseCommand(text);
        if (!parsed.ok) {
          write(parsed.message);
          if (parsed.usage)
            for (const usageLine of parsed.usage.split('\n')) write(`  ${usageLine}`);
        } else {
          const reply = await runCommand(parsed.command, {
            ...options.deps,
            requestId: randomUUID(),
          });
          const rendered = renderText(reply);
          for (const out of [...rendered.stdout, ...rendered.stderr]) write(out);
        }
      } catch (error) {
        options.onError(error);
        write('something went wrong; the log has the details');
      }
      rl.prompt();
    });
  });
  const done = new Promise<void>((resolve) => rl.on('close', () => void queue.then(resolve)));
  rl.prompt();
  return { done, close: () => rl.close() };
}
