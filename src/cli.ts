import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type BotRuntime, openBotRuntime } from './bot/bot-runtime.js';
import { needsService, parseArgv } from './bot/commands/grammar.js';
import { MAX_COUNT } from './bot/commands/preview-commands.js';
import { readLocalFile } from './bot/commands/read-local-file.js';
import { renderText } from './bot/commands/render-text.js';
import { type CommandDeps, runCommand } from './bot/commands/run-command.js';
import { type Config, ConfigError, loadConfig, localTimeZoneOf } from './config.js';
import { createLogger } from './logger.js';
import { setupEventsFromArgs } from './scheduling/aws/event-wiring.js';

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

/** What the command line adds to `help`: how to write things for a shell, and setup-events. */
const cliNotes = `Every option is written key=value or --key value, as in the chat:
  pipeline-schedule next 'cron(0 8 ? * MON-FRI *)' --tz Europe/Berlin --count 3
  pipeline-schedule next 'rate(6 hours)' start=2026-12-01T00:00:00Z
  pipeline-schedule validate 'at(2026-12-24T09:00:00)' tz=America/New_York
Quote an expression or a JSON pattern for the shell. \`next\` prints one ISO-8601 instant per
line, at most ${MAX_COUNT}; date-times without an offset are read in tz= (UTC by default).
  pipeline-schedule setup-events --help   wires AWS events to the bot`;

/** The one-shot command line. Thin: argv through the chat's grammar, then the same commands. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === 'setup-events') return runSetupEvents(argv.slice(1), io);
  if (first === undefined) {
    // No command: the same list as help, where an error would go.
    for (const line of helpLines()) io.stderr(line);
    return EXIT_USAGE;
  }
  if (argv.length === 1 && (first === '--help' || first === '-h')) {
    for (const line of helpLines()) io.stdout(line);
    return EXIT_OK;
  }
  return runGrammarCommand(argv, io);
}

function helpLines(): string[] {
  return [...renderText({ kind: 'help' }).stdout, '', ...cliNotes.split('\n')];
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
    const text = renderText(reply, {
      timeZone: config?.localTimeZone ?? localTimeZoneOf(io.env ?? process.env),
      now: io.now(),
    });
    if (command.name === 'help' && !command.topic) text.stdout.push('', ...cliNotes.split('\n'));
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
