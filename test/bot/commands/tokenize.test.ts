import { describe, expect, it } from 'vitest';
import { tokenize } from '../../../src/bot/commands/tokenize.js';

describe('splitting a command line', () => {
  it.each([
    [
      'create churn-train cron(0 8 ? * MON-FRI *) tz=Europe/Berlin',
      ['create', 'churn-train', 'cron(0 8 ? * MON-FRI *)', 'tz=Europe/Berlin'],
    ],
    [
      'create churn-train "cron(0 8 ? * MON-FRI *)"',
      ['create', 'churn-train', 'cron(0 8 ? * MON-FRI *)'],
    ],
    [
      'create churn-train “rate(5 minutes)” description="nightly run"',
      ['create', 'churn-train', 'rate(5 minutes)', 'description=nightly run'],
    ],
    [
      'on-event ingest {"source": ["aws.s3"], "detail": {"key": [{"prefix": "a b"}]}} name=x',
      [
        'on-event',
        'ingest',
        '{"source": ["aws.s3"], "detail": {"key": [{"prefix": "a b"}]}}',
        'name=x',
      ],
    ],
    ["run churn-train param:Note='two words'", ['run', 'churn-train', 'param:Note=two words']],
    ['  list   ', ['list']],
    // Curly quotes quote where a quote can be; an apostrophe inside a word is a letter.
    [
      'create churn-train rate(1 day) description=“Bob’s nightly run”',
      ['create', 'churn-train', 'rate(1 day)', 'description=Bob’s nightly run'],
    ],
    [
      'create churn-train rate(1 day) description=‘Bob’s nightly run’',
      ['create', 'churn-train', 'rate(1 day)', 'description=Bob’s nightly run'],
    ],
    [
      "create churn-train rate(1 day) description='it's the nightly one'",
      ['create', 'churn-train', 'rate(1 day)', "description=it's the nightly one"],
    ],
    ['run churn-train param:Owner=O’Neill', ['run', 'churn-train', 'param:Owner=O’Neill']],
    ["run churn-train param:Height=5'10", ['run', 'churn-train', "param:Height=5'10"]],
    // Every character typed stays itself, private-use ones too.
    [
      "run churn-train param:Note=\u{F0000}it's\u{F0000}",
      ['run', 'churn-train', "param:Note=\u{F0000}it's\u{F0000}"],
    ],
    [
      'on-event ingest {"detail": {"note": ["Bob’s"]}}',
      ['on-event', 'ingest', '{"detail": {"note": ["Bob’s"]}}'],
    ],
  ])('%s', (input, tokens) => {
    expect(tokenize(input)).toEqual({ ok: true, tokens });
  });

  it('says what is not closed', () => {
    expect(tokenize('create churn cron(0 8 * * ? *')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/missing a closing \)/),
    });
    expect(tokenize('run x param:A="open')).toMatchObject({
      ok: false,
      message: 'a " quote is not closed',
    });
  });
});
