import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BotRuntime } from '../../../src/bot/bot-runtime.js';
import { parseCommand } from '../../../src/bot/commands/grammar.js';
import { startTerminalChat, type TerminalChat } from '../../../src/bot/terminal/terminal-chat.js';
import { type RuntimeHarness, startRuntime } from '../../support/runtime-harness.js';

/** The terminal chat end to end: typed lines in, text out, a real local runtime behind. */

const policy = `
roles:
  ml:        { users: [U0ALICE, U0BOB] }
  approvers: { users: [U0LEAD1] }
executionRoles:
  prod: arn:aws:iam::123456789012:role/PipelineSchedulerProd
  dev:  arn:aws:iam::123456789012:role/PipelineSchedulerDev
approvals:
  expiresAfter: 1h
pipelines:
  - match: "prod-*"
    create: [ml]
    delete: [approvers]
    pause: [ml]
    run: [ml]
    approval: { actions: [create, run], from: [approvers], count: 1 }
    executionRoles: [prod]
  - match: "dev-*"
    create: [ml]
    delete: [ml]
    pause: [ml]
    run: [ml]
    executionRoles: [dev]
`;

const pipelines = `
pipelines:
  - name: prod-churn
    description: Retrain the churn model
    parameters:
      - { name: InstanceType, type: String, default: ml.m5.xlarge }
    steps: [{ name: Train, seconds: 1 }]
  - name: dev-churn
    parameters:
      - { name: InstanceType, type: String, default: ml.m5.xlarge }
      - { name: Epochs, type: Integer, default: 10 }
      - { name: InputDataUri, type: String }
    steps: [{ name: Train, seconds: 1 }]
  - name: dev-ingest
    parameters:
      - { name: Key, type: String }
    steps: [{ name: Ingest, seconds: 1 }]
`;

let runtime: BotRuntime;
let chat: TerminalChat & { say(line: string): Promise<Said>; idle(): Promise<Said> };
const errors: unknown[] = [];

interface Said {
  /** Every line written since the line was sent, without the prompt that ends them. */
  lines: string[];
  /** The prompt the chat ended with: '> ' for a command, '  > ' for an answer. */
  prompt: string;
}

let harness: RuntimeHarness;

beforeEach(async () => {
  harness = await startRuntime({ policy, pipelines, env: { LOCAL_USER: 'U0ALICE' } });
  runtime = harness.runtime;
  chat = openChat(runtime, 'U0ALICE');
  await chat.idle();
});

afterEach(async () => {
  chat.close();
  await chat.done;
  await harness.close();
  expect(errors).toEqual([]);
});

function openChat(rt: BotRuntime, initialUser: string) {
  const input = new PassThrough();
  const output = new PassThrough();
  let buffer = '';
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
  });
  const started = startTerminalChat({
    input,
    output,
    depsFor: (userId) => rt.commandDeps(userId),
    initialUser,
    onError: (error) => errors.push(error),
  });
  // Every answer ends with a prompt: that is when the chat waits for the next line.
  const idle = async (): Promise<Said> => {
    const deadline = Date.now() + 5000;
    while (!buffer.endsWith('> ')) {
      if (Date.now() > deadline) throw new Error(`no prompt after:\n${buffer}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const lines = buffer.split('\n');
    const prompt = lines.pop() ?? '';
    buffer = '';
    return { lines, prompt };
  };
  return Object.assign(started, {
    idle,
    async say(line: string) {
      input.write(`${line}\n`);
      return idle();
    },
  });
}

/** Sends each line and returns everything written along the way. */
async function conversation(...answers: string[]): Promise<Said> {
  const lines: string[] = [];
  let said: Said = { lines, prompt: '' };
  for (const answer of answers) {
    said = await chat.say(answer);
    lines.push(...said.lines);
  }
  return { lines, prompt: said.prompt };
}

const requestIdIn = (lines: string[]) => /req-[0-9a-f-]{36}/.exec(lines.join('\n'))?.[0] ?? '';

describe('/as', () => {
  it('says who you are, switches to a valid user id and refuses anything else', async () => {
    expect((await chat.say('/as')).lines).toEqual(['you are U0ALICE']);
    expect((await chat.say('/as u0lead1')).lines).toEqual([
      '"u0lead1" is not a Slack-style user id such as U0LEAD1 (U or W, then capitals and digits)',
    ]);
    expect((await chat.say('/as U0LEAD1 U0BOB')).lines[0]).toMatch(/is not a Slack-style user id/);
    expect((await chat.say('/as U0LEAD1')).lines).toEqual(['you are now U0LEAD1']);
    expect((await chat.say('/pipeline-schedule /as')).lines).toEqual(['you are U0LEAD1']);
  });

  it('runs the next commands as that person', async () => {
    await chat.say('/as U0BOB');
    await chat.say('run dev-churn param:InputDataUri=s3://in');
    expect((await chat.say('audit 1')).lines[0]).toMatch(
      / {2}U0BOB {2}executed {2}run \(dev-churn\)/,
    );
  });
});

describe('a two-person approval', () => {
  it('asks step by step, waits for an approver found with /as, then runs once', async () => {
    const asked = await conversation(
      'create',
      'at',
      'prod',
      '2030-01-15T09:00:00',
      '', // UTC
      '', // InstanceType keeps its default
      '', // the one role the policy allows
      'prod-once',
    );
    expect(asked.lines).toContain('   3. prod-churn  Retrain the churn model');
    expect(asked.lines).toContain('Execution role? [prod]');
    expect(asked.lines).toContain(
      '  create prod-churn at(2030-01-15T09:00:00) name=prod-once role=prod',
    );
    expect(asked.lines.at(-1)).toBe('Create this schedule? (y/N)');

    const requested = await chat.say('y');
    const id = requestIdIn(requested.lines);
    expect(requested.lines[0]).toBe(`request ${id} needs an approval from approvers`);
    expect(requested.lines.at(-1)).toBe(`→ approve ${id} | reject ${id} <reason>`);
    expect(requested.prompt).toBe('> ');

    expect((await chat.say(`approve ${id}`)).lines).toEqual([
      `you asked for request ${id}, so someone else must approve it`,
    ]);
    expect((await chat.say('/as U0LEAD1')).lines).toEqual(['you are now U0LEAD1']);
    expect((await chat.say('approvals')).lines[0]).toContain(
      `${id}  create prod-once (prod-churn) by U0ALICE, 0 of 1 approvals`,
    );
    expect((await chat.say(`approve ${id}`)).lines).toEqual([
      `${id} is executed: created schedule prod-once`,
    ]);
    expect((await chat.say(`approve ${id}`)).lines).toEqual([
      `request ${id} is already approved and done`,
    ]);

    const described = await chat.say('describe prod-once');
    expect(described.lines).toContain(
      '  role: arn:aws:iam::123456789012:role/PipelineSchedulerProd',
    );
    expect(described.lines.at(-1)).toBe(
      '→ pause prod-once | run prod-churn | delete prod-once | update prod-once <change>',
    );
  });

  it('works the same with the one-line form, and a rejection closes the request', async () => {
    const requested = await chat.say('run prod-churn');
    const id = requestIdIn(requested.lines);
    expect(requested.lines.at(-1)).toBe(`→ approve ${id} | reject ${id} <reason>`);
    await chat.say('/as U0LEAD1');
    expect((await chat.say(`reject ${id} not during the freeze`)).lines).toEqual([
      `${id} is rejected: rejected by U0LEAD1: not during the freeze`,
    ]);
    expect((await chat.say('approvals')).lines).toEqual(['no requests are waiting']);
  });
});

describe('create, step by step', () => {
  it('asks the modal’s questions, checks each answer, and runs the command it shows', async () => {
    const start = await chat.say('create');
    expect(start.prompt).toBe('  > ');
    expect(start.lines.at(-1)).toMatch(/^Trigger type: at \(once\).*\? \[cron\]$/);

    expect((await chat.say('weekly')).lines).toEqual([
      'Please answer at, rate, cron or event.',
      expect.stringMatching(/^Trigger type/),
    ]);
    const listed = await chat.say(''); // cron
    expect(listed.lines).toEqual([
      'Pipelines you can schedule:',
      '   1. dev-churn',
      '   2. dev-ingest',
      '   3. prod-churn  Retrain the churn model',
      'Pipeline? (its number, its name, or the first letters of it)',
    ]);
    expect((await chat.say('dev')).lines[0]).toBe(
      '"dev" could be dev-churn, dev-ingest: type more of the name.',
    );
    expect((await chat.say('dev-c')).lines.at(-1)).toBe('Expression?');

    // Both day fields given: the parser's reason, with a caret, and the question again.
    const wrong = await chat.say('0 8 * * MON-FRI *');
    expect(wrong.lines.at(-1)).toBe('Expression?');
    expect(wrong.lines.join('\n')).toContain('  cron(0 8 * * MON-FRI *)');
    expect(wrong.lines.some((l) => /\^/.test(l))).toBe(true);

    const previewed = await chat.say('0 8 ? * MON-FRI *');
    expect(previewed.lines[0]).toMatch(/^ {2}at 08:00, Monday through Friday/);
    expect(previewed.lines).toContain('  next runs:');
    expect(previewed.lines.at(-1)).toMatch(/^Time zone\?.*\[UTC\]$/);

    expect((await chat.say('Mars/Olympus_Mons')).lines.at(-1)).toMatch(/^Time zone\?/);
    const zoned = await chat.say('Europe/Berlin');
    expect(zoned.lines[0]).toBe('In Europe/Berlin:');
    expect(zoned.lines).toContain('dev-churn takes these parameters; Enter keeps the default.');
    expect(zoned.lines.at(-1)).toBe('InstanceType (String)? [ml.m5.xlarge]');

    expect((await chat.say('')).lines).toEqual(['Epochs (Integer)? [10]']);
    expect((await chat.say('many')).lines).toEqual([
      'Epochs is an Integer; "many" is not a whole number',
      'Epochs (Integer)? [10]',
    ]);
    expect((await chat.say('3')).lines).toEqual(['InputDataUri (String)? (needs a value)']);
    expect((await chat.say('')).lines[0]).toBe(
      'InputDataUri has no default, so every run needs a value.',
    );
    expect((await chat.say('s3://bucket/in')).lines).toEqual([
      'Execution roles the policy allows for dev-churn:',
      '  dev  arn:aws:iam::123456789012:role/PipelineSchedulerDev',
      'Execution role? [dev]',
    ]);
    expect((await chat.say('ops')).lines[0]).toBe(
      '"ops" is not one of dev, nor a role ARN (arn:aws:iam::<account>:role/<name>).',
    );
    expect((await chat.say('DEV')).lines.at(-1)).toMatch(/^Name\?/);
    expect((await chat.say('dev weekdays')).lines[0]).toMatch(/can't be a name/);
    const shown = await chat.say('dev-weekdays');
    const oneLine =
      '  create dev-churn cron(0 8 ? * MON-FRI *) name=dev-weekdays tz=Europe/Berlin role=dev param:Epochs=3 param:InputDataUri=s3://bucket/in';
    expect(shown.lines).toEqual([
      'As one command (you can type it straight away next time):',
      oneLine,
      'Create this schedule? (y/N)',
    ]);
    // The command shown is the command that runs: typed as is, it parses to the same thing.
    const typed = parseCommand(oneLine.trim());
    expect(typed).toMatchObject({
      ok: true,
      command: {
        name: 'create',
        pipeline: 'dev-churn',
        expression: 'cron(0 8 ? * MON-FRI *)',
        options: { name: 'dev-weekdays', timeZone: 'Europe/Berlin', role: 'dev' },
        parameters: [
          { name: 'Epochs', value: '3' },
          { name: 'InputDataUri', value: 's3://bucket/in' },
        ],
      },
    });

    const created = await chat.say('yes');
    expect(created.prompt).toBe('> ');
    expect(created.lines[0]).toBe(
      'created schedule dev-weekdays (enabled): dev-churn at 08:00, Monday through Friday, Europe/Berlin',
    );
    expect(created.lines).toContain('  parameters: Epochs=3, InputDataUri=s3://bucket/in');
    // Run now starts the pipeline with the schedule's own parameters, as Slack's button does.
    expect(created.lines.at(-1)).toBe(
      '→ pause dev-weekdays | run dev-churn param:Epochs=3 param:InputDataUri=s3://bucket/in | delete dev-weekdays',
    );

    // A name that is taken is caught at its question, not after the last one.
    await conversation('create', 'rate', '2', '1 day', '', 's3://x', '');
    expect((await chat.say('dev-weekdays')).lines[0]).toBe(
      'There is already a trigger called dev-weekdays; pick another name.',
    );
  });

  it('makes an event rule, with a value taken from the event', async () => {
    const asked = await conversation('create', 'event', 'dev-i');
    expect(asked.lines.at(-1)).toBe('Event pattern?');
    expect((await chat.say('{"source": ["aws.s3"')).lines[0]).toMatch(/not valid JSON/);
    const pattern = await chat.say('{"source": ["aws.s3"], "detail-type": ["Object Created"]}');
    expect(pattern.lines).toContain(
      '  A JSON path such as $.detail.object.key takes the value from the event.',
    );
    const shown = await conversation('$.detail.object.key', '', 'ingest-on-upload');
    expect(shown.lines).toContain(
      '  on-event dev-ingest {"source":["aws.s3"],"detail-type":["Object Created"]} name=ingest-on-upload role=dev param:Key=$.detail.object.key',
    );
    expect(shown.lines.at(-1)).toBe('Create this rule? (y/N)');
    const created = await chat.say('y');
    expect(created.lines[0]).toBe(
      'created rule ingest-on-upload (enabled): starts dev-ingest on matching events',
    );
    expect(created.lines.at(-1)).toBe('→ pause ingest-on-upload | delete ingest-on-upload');
  });

  it('stops on cancel, on Ctrl-C and on no, and creates nothing', async () => {
    const cancelled = await conversation('create', 'rate', 'cancel');
    expect(cancelled.lines.at(-1)).toBe('Cancelled: nothing was created.');
    expect(cancelled.prompt).toBe('> ');

    await conversation('create', 'cron', 'dev-churn');
    chat.interrupt();
    const interrupted = await chat.idle();
    expect(interrupted).toEqual({
      lines: ['', 'Cancelled: nothing was created.'],
      prompt: '> ',
    });

    const declined = await conversation('create', 'rate', '1', '6 hours', '', '', '', 's3://x');
    expect(declined.lines.at(-1)).toBe('Execution role? [dev]');
    expect((await conversation('', '', 'n')).lines.at(-1)).toBe('Nothing was created.');

    expect((await chat.say('list')).lines).toEqual([
      'no triggers yet: create one with create <pipeline> <expression>',
      '→ create',
    ]);
  });
});

describe('the prompt', () => {
  it('says how to stop on a first Ctrl-C, and stops on a second', async () => {
    chat.interrupt();
    expect((await chat.idle()).lines).toEqual([
      '',
      '(to stop, press Ctrl-C again, Ctrl-D or type exit)',
    ]);
    chat.interrupt();
    await chat.done;
  });

  it('adds the terminal’s own commands to help, and keeps usage errors readable', async () => {
    const help = await chat.say('help');
    expect(help.lines).toContain('in this terminal:');
    expect(help.lines.some((l) => l.startsWith('  /as <user>'))).toBe(true);
    expect((await chat.say('describe')).lines[0]).toBe(
      'describe needs exactly one schedule or rule name',
    );
  });
});

describe('news while the prompt waits', () => {
  it('prints above the prompt, redraws what was typed, and keeps one updating line per execution', async () => {
    // A terminal: readline draws the prompt and moves the cursor with escape codes.
    const input = new PassThrough();
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString('utf8');
    });
    const tty = startTerminalChat({
      input,
      output,
      depsFor: (userId) => runtime.commandDeps(userId),
      initialUser: 'U0ALICE',
      onError: (error) => errors.push(error),
    });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
    await settle();
    input.write('lis'); // typed, not yet sent
    await settle();
    shown = '';
    tty.notify(['● ⏳ prod-churn x1 is executing', '  Steps: 0 of 1 done'], 'x1');
    const first = shown;
    shown = '';
    tty.notify(['● ✓ prod-churn x1 is succeeded · Duration 12 s'], 'x1');
    const second = shown;
    tty.close();
    await tty.done;
    // The prompt line is cleared first, and drawn again after the news with what was typed.
    expect(first.startsWith('\x1b[2K\x1b[1G')).toBe(true);
    expect(first).toContain('● ⏳ prod-churn x1 is executing\n  Steps: 0 of 1 done\n');
    expect(withoutCursorMoves(first).endsWith('> lis')).toBe(true);
    // The same execution again: up over its two lines, cleared, and written in their place.
    expect(second).toContain('\x1b[2A');
    expect(second).toContain('\x1b[0J');
    expect(second).toContain('● ✓ prod-churn x1 is succeeded · Duration 12 s\n');
    expect(withoutCursorMoves(second).endsWith('> lis')).toBe(true);
  });
});

/** The text with readline's trailing cursor placement (ESC [ n G) taken off. */
function withoutCursorMoves(text: string): string {
  const esc = String.fromCharCode(27);
  return text.replace(new RegExp(`${esc}\\[\\d+G$`), '');
}
