import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type BotRuntime, openBotRuntime } from './bot/bot-runtime.js';
import { needsService, parseArgv } from './bot/commands/grammar.js';
import {
  type CommandError,
  formatCommandError,
  formatPreviewText,
  MAX_COUNT,
  type PreviewCommandInput,
  runPreviewCommand,
} from './bot/commands/preview-commands.js';
import { readLocalFile } from './bot/commands/read-local-file.js';
import { renderText } from './bot/commands/render-text.js';
import { type CommandDeps, runCommand } from './bot/commands/run-command.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { setupEventsFromArgs } from './scheduling/aws/event-wiring.js';
import { formatInstant } from './scheduling/expression/index.js';

/** Exit codes: 0 done, 2 the input was wrong (the reason is on stderr). */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  now: () => Date;
  /** The environment the configuration is read from; the process's own when omitted. */
  env?: Record<string, string | undefined>;
}

const usage = `Usage:
  pipeline-schedule next <expression> [--tz ZONE] [--from ISO] [--start ISO] [--end ISO] [--count N]
      The next runs (default 5, at most ${MAX_COUNT}), one ISO-8601 UTC instant per line, strictly
      after --from (default: now). A rate() with no --start starts at --from itself.
  pipeline-schedule validate <expression> [--tz ZONE] [--from ISO] [--start ISO] [--end ISO]
      What the expression means, the next runs and anything to know before using it.
  pipeline-schedule help

<expression> is EventBridge Scheduler syntax; quote it for the shell:
  pipeline-schedule next 'cron(0 8 ? * MON-FRI *)' --tz Europe/Berlin --count 3
  pipeline-schedule next 'rate(6 hours)' --start 2026-12-01T00:00:00Z
  pipeline-schedule validate 'at(2026-12-24T09:00:00)' --tz America/New_York
Date-times without an offset are read in --tz (UTC by default).`;

const options = {
  tz: { type: 'string' },
  from: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  count: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The one-shot command line. Thin: parsing argv, then the same commands the chat runs. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === 'setup-events') return runSetupEvents(argv.slice(1), io);
  if (first !== undefined && first !== 'next' && first !== 'validate' && !first.startsWith('-')) {
    return runGrammarCommand(argv, io);
  }
  return runPreviewCli(argv, io);
}

/** next and validate with --flags: the CLI's own form, kept for scripts. */
function runPreviewCli(argv: string[], io: CliIo): number {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(io, cleanParseArgsMessage(error));
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === 'help' || command === undefined) {
    (command === undefined && !parsed.values.help ? io.stderr : io.stdout)(usage);
    return command === undefined && !parsed.values.help ? EXIT_USAGE : EXIT_OK;
  }
  if (command !== 'next' && command !== 'validate')
    return usageError(io, `unknown command "${command}"`);
  if (rest.length === 0)
    return usageError(io, `${command} needs an expression, e.g. 'cron(0 8 ? * MON-FRI *)'`);
  // An unquoted cron arrives split by the shell; put it back together.
  const expression = rest.join(' ');
  const { tz, from, start, end, count } = parsed.values;
  if (command === 'validate' && count !== undefined)
    return usageError(io, '--count applies to next, not validate');
  const input: PreviewCommandInput = {
    expression,
    ...(tz !== undefined ? { timeZone: tz } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(count !== undefined ? { count } : {}),
  };
  const result = runPreviewCommand(input, io.now(), 5);
  if (!result.ok) return inputError(io, result.error, expression);
  if (command === 'next') {
    for (const instant of result.preview.occurrences) io.stdout(formatInstant(instant));
  } else {
    for (const line of formatPreviewText(result.preview, { occurrences: true })) io.stdout(line);
  }
  return EXIT_OK;
}

function inputError(io: CliIo, error: CommandError, expression: string): number {
  const [first, ...more] = formatCommandError(error, expression);
  io.stderr(`pipeline-schedule: ${first}`);
  for (const line of more) io.stderr(line);
  return EXIT_USAGE;
}

function usageError(io: CliIo, message: string): number {
  io.stderr(`pipeline-schedule: ${message}`);
  io.stderr("Run 'pipeline-schedule help' for usage.");
  return EXIT_USAGE;
}

/** parseArgs says "Unknown option '--tzz'. To specify a positional argument…"; keep the first sentence. */
function cleanParseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('. ')[0]?.replace(/\.$/, '') ?? message;
}

/** Every other command, through the shared grammar, against the configured back end. */
async function runGrammarCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseArgv(argv);
  if (!parsed.ok) {
    io.stderr(`pipeline-schedule: ${parsed.message}`);
    if (parsed.usage) for (const line of parsed.usage.split('\n')) io.stderr(`  ${line}`);
    return EXIT_USAGE;
  }
  const command = parsed.command;
  const wantsService = needsService(command);
  let runtime: BotRuntime | undefined;
  try {
    let config: Config | undefined;
    if (wantsService) {
      config = configOrUsage(io);
      if (!config) return EXIT_USAGE;
      runtime = await openBotRuntime(config, createLogger({ level: 'silent' }), { engine: false });
    }
    const deps: CommandDeps = runtime
      ? {
          ...runtime.commandDeps(config?.localUser ?? 'U0LOCAL'),
          readFile: readLocalFile,
          requestId: randomUUID(),
        }
      : { readFile: readLocalFile, now: io.now, allowedRoles: 'any', roleAliases: {} };
    const reply = await runCommand(command, { ...deps, now: io.now });
    const text = renderText(reply);
    if (command.name === 'help' && !command.topic) text.stdout.push('', usage);
    for (const line of text.stdout) io.stdout(line);
    text.stderr.forEach((line, i) => {
      io.stderr(i === 0 ? `pipeline-schedule: ${line}` : line);
    });
    return text.exitCode;
  } catch (error) {
    io.stderr(`pipeline-schedule: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await runtime?.close();
  }
}

/**
 * setup-events --url https://… | --queue <arn>: wires EventBridge to the bot, idempotently. The
 * API key comes from EVENTS_API_KEY (or --api-key), so it never has to be typed.
 */
async function runSetupEvents(argv: string[], io: CliIo): Promise<number> {
  const config = configOrUsage(io);
  if (!config) return EXIT_USAGE;
  const region = config.awsRegion ? { region: config.awsRegion } : {};
  const clients = {
    eventBridge: new EventBridgeClient(region),
    sqs: new SQSClient(region),
    scheduler: new SchedulerClient(region),
  };
  try {
    return await setupEventsFromArgs(argv, io, clients, {
      ...(config.eventsApiKey ? { apiKey: config.eventsApiKey } : {}),
      group: config.scheduleGroup,
    });
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** The configuration, or undefined once the mistake in it was told (the caller exits 2). */
function configOrUsage(io: CliIo): Config | undefined {
  try {
    return loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(error.message);
      return undefined;
    }
    throw error;
  }
}

/** Entry point for bin/pipeline-schedule.js. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  // `pipeline-schedule list | head`: the reader left; stop quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  process.exitCode = await runCli(argv, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    now: () => new Date(),
  });
}
