import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../../src/scheduling/expression/index.js';

/**
 * Fixes that teach: whenever the validator offers a corrected expression, that expression is
 * valid and means what the person wrote — every field they set is still there, as they wrote
 * it; only the part that was wrong changed. The bug this guards against: cron(0 8 * * MON-FRI *)
 * was told "cron(0 8 * * ? *)", which drops MON-FRI.
 */

const minute = fc.constantFrom('0', '15', '*/5', '0-30/10', '*');
const hour = fc.constantFrom('8', '*/2', '9-17', '*', '0,12');
const dayOfMonth = fc.constantFrom('*', '1', '15', 'L', '1-7', '15W', '?');
const month = fc.constantFrom('*', '1', 'JAN-MAR', '*/3', '12');
const dayOfWeek = fc.constantFrom('*', 'MON-FRI', '2', 'SUN', '6L', 'MON#1', '?');
const year = fc.constantFrom('*', '2027', '2027-2030');

const fieldsOf = (expression: string) => /^cron\((.*)\)$/.exec(expression)?.[1]?.split(' ') ?? [];

describe('a suggested fix', () => {
  it('of a cron parses and keeps every field the person set', () => {
    fc.assert(
      fc.property(fc.tuple(minute, hour, dayOfMonth, month, dayOfWeek, year), (fields) => {
        const typed = `cron(${fields.join(' ')})`;
        const parsed = parseExpression(typed);
        if (parsed.ok || !parsed.error.fix) return;
        const fix = parsed.error.fix;
        expect(parseExpression(fix).ok, `${typed} → ${fix}`).toBe(true);
        const fixed = fieldsOf(fix);
        fields.forEach((value, i) => {
          // A * may become the ? that cron requires; anything else the person set stays.
          if (value !== '*') expect(fixed[i], `${typed} → ${fix}, field ${i}`).toBe(value);
          else expect(['*', '?'], `${typed} → ${fix}, field ${i}`).toContain(fixed[i]);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('of a rate parses and keeps its value and unit', () => {
    const unit = fc.constantFrom(
      'minute',
      'minutes',
      'Minutes',
      'HOUR',
      'hours',
      'day',
      'Days',
      'fortnight',
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        unit,
        fc.constantFrom('scheduler', 'rules') as fc.Arbitrary<'scheduler' | 'rules'>,
        (value, written, dialect) => {
          const typed = `rate(${value} ${written})`;
          const parsed = parseExpression(typed, { dialect });
          if (parsed.ok || !parsed.error.fix) return;
          const fix = parsed.error.fix;
          const fixedParse = parseExpression(fix, { dialect });
          // A case fix may still need the plural; applying fixes in turn always ends valid.
          const final = fixedParse.ok ? fix : fixedParse.error.fix;
          expect(final && parseExpression(final, { dialect }).ok, `${typed} → ${fix}`).toBe(true);
          const [, fixedValue, fixedUnit] = /^rate\((\d+) (\w+)\)$/.exec(final ?? '') ?? [];
          expect(fixedValue).toBe(String(value));
          expect(fixedUnit?.replace(/s$/, '')).toBe(written.toLowerCase().replace(/s$/, ''));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('is offered for the mistakes people make most, and none when no one change keeps it all', () => {
    const fixOf = (typed: string) => {
      const parsed = parseExpression(typed);
      return parsed.ok ? 'valid' : parsed.error.fix;
    };
    expect(fixOf('cron(0 8 * * MON-FRI *)')).toBe('cron(0 8 ? * MON-FRI *)');
    expect(fixOf('cron(0 8 15 * * *)')).toBe('cron(0 8 15 * ? *)');
    expect(fixOf('cron(0 8 * * * *)')).toBe('cron(0 8 * * ? *)');
    expect(fixOf('rate(5 minute)')).toBe('rate(5 minutes)');
    expect(fixOf('rate(5 Minutes)')).toBe('rate(5 minutes)');
    // Days of the month and of the week both set: which one was meant cannot be told.
    expect(fixOf('cron(0 8 1 * MON *)')).toBeUndefined();
  });
});
