import { dirname, join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { WebClient } from '@slack/web-api';
import { pino } from 'pino';
import { ConfiguredIdentities, DirectoryIdentities } from './auth/identity.js';
import { openBotRuntime } from './bot/bot-runtime.js';
import { readLocalFile } from './bot/commands/read-local-file.js';
import { createSlackApp, showApprovalDecision } from './bot/slack/app.js';
import { SlackPoster, TerminalPoster } from './bot/slack/posters.js';
import { SlackUserGroups } from './bot/slack/user-groups.js';
import { startTerminalChat } from './bot/terminal/terminal-chat.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { SqsEventSource } from './notifications/sqs-event-source.js';
import { eventsEndpoint } from './ops/events-endpoint.js';
import { startHttpServer } from './ops/http-server.js';
import { instrumentSlack, metricsHandler, readyzHandler } from './ops/operations.js';
import { deadLetterInbox } from './scheduling/aws/dead-letter-event.js';

/** Composition root: read the configuration once, start what it asks for, stop cleanly. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const chatInTerminal = config.slack.mode === 'terminal' && Boolean(process.stdin.isTTY);
  // The terminal is for the chat: log lines go to a file beside the database instead.
  const logFile = chatInTerminal ? logFileBeside(config.databaseUrl) : undefined;
  const log = createLogger({
    level: config.logLevel,
    ...(logFile
      ? // Synchronous: a start-up failure exits at once, and pino's exit flush of a file still
        // opening would throw "sonic boom is not ready yet" over the friendly message.
        { destination: pino.destination({ dest: logFile, mkdir: true, sync: true }) }
      : {}),
  });
  const slackConfig = config.slack;
  // In Slack, user-group membership comes from Slack's directory; locally from configuration.
  const slackClient =
    slackConfig.mode === 'terminal'
      ? undefined
      : new WebClient(
          slackConfig.botToken,
          slackConfig.apiUrl ? { slackApiUrl: slackConfig.apiUrl } : {},
        );
  const notifyClient = slackClient
    ? new WebClient((slackConfig as { botToken: string }).botToken, {
        ...(slackConfig.mode !== 'terminal' && slackConfig.apiUrl
          ? { slackApiUrl: slackConfig.apiUrl }
          : {}),
        rejectRateLimitedCalls: true,
      })
    : undefined;
  // The names LOCAL_IDENTITIES gives people, for the terminal's mentions.
  const localPeople = new ConfiguredIdentities(config.localIdentities);
  // Until the chat starts, news goes straight out; then above the prompt, which it redraws.
  let terminalOutput = (lines: string[], _key?: string) => {
    for (const line of lines) process.stdout.write(`${line}\n`);
  };
  const runtime = await openBotRuntime(config, log, {
    engine: true,
    notify: notifyClient
      ? { poster: new SlackPoster(notifyClient), paceMs: config.notifyPaceMs }
      : {
          // In the terminal, every execution's changes show up in the chat.
          poster: new TerminalPoster(
            (lines, key) => terminalOutput(lines, key),
            (id) => localPeople.nameOf(id),
          ),
          defaultRoutes: () => [{ channel: 'terminal', filter: 'all' }],
          paceMs: 0,
        },
    // A restart finished (or closed) an approved request left in between: say so where the
    // request was shown.
    onRecovered: async (request, outcome, store) => {
      if (notifyClient)
        await showApprovalDecision(
          { client: notifyClient, store, log },
          request,
          outcome.summary,
          'system',
        );
      else
        process.stdout.write(
          `request ${request.id} is ${request.status.toLowerCase()}: ${outcome.summary}\n`,
        );
    },
    ...(slackClient
      ? {
          identities: (policy) =>
            new DirectoryIdentities(new SlackUserGroups(slackClient), () =>
              [...policy().roles.values()].flatMap((role) => role.groups),
            ),
        }
      : {}),
  });
  const slack =
    slackConfig.mode === 'terminal'
      ? undefined
      : createSlackApp({
          mode:
            slackConfig.mode === 'http'
              ? { kind: 'http', signingSecret: slackConfig.signingSecret }
              : { kind: 'socket', appToken: slackConfig.appToken },
          botToken: slackConfig.botToken,
          ...(slackConfig.apiUrl ? { apiUrl: slackConfig.apiUrl } : {}),
          runtime,
          log,
        });
  const mounts = [
    { path: '/readyz', handler: readyzHandler(runtime, config.scheduleGroup, log) },
    { path: '/metrics', handler: metricsHandler(runtime) },
    ...(slack?.listener
      ? [{ path: '/slack/events', handler: instrumentSlack(slack.listener) }]
      : []),
    ...(config.eventsApiKey
      ? [
          {
            path: '/aws/events',
            handler: eventsEndpoint({
              apiKey: config.eventsApiKey,
              inbox: runtime.events.inbox,
              log,
            }),
          },
        ]
      : []),
  ];
  if (!config.eventsApiKey)
    log.info('POST /aws/events is off: set EVENTS_API_KEY to receive EventBridge events over HTTP');
  const http = await startHttpServer(config.port, log, mounts).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(`PORT ${config.port} is in use by another process; stop it or set PORT`);
    if (code === 'EACCES')
      throw new Error(
        `PORT ${config.port} needs privileges this process lacks; set PORT above 1023`,
      );
    throw error;
  });
  await slack?.start();
  // Without a public URL, events can come from the SQS queue the EventBridge rule targets.
  const queue = config.eventsQueueUrl
    ? new SqsEventSource({
        client: new SQSClient(config.awsRegion ? { region: config.awsRegion } : {}),
        queueUrl: config.eventsQueueUrl,
        deliver: (message) => runtime.events.inbox.ingest(message.body, 'sqs'),
        log: log.child({ component: 'sqs' }),
      })
    : undefined;
  queue?.start();
  // Scheduler's dead-letter queue: each event is stored, so a missed run can quote its error.
  const deadLetters = config.deadLetterQueueUrl
    ? new SqsEventSource({
        client: new SQSClient(config.awsRegion ? { region: config.awsRegion } : {}),
        queueUrl: config.deadLetterQueueUrl,
        deliver: deadLetterInbox(
          runtime.store.deadLetters,
          log.child({ component: 'dead-letters' }),
        ),
        log: log.child({ component: 'dead-letters' }),
      })
    : undefined;
  deadLetters?.start();
  log.info(
    {
      backend: config.backend,
      slack: config.slack.mode,
      scheduleGroup: config.scheduleGroup,
      database: config.databaseUrl.split(':')[0],
      port: http.port,
    },
    'pipeline-schedule-bot started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await queue?.stop();
    await deadLetters?.stop();
    await slack?.stop();
    await http.close();
    await runtime.close();
    log.info('stopped');
    // A Slack call still retrying (Slack unreachable) would hold the process until the
    // orchestrator's SIGKILL; everything acknowledged is stored by now, so do not wait for it.
    setTimeout(() => {
      log.warn('requests still pending 2 s after stopping; exiting without them');
      process.exit(0);
    }, 2000).unref();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  if (chatInTerminal) {
    process.stdout.write(
      [
        '',
        `pipeline-schedule-bot: ${config.backend} back end, store ${config.databaseUrl}, http://localhost:${http.port}/healthz`,
        `logs: ${logFile}`,
        "Type help, or try: create churn-train 'cron(0 8 ? * MON-FRI *)' tz=Europe/Berlin",
        `create alone asks step by step; /as <user> acts as someone else (you are ${config.localUser})`,
        '',
        '',
      ].join('\n'),
    );
    const chat = startTerminalChat({
      input: process.stdin,
      output: process.stdout,
      depsFor: (userId) => ({ ...runtime.commandDeps(userId), readFile: readLocalFile }),
      initialUser: config.localUser,
      timeZone: config.localTimeZone,
      onError: (error) => log.error({ err: error }, 'terminal command failed'),
    });
    terminalOutput = chat.notify;
    await chat.done;
    await stop('end of input');
  }
}

function logFileBeside(databaseUrl: string): string {
  const path = databaseUrl.startsWith('sqlite:')
    ? databaseUrl.slice('sqlite:'.length)
    : './data/bot.db';
  return join(dirname(path === ':memory:' ? './data/bot.db' : path), 'pipeline-schedule.log');
}

main().catch((error: unknown) => {
  // A person reads this: the message says what to fix; the stack would only hide it.
  process.stderr.write(
    `pipeline-schedule-bot failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(2);
});
