import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/bot/commands/grammar.js';
import { runCliCaptured } from './support/cli-run.js';
import { type RuntimeHarness, startRuntime } from './support/runtime-harness.js';

/**
 * One grammar: a line that works in the slash command or the terminal works on the command
 * line, and the other way round — `tz=` or `--tz`, `count=` or `--count`, `--help` anywhere.
 */

const now = new Date('2026-11-29T08:00:00Z');

const cli = (...argv: string[]) =>
  runCliCaptured(argv, { now, env: { DATABASE_URL: 'sqlite::memory:' } });

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the same options everywhere', () => {
  const forms = [
    [
      "'cron(0 8 * * ? *)' tz=Europe/Berlin count=2",
      ['cron(0 8 * * ? *)', 'tz=Europe/Berlin', 'count=2'],
    ],
    [
      "'cron(0 8 * * ? *)' --tz Europe/Berlin --count 2",
      ['cron(0 8 * * ? *)', '--tz', 'Europe/Berlin', '--count', '2'],
    ],
    [
      "'cron(0 8 * * ? *)' --tz=Europe/Berlin --count=2",
      ['cron(0 8 * * ? *)', '--tz=Europe/Berlin', '--count=2'],
    ],
  ] as const;

  it.each(forms)('next %s gives the same runs in the chat and the CLI', async (typed, argv) => {
    const fromCli = await cli('next', ...argv, 'from=2026-11-29T08:00:00Z');
    expect(fromCli.stderr).toEqual([]);
    expect(fromCli.code).toBe(0);
    expect(fromCli.stdout).toHaveLength(2);
    h = await startRuntime({});
    expect(await h.say(`next ${typed} from=2026-11-29T08:00:00Z`)).toBe(fromCli.stdout.join('\n'));
    const reference = await cli(
      'next',
      'cron(0 8 * * ? *)',
      'tz=Europe/Berlin',
      'count=2',
      'from=2026-11-29T08:00:00Z',
    );
    expect(fromCli.stdout).toEqual(reference.stdout);
  });

  it('reads update and delete the same in every form', () => {
    const forms = [
      "update churn-daily 'rate(2 days)' tz=Europe/Berlin end=none param:Epochs=5",
      "update churn-daily 'rate(2 days)' --tz Europe/Berlin --end none param:Epochs=5",
      "update churn-daily 'rate(2 days)' --tz=Europe/Berlin --end=none param:Epochs=5",
    ].map((line) => parseCommand(line));
    for (const parsed of forms)
      expect(parsed.ok && parsed.command).toEqual({
        name: 'update',
        trigger: 'churn-daily',
        expression: 'rate(2 days)',
        options: { timeZone: 'Europe/Berlin', end: 'none' },
        parameters: [{ name: 'Epochs', value: '5' }],
        dryRun: false,
      });
    const yes = parseCommand('delete churn-daily --yes');
    expect(yes.ok && yes.command).toEqual({
      name: 'delete',
      trigger: 'churn-daily',
      dryRun: false,
      confirmed: true,
    });
  });

  it('takes --dry-run and --key value together on a command that changes something', async () => {
    const parsed = parseCommand("create churn-train 'rate(1 day)' --name churn-daily --dry-run");
    expect(parsed.ok && parsed.command).toMatchObject({
      name: 'create',
      dryRun: true,
      options: { name: 'churn-daily' },
    });
  });

  it('says what is missing when --key has no value', () => {
    const parsed = parseCommand("next 'rate(1 day)' --count");
    expect(parsed.ok ? '' : parsed.message).toBe(
      '--count needs a value: --count <value> or count=<value>',
    );
  });

  it('answers --help on any command with that command’s help, in the chat and the CLI', async () => {
    const typed = parseCommand('create --help');
    expect(typed.ok && typed.command).toEqual({ name: 'help', topic: 'create' });
    const fromCli = await cli('next', '--help');
    expect(fromCli.code).toBe(0);
    expect(fromCli.stdout.join('\n')).toMatch(/next <expression> \[tz=<zone>\]/);
  });
});
