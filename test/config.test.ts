import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('runs locally on the embedded defaults with nothing set', () => {
    expect(loadConfig({})).toEqual({
      slack: { mode: 'terminal' },
      port: 3000,
      backend: 'local',
      scheduleGroup: 'sagemaker-pipelines',
      watch: { scheduleGroups: ['default'], eventBuses: ['default'] },
      databaseUrl: 'sqlite:./data/bot.db',
      policyFile: './policy.yml',
      localUser: 'U0LOCAL',
      // The machine's zone, whatever this machine is set to.
      localTimeZone: new Intl.DateTimeFormat().resolvedOptions().timeZone,
      notifyPaceMs: 1000,
      missedRuns: { graceMs: 60_000, watchIntervalMs: 30_000 },
      logLevel: 'info',
    });
  });

  it('reads times in LOCAL_TZ in the terminal and the CLI, refusing a zone that is not one', () => {
    expect(loadConfig({ LOCAL_TZ: 'Europe/Berlin' }).localTimeZone).toBe('Europe/Berlin');
    expect(() => loadConfig({ LOCAL_TZ: 'Europe/Berln' })).toThrow(
      /LOCAL_TZ.*an IANA time zone such as Europe\/Berlin/,
    );
  });

  it('takes how long a run may be late before it is reported missed, and how often to look, in seconds', () => {
    expect(
      loadConfig({ MISSED_RUN_GRACE_SECONDS: '300', RUN_WATCH_INTERVAL_SECONDS: '30' }).missedRuns,
    ).toEqual({ graceMs: 300_000, watchIntervalMs: 30_000 });
    expect(() => loadConfig({ RUN_WATCH_INTERVAL_SECONDS: '0' })).toThrow(
      /RUN_WATCH_INTERVAL_SECONDS.*a number of seconds from 1 to 3600/,
    );
    expect(() => loadConfig({ MISSED_RUN_GRACE_SECONDS: '2m' })).toThrow(
      /MISSED_RUN_GRACE_SECONDS.*a number of seconds from 0 to 3600/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', BACKEND: ' ' }).port).toBe(3000);
  });

  it('serves Slack over HTTP with a bot token and signing secret, Socket Mode with an app token', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slack).toEqual({
      mode: 'http',
      botToken: 'xoxb-1',
      signingSecret: 's',
    });
    expect(
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
      }).slack,
    ).toEqual({
      mode: 'socket',
      botToken: 'xoxb-1',
      appToken: 'xapp-1',
      apiUrl: 'http://127.0.0.1:9/api/',
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: expected a port number from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT: expected a port number from 0 to 65535 (got "70000")'],
    [{ BACKEND: 'gcp' }, 'BACKEND: expected "local" or "aws" (got "gcp")'],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL: expected fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    [
      { SCHEDULE_GROUP: 'my group' },
      'SCHEDULE_GROUP: expected a group name of letters, digits, "-", "_" and "." (got "my group")',
    ],
    [
      { DATABASE_URL: 'mysql://x' },
      'DATABASE_URL: expected sqlite:PATH or postgres://user:pass@host/db',
    ],
    [
      { SLACK_BOT_TOKEN: 'xoxp-user', SLACK_SIGNING_SECRET: 's' },
      'SLACK_BOT_TOKEN: expected a bot token starting with "xoxb-"',
    ],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1' },
      'SLACK_SIGNING_SECRET: expected required with SLACK_BOT_TOKEN over HTTP (or set SLACK_APP_TOKEN for Socket Mode)',
    ],
    [{ EVENTS_API_KEY: 'short' }, 'EVENTS_API_KEY: expected a secret of at least 16 characters'],
  ])('names the variable and what it expected: %o', (env, message) => {
    expect(problems(env)).toEqual([message]);
  });

  it('never echoes a secret back', () => {
    const message = problems({
      SLACK_BOT_TOKEN: 'xoxp-secret-value',
      SLACK_SIGNING_SECRET: 's',
    }).join('\n');
    expect(message).not.toContain('secret-value');
  });

  it('reports every wrong variable at once', () => {
    expect(problems({ PORT: 'x', BACKEND: 'y' })).toHaveLength(2);
  });
});
