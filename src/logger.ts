import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log line. Tokens and secrets reach logs through
 * config objects, HTTP headers and Slack/AWS payloads, so every one of those shapes is listed.
 */
export const redactedPaths = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'apiKey',
  'secret',
  'password',
  'authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.apiKey',
  '*.secret',
  '*.password',
  '*.authorization',
  '*.*.token',
  '*.*.botToken',
  '*.*.appToken',
  '*.*.signingSecret',
  '*.*.apiKey',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["x-slack-signature"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'EVENTS_API_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_APP_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.EVENTS_API_KEY',
  '*.AWS_SECRET_ACCESS_KEY',
  '*.AWS_SESSION_TOKEN',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout when omitted. Tests pass a stream to read the lines back. */
  destination?: DestinationStream;
}

/** The one root logger; everything else takes `log.child({...})`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'pipeline-schedule-bot' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger };
