import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

describe('the logger', () => {
  it('writes structured JSON lines with the fields first', () => {
    const { log, lines } = capture();
    log.child({ requestId: 'r1' }).info({ scheduleName: 'churn-weekday' }, 'schedule created');
    expect(lines[0]).toMatchObject({
      level: 30,
      service: 'pipeline-schedule-bot',
      requestId: 'r1',
      scheduleName: 'churn-weekday',
      msg: 'schedule created',
    });
  });

  it('redacts tokens, signing secrets and API keys wherever they appear', () => {
    const { log, lines } = capture();
    log.info({
      config: { botToken: 'xoxb-123', signingSecret: 'shh', apiKey: 'k3y' },
      headers: { authorization: 'Bearer xoxb-123', 'x-api-key': 'k3y' },
      env: { SLACK_BOT_TOKEN: 'xoxb-123', AWS_SECRET_ACCESS_KEY: 'aws-secret' },
      token: 'xapp-1',
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['xoxb-123', 'shh', 'k3y', 'aws-secret', 'xapp-1'])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      config: { botToken: '[redacted]' },
      headers: { 'x-api-key': '[redacted]' },
    });
  });
});
