import { DAY_MS, HOUR_MS, MINUTE_MS } from './calendar.js';
import { fail } from './parse-shared.js';
import type { Dialect, RateExpression, RateUnit } from './types.js';

// ---------------------------------------------------------------------------------------------
// rate(value unit)

const rateUnits: Record<string, { unit: RateUnit; plural: boolean; ms: number }> = {
  minute: { unit: 'minutes', plural: false, ms: MINUTE_MS },
  minutes: { unit: 'minutes', plural: true, ms: MINUTE_MS },
  hour: { unit: 'hours', plural: false, ms: HOUR_MS },
  hours: { unit: 'hours', plural: true, ms: HOUR_MS },
  day: { unit: 'days', plural: false, ms: DAY_MS },
  days: { unit: 'days', plural: true, ms: DAY_MS },
};

/** No documented upper bound; 100 years keeps every instant a safe integer and every plan sane. */
const MAX_RATE_MS = 100 * 366 * DAY_MS;

export function parseRate(
  text: string,
  body: string,
  bodyStart: number,
  dialect: Dialect,
): RateExpression {
  const span = { start: bodyStart, end: bodyStart + body.length };
  const parts = body.split(' ');
  if (parts.length !== 2 || parts.some((p) => p === '')) {
    fail(
      `rate: "${body}" should be a number and a unit separated by one space, as in rate(5 minutes)`,
      'rate',
      span,
    );
  }
  const [valueText = '', unitText = ''] = parts;
  const valueSpan = { start: bodyStart, end: bodyStart + valueText.length };
  const unitSpan = { start: bodyStart + valueText.length + 1, end: span.end };
  if (!/^\d+$/.test(valueText)) {
    fail(
      `rate: "${valueText}" is not a whole number of minutes, hours or days; the value must be a positive integer`,
      'rate',
      valueSpan,
    );
  }
  const value = Number(valueText);
  if (value < 1) fail('rate: the value must be at least 1', 'rate', valueSpan);
  const unit = rateUnits[unitText];
  if (!unit) {
    const lower = rateUnits[unitText.toLowerCase()] ? unitText.toLowerCase() : undefined;
    fail(
      `rate: "${unitText}" is not a unit; use minutes, hours or days${lower ? ` (write it in lower case: ${lower})` : ''}`,
      'rate',
      unitSpan,
      lower ? `rate(${valueText} ${lower})` : undefined,
    );
  }
  if (dialect === 'rules') {
    // Rules reject rate(1 minutes) and rate(5 minute) with a bare "not valid"; say why.
    const singular = unitText.replace(/s$/, '');
    if (value === 1 && unit.plural)
      fail(
        `rate: EventBridge rules want the singular for 1: rate(1 ${singular})`,
        'rate',
        unitSpan,
        `rate(1 ${singular})`,
      );
    if (value !== 1 && !unit.plural)
      fail(
        `rate: EventBridge rules want the plural for ${value}: rate(${value} ${unitText}s)`,
        'rate',
        unitSpan,
        `rate(${value} ${unitText}s)`,
      );
  } else if (value !== 1 && !unit.plural) {
    fail(
      `rate: write the plural for ${value}: rate(${value} ${unitText}s)`,
      'rate',
      unitSpan,
      `rate(${value} ${unitText}s)`,
    );
  }
  const intervalMs = value * unit.ms;
  if (intervalMs > MAX_RATE_MS)
    fail(`rate: ${value} ${unit.unit} is more than 100 years`, 'rate', valueSpan);
  return { kind: 'rate', text, value, unit: unit.unit, intervalMs };
}
