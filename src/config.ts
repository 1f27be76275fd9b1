import { z } from 'zod';
import { resolveTimeZone } from './scheduling/expression/index.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Empty strings count as unset: `FOO= npm start` should mean "use the default". */
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** A whole number of seconds within bounds, `fallback` when unset. */
function seconds(fallback: number, min: number, max: number) {
  return optionalString.transform((value, ctx) => {
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      ctx.addIssue({ code: 'custom', message: `a number of seconds from ${min} to ${max}` });
      return z.NEVER;
    }
    return Number(value);
  });
}

const configSchema = z
  .object({
    // Slack bot token (xoxb-…). Unset: the terminal chat serves instead of Slack.
    SLACK_BOT_TOKEN: optionalString.pipe(
      z
        .string()
        .regex(/^xoxb-/, 'a bot token starting with "xoxb-"')
        .optional(),
    ),
    // Slack signing secret, checked on every HTTP request from Slack.
    SLACK_SIGNING_SECRET: optionalString,
    // App-level token (xapp-…): Socket Mode instead of HTTP.
    SLACK_APP_TOKEN: optionalString.pipe(
      z
        .string()
        .regex(/^xapp-/, 'an app-level token starting with "xapp-"')
        .optional(),
    ),
    // Base URL of the Slack Web API (tests and proxies); the client's own default when unset.
    SLACK_API_URL: optionalString.pipe(
      z.url('an http(s) URL such as https://slack.com/api/').optional(),
    ),
    // HTTP port for Slack, events, health and metrics.
    PORT: optionalString.transform((value, ctx) => {
      if (value === undefined) return 3000;
      const port = Number(value);
      if (!/^\d+$/.test(value) || port > 65535) {
        ctx.addIssue({ code: 'custom', message: 'a port number from 0 to 65535' });
        return z.NEVER;
      }
      return port;
    }),
    // Where triggers live: the embedded local back end, or AWS.
    BACKEND: optionalString.pipe(z.enum(['local', 'aws'], '"local" or "aws"').default('local')),
    // AWS Region for the AWS back end (the SDK's own chain resolves it when unset).
    AWS_REGION: optionalString,
    // EventBridge Scheduler group the bot owns.
    SCHEDULE_GROUP: optionalString.pipe(
      z
        .string()
        .max(64, 'a group name of at most 64 characters')
        .regex(/^[0-9a-zA-Z\-_.]+$/, 'a group name of letters, digits, "-", "_" and "."')
        .default('sagemaker-pipelines'),
    ),
    // Where else the bot looks for triggers: schedule groups (`*`: all) and event buses.
    WATCH_SCHEDULE_GROUPS: optionalString.pipe(
      z
        .string()
        .regex(
          /^\s*(\*|[0-9a-zA-Z\-_.]{1,64}(\s*,\s*[0-9a-zA-Z\-_.]{1,64})*)?\s*$/,
          'a comma list of schedule group names, or *',
        )
        .default('default'),
    ),
    WATCH_EVENT_BUSES: optionalString.pipe(
      z
        .string()
        .regex(
          /^\s*([0-9a-zA-Z\-_./]{1,256}(\s*,\s*[0-9a-zA-Z\-_./]{1,256})*)?\s*$/,
          'a comma list of event bus names',
        )
        .default('default'),
    ),
    // Triggers "made elsewhere" the local back end starts with (as the SDK or the console would).
    LOCAL_FOREIGN_TRIGGERS: optionalString,
    // The store: sqlite:PATH or postgres://…
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'sqlite:PATH or postgres://user:pass@host/db')
        .default('sqlite:./data/bot.db'),
    ),
    // Access policy (YAML).
    POLICY_FILE: optionalString.pipe(z.string().default('./policy.yml')),
    // Shared secret EventBridge sends with POST /aws/events.
    EVENTS_API_KEY: optionalString.pipe(
      z.string().min(16, 'a secret of at least 16 characters').optional(),
    ),
    // SQS queue the EventBridge rule targets, long-polled instead of (or beside) POST /aws/events.
    EVENTS_QUEUE_URL: optionalString.pipe(z.url('an SQS queue URL').optional()),
    // The SQS queue the bot's schedules dead-letter to: read so a missed run quotes its error.
    DEAD_LETTER_QUEUE_URL: optionalString.pipe(z.url('an SQS queue URL').optional()),
    // Simulated pipelines for the local back end; the shipped examples when unset.
    LOCAL_PIPELINES_FILE: optionalString,
    // Who the terminal and the CLI act as (a Slack-style user id the policy can name).
    LOCAL_USER: optionalString.pipe(
      z
        .string()
        .regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack-style user id such as U0ALICE')
        .default('U0LOCAL'),
    ),
    // The zone the terminal and the CLI show times in, besides each schedule's own; the
    // machine's when unset.
    LOCAL_TZ: optionalString.pipe(
      z
        .string()
        .refine((zone) => resolveTimeZone(zone).ok, 'an IANA time zone such as Europe/Berlin')
        .optional(),
    ),
    // Terminal/CLI identities, their names and user groups: U0ALICE=Alice:S0ML+S0PLATFORM,U0LEAD1:S0APPROVERS
    LOCAL_IDENTITIES: optionalString.pipe(
      z
        .string()
        .regex(
          /^[UW][A-Z0-9]{2,}(=[^,:=]+)?(:S[A-Z0-9]{2,}(\+S[A-Z0-9]{2,})*)?(,[UW][A-Z0-9]{2,}(=[^,:=]+)?(:S[A-Z0-9]{2,}(\+S[A-Z0-9]{2,})*)?)*$/,
          'entries like U0ALICE=Alice:S0ML+S0PLATFORM (name and groups optional) separated by commas',
        )
        .optional(),
    ),
    // Minimum gap between two Slack calls to one channel (Slack allows about one a second).
    NOTIFY_PACE_MS: optionalString.transform((value, ctx) => {
      if (value === undefined) return 1000;
      if (!/^\d+$/.test(value) || Number(value) > 60_000) {
        ctx.addIssue({ code: 'custom', message: 'a number of milliseconds from 0 to 60000' });
        return z.NEVER;
      }
      return Number(value);
    }),
    // How long after its window a run that has not started counts as missed.
    MISSED_RUN_GRACE_SECONDS: seconds(60, 0, 3600),
    // How often the leading replica looks for missed runs.
    RUN_WATCH_INTERVAL_SECONDS: seconds(30, 1, 3600),
    // pino log level.
    LOG_LEVEL: optionalString.pipe(z.enum(logLevels, logLevels.join(', ')).default('info')),
  })
  .superRefine((env, ctx) => {
    if (env.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'required with SLACK_BOT_TOKEN over HTTP (or set SLACK_APP_TOKEN for Socket Mode)',
      });
    }
    if (env.SLACK_APP_TOKEN && !env.SLACK_BOT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_BOT_TOKEN'],
        message: 'required with SLACK_APP_TOKEN (Socket Mode still calls the Web API)',
      });
    }
  });

type ParsedEnv = z.output<typeof configSchema>;

export interface Config {
  slack:
    | { mode: 'terminal' }
    | { mode: 'http'; botToken: string; signingSecret: string; apiUrl?: string }
    | {
        mode: 'socket';
        botToken: string;
        appToken: string;
        signingSecret?: string;
        apiUrl?: string;
      };
  port: number;
  backend: 'local' | 'aws';
  awsRegion?: string;
  scheduleGroup: string;
  /** Besides the bot's own group and the default bus. */
  watch: { scheduleGroups: string[] | '*'; eventBuses: string[] };
  localForeignTriggers?: string;
  databaseUrl: string;
  policyFile: string;
  eventsApiKey?: string;
  eventsQueueUrl?: string;
  /** Scheduler's dead-letter queue to read (DEAD_LETTER_QUEUE_URL). */
  deadLetterQueueUrl?: string;
  localPipelinesFile?: string;
  localUser: string;
  /** LOCAL_TZ, else the machine's zone: what the terminal and the CLI read times in. */
  localTimeZone: string;
  notifyPaceMs: number;
  /** When a run that has not started counts as missed, and how often the leader looks. */
  missedRuns: { graceMs: number; watchIntervalMs: number };
  localIdentities?: string;
  logLevel: (typeof logLevels)[number];
}

/** A configuration mistake, worded for the operator who set the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the environment once; throws ConfigError naming every variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        const shown =
          variable in env && !/TOKEN|SECRET|KEY|URL/.test(variable)
            ? ` (got "${env[variable]}")`
            : '';
        return `${variable}: expected ${issue.message}${shown}`;
      }),
    );
  }
  return Object.freeze(toConfig(result.data));
}

function toConfig(env: ParsedEnv): Config {
  const apiUrl = env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {};
  let slack: Config['slack'] = { mode: 'terminal' };
  if (env.SLACK_BOT_TOKEN && env.SLACK_APP_TOKEN) {
    slack = {
      mode: 'socket',
      botToken: env.SLACK_BOT_TOKEN,
      appToken: env.SLACK_APP_TOKEN,
      ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}),
      ...apiUrl,
    };
  } else if (env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET) {
    slack = {
      mode: 'http',
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      ...apiUrl,
    };
  }
  return {
    slack,
    port: env.PORT,
    backend: env.BACKEND,
    ...(env.AWS_REGION ? { awsRegion: env.AWS_REGION } : {}),
    scheduleGroup: env.SCHEDULE_GROUP,
    watch: {
      scheduleGroups:
        env.WATCH_SCHEDULE_GROUPS.trim() === '*' ? '*' : commaList(env.WATCH_SCHEDULE_GROUPS),
      eventBuses: commaList(env.WATCH_EVENT_BUSES),
    },
    ...(env.LOCAL_FOREIGN_TRIGGERS ? { localForeignTriggers: env.LOCAL_FOREIGN_TRIGGERS } : {}),
    databaseUrl: env.DATABASE_URL,
    policyFile: env.POLICY_FILE,
    ...(env.EVENTS_API_KEY ? { eventsApiKey: env.EVENTS_API_KEY } : {}),
    ...(env.EVENTS_QUEUE_URL ? { eventsQueueUrl: env.EVENTS_QUEUE_URL } : {}),
    ...(env.DEAD_LETTER_QUEUE_URL ? { deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL } : {}),
    ...(env.LOCAL_PIPELINES_FILE ? { localPipelinesFile: env.LOCAL_PIPELINES_FILE } : {}),
    localUser: env.LOCAL_USER,
    localTimeZone: env.LOCAL_TZ ?? machineTimeZone(),
    notifyPaceMs: env.NOTIFY_PACE_MS,
    missedRuns: {
      graceMs: env.MISSED_RUN_GRACE_SECONDS * 1000,
      watchIntervalMs: env.RUN_WATCH_INTERVAL_SECONDS * 1000,
    },
    ...(env.LOCAL_IDENTITIES ? { localIdentities: env.LOCAL_IDENTITIES } : {}),
    logLevel: env.LOG_LEVEL,
  };
}

function commaList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * The zone the terminal and the CLI read times in, without loading the whole configuration
 * (next and validate need none): LOCAL_TZ when it is a zone, else the machine's.
 */
export function localTimeZoneOf(env: Record<string, string | undefined>): string {
  const wanted = env.LOCAL_TZ?.trim();
  return wanted && resolveTimeZone(wanted).ok ? wanted : machineTimeZone();
}

/** The zone this machine is set to (TZ, /etc/localtime), as Intl reads it; UTC if it cannot. */
function machineTimeZone(): string {
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && resolveTimeZone(zone).ok ? zone : 'UTC';
}
