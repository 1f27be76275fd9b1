import { parseAt } from './parse-at.js';
import { parseCron } from './parse-cron.js';
import { parseRate } from './parse-rate.js';
import { fail, MAX_EXPRESSION_LENGTH, ParseFailure } from './parse-shared.js';
import type {
  AtExpression,
  CronExpression,
  Dialect,
  ParseResult,
  RateExpression,
} from './types.js';

export { MAX_EXPRESSION_LENGTH, MAX_YEAR, MIN_YEAR } from './parse-shared.js';

/**
 * Parses an EventBridge schedule expression — `at(…)`, `rate(…)` or `cron(…)` — exactly as
 * EventBridge Scheduler (dialect `scheduler`, the default) or EventBridge rules (`rules`: UTC
 * only, no at(), strict singular/plural rate units) accept it. Every rejection names the part
 * that is wrong.
 */
export function parseExpression(input: string, options: { dialect?: Dialect } = {}): ParseResult {
  const dialect = options.dialect ?? 'scheduler';
  try {
    return { ok: true, expression: parseOrThrow(input, dialect) };
  } catch (error) {
    if (error instanceof ParseFailure) return { ok: false, error: error.detail };
    throw error;
  }
}

function parseOrThrow(
  input: string,
  dialect: Dialect,
): AtExpression | RateExpression | CronExpression {
  const text = input.trim();
  const whole = { start: 0, end: text.length };
  if (text === '') {
    fail('the expression is empty: write at(…), rate(…) or cron(…)', 'expression', whole);
  }
  if (text.length > MAX_EXPRESSION_LENGTH) {
    fail(
      `the expression is ${text.length} characters long; EventBridge allows at most ${MAX_EXPRESSION_LENGTH}`,
      'expression',
      whole,
    );
  }
  const match = /^([A-Za-z]+)\s*\((.*)\)$/s.exec(text);
  if (!match) {
    if (/^(at|rate|cron)\b/i.test(text) && !text.endsWith(')')) {
      fail(`the expression is missing its closing parenthesis: ${text})`, 'expression', {
        start: text.length,
        end: text.length,
      });
    }
    fail(
      `"${text}" is not a schedule expression: write at(2026-12-24T09:00:00), rate(5 minutes) or cron(0 8 ? * MON-FRI *)`,
      'expression',
      whole,
    );
  }
  const keyword = match[1] ?? '';
  const body = match[2] ?? '';
  const bodyStart = text.indexOf('(') + 1;
  if (text[keyword.length] !== '(') {
    fail(`no space is allowed between ${keyword} and "("`, 'expression', {
      start: keyword.length,
      end: bodyStart - 1,
    });
  }
  switch (keyword) {
    case 'at':
      if (dialect === 'rules') {
        fail(
          'EventBridge rules have no one-time schedules: at(…) works only in EventBridge Scheduler',
          'at',
          whole,
        );
      }
      return parseAt(text, body, bodyStart);
    case 'rate':
      return parseRate(text, body, bodyStart, dialect);
    case 'cron':
      return parseCron(text, body, bodyStart);
    default: {
      const lower = keyword.toLowerCase();
      if (lower === 'at' || lower === 'rate' || lower === 'cron') {
        fail(`write ${lower}(…) in lower case, not ${keyword}(…)`, 'expression', {
          start: 0,
          end: keyword.length,
        });
      }
      fail(
        `"${keyword}(…)" is not a schedule expression: use at(…), rate(…) or cron(…)`,
        'expression',
        {
          start: 0,
          end: keyword.length,
        },
      );
    }
  }
}
