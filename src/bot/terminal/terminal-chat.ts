import { randomUUID } from 'node:crypto';
import { clearLine, clearScreenDown, createInterface, cursorTo, moveCursor } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type Command, parseCommand } from '../commands/grammar.js';
import { renderText } from '../commands/render-text.js';
import { type CommandDeps, runCommand } from '../commands/run-command.js';
import { askCreate, type Conversation } from './create-questions.js';
import { actionsLine, replyActions } from './reply-actions.js';

export interface TerminalChatOptions {
  input: Readable;
  output: Writable;
  /** Everything a command needs, for the person typing, except the per-command request id. */
  depsFor: (userId: string) => Omit<CommandDeps, 'requestId'>;
  /** Who types at first (LOCAL_USER); `/as <user>` switches. */
  initialUser: string;
  /** The zone times are shown in besides each schedule's (LOCAL_TZ, or the machine's). */
  timeZone?: string;
  onError: (error: unknown) => void;
}

export interface TerminalChat {
  /** Resolves when the input ends (Ctrl-D), or on exit. */
  done: Promise<void>;
  close(): void;
  /** What Ctrl-C does: abandons the questions of a step-by-step create, else stops the chat. */
  interrupt(): void;
  /**
   * Output that arrives on its own (an execution changed): printed above the prompt, which is
   * then drawn again with what was being typed. Lines with the same `key` as the last output
   * replace it where the terminal allows, so one execution keeps one updating line.
   */
  notify(lines: string[], key?: string): void;
}

/** Same rule as LOCAL_USER in config.ts: the policy names people by Slack-style user id. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

const COMMAND_PROMPT = '> ';
const QUESTION_PROMPT = '  > ';

const terminalHelp = [
  'in this terminal:',
  '  /as <user>    act as someone else from now on, e.g. /as U0LEAD1 to approve a request',
  '  /as           who you are acting as',
  '  create        with nothing after it, asks its questions one at a time',
  '  exit          stop (or Ctrl-D)',
];

const END = Symbol('end of input');
const INTERRUPT = Symbol('Ctrl-C');
type Line = string | typeof END | typeof INTERRUPT;

/** Lines as they arrive, taken one at a time: commands and answers to questions alike. */
class LineQueue {
  private readonly buffered: Line[] = [];
  private waiting: ((line: Line) => void) | undefined;
  private ended = false;

  push(line: Line): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(line);
    else this.buffered.push(line);
  }

  end(): void {
    this.ended = true;
    this.push(END);
  }

  next(): Promise<Line> {
    const line = this.buffered.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(END);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}

/**
 * The chat in a terminal: the same commands as /pipeline-schedule in Slack, answered as text,
 * with the commands to type where Slack would show buttons. The leading "/pipeline-schedule" is
 * optional. `/as <user>` changes who the next commands run as (to try approvals alone), and
 * `create` with nothing after it asks the modal's questions one by one.
 */
export function startTerminalChat(options: TerminalChatOptions): TerminalChat {
  const rl = createInterface({
    input: options.input,
    output: options.output,
    prompt: COMMAND_PROMPT,
    terminal: 'isTTY' in options.output && Boolean(options.output.isTTY),
  });
  const lines = new LineQueue();
  let closed = false;
  rl.on('line', (line) => lines.push(line));
  const interrupt = () => {
    options.output.write('\n');
    lines.push(INTERRUPT);
  };
  // With a listener, readline hands Ctrl-C over instead of closing on its own. What was typed
  // on the line is dropped, as in a shell (readline would keep it for the next prompt).
  rl.on('SIGINT', () => {
    rl.write(null, { ctrl: true, name: 'e' });
    rl.write(null, { ctrl: true, name: 'u' });
    interrupt();
  });
  rl.on('close', () => {
    closed = true;
    lines.end();
  });

  const tty = 'isTTY' in options.output && Boolean(options.output.isTTY);
  // What notify last printed, so the next change of the same message can take its place.
  let last: { key: string; height: number } | undefined;
  let waitingAtPrompt = false;
  const write = (...out: string[]) => {
    last = undefined;
    for (const line of out) options.output.write(`${line}\n`);
  };
  const notify = (out: string[], key?: string) => {
    if (closed) return;
    if (tty && waitingAtPrompt) {
      // Off the prompt line first; it is drawn again below the news.
      clearLine(options.output, 0);
      cursorTo(options.output, 0);
      if (key !== undefined && last?.key === key) {
        moveCursor(options.output, 0, -last.height);
        clearScreenDown(options.output);
      }
    }
    for (const line of out) options.output.write(`${line}\n`);
    last = key !== undefined && waitingAtPrompt ? { key, height: out.length } : undefined;
    if (tty && waitingAtPrompt) rl.prompt(true);
  };
  const prompt = (text: string) => {
    if (closed) return;
    rl.setPrompt(text);
    rl.prompt();
  };
  rl.on('line', () => {
    waitingAtPrompt = false;
    last = undefined;
  });
  let user = options.initialUser;

  const conversation: Conversation = {
    async ask(question) {
      write(question);
      prompt(QUESTION_PROMPT);
      const line = await lines.next();
      // Ctrl-C or the end of the input abandons the questions; the loop then sees the end too.
      if (typeof line !== 'string' || /^cancel$/i.test(line.trim())) return undefined;
      return line;
    },
    say: write,
  };

  const run = async (command: Command, deps: Omit<CommandDeps, 'requestId'>) => {
    const reply = await runCommand(command, { ...deps, requestId: randomUUID() });
    const rendered = renderText(reply, {
      timeZone: options.timeZone ?? 'UTC',
      now: deps.now(),
    });
    write(
      ...rendered.stdout,
      ...rendered.stderr,
      ...(reply.kind === 'help' && !reply.topic ? terminalHelp : []),
      ...actionsLine(replyActions(reply)),
    );
  };

  const switchUser = (id: string | undefined) => {
    if (!id) {
      write(`you are ${user}`);
      return;
    }
    if (!USER_ID.test(id)) {
      write(
        `"${id}" is not a Slack-style user id such as U0LEAD1 (U or W, then capitals and digits)`,
      );
      return;
    }
    user = id;
    write(`you are now ${user}`);
  };

  const handle = async (text: string) => {
    const as = /^\/as(?:\s+(.*))?$/is.exec(text);
    if (as) {
      switchUser(as[1]?.trim());
      return;
    }
    const parsed = parseCommand(text);
    if (!parsed.ok) {
      write(parsed.message, ...(parsed.usage?.split('\n').map((l) => `  ${l}`) ?? []));
      return;
    }
    const deps = options.depsFor(user);
    if (parsed.command.name === 'create-interactive') {
      const command = await askCreate(conversation, deps);
      if (command) await run(command, deps);
      return;
    }
    await run(parsed.command, deps);
  };

  const loop = async () => {
    let interrupted = false;
    for (;;) {
      prompt(COMMAND_PROMPT);
      waitingAtPrompt = true;
      const line = await lines.next();
      waitingAtPrompt = false;
      if (line === END) break;
      if (line === INTERRUPT) {
        // Like node's REPL: a second Ctrl-C in a row stops, the first only says how.
        if (interrupted) break;
        interrupted = true;
        write('(to stop, press Ctrl-C again, Ctrl-D or type exit)');
        continue;
      }
      interrupted = false;
      const text = line.trim().replace(/^\/pipeline-schedule\b\s*/, '');
      if (text === '') continue;
      if (text === 'exit' || text === 'quit') break;
      try {
        await handle(text);
      } catch (error) {
        options.onError(error);
        write('something went wrong; the log has the details');
      }
    }
    rl.close();
  };

  const done = loop();
  return {
    done,
    close: () => rl.close(),
    interrupt,
    notify,
  };
}
