import {
  type FieldSpec,
  fail,
  fieldOrder,
  fieldSpecs,
  monthNames,
  weekdayNames,
} from './parse-shared.js';
import type {
  CronExpression,
  CronItem,
  DayOfMonthSpec,
  DayOfWeekSpec,
  PlainField,
  TextSpan,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// cron(minutes hours day-of-month month day-of-week year)

export function parseCron(text: string, body: string, bodyStart: number): CronExpression {
  const tokens: Array<{ value: string; start: number }> = [];
  for (const m of body.matchAll(/\S+/g))
    tokens.push({ value: m[0], start: bodyStart + (m.index ?? 0) });
  const whole = { start: bodyStart, end: bodyStart + body.length };
  if (tokens.length === 0)
    fail(`cron needs 6 fields (${fieldOrder}), and got none`, 'expression', whole);
  if (
    tokens.length === 1 &&
    tokens[0]?.value.includes(',') &&
    /,.*,/.test(body) &&
    body.includes(', ')
  ) {
    fail('cron fields are separated by spaces, not commas', 'expression', whole);
  }
  if (tokens.some((t) => /^[^,]+,$/.test(t.value)) && tokens.length >= 5) {
    const bad = tokens.find((t) => t.value.endsWith(','));
    fail('cron fields are separated by spaces, not commas', 'expression', bad ? span(bad) : whole);
  }
  if (tokens.length === 5) {
    fail(
      `cron needs 6 fields (${fieldOrder}) but got 5: EventBridge has no default year, add one (* for every year)`,
      'expression',
      whole,
    );
  }
  if (tokens.length === 7) {
    fail(
      `cron needs 6 fields (${fieldOrder}) but got 7: EventBridge has no seconds field`,
      'expression',
      whole,
    );
  }
  if (tokens.length !== 6) {
    fail(`cron needs 6 fields (${fieldOrder}) but got ${tokens.length}`, 'expression', whole);
  }
  const [minTok, hourTok, domTok, monTok, dowTok, yearTok] = tokens as [
    Token,
    Token,
    Token,
    Token,
    Token,
    Token,
  ];
  const notes: string[] = [];
  const [minuteSpec, hourSpec, domSpec, monthSpec, dowSpec, yearSpec] = fieldSpecs as [
    FieldSpec,
    FieldSpec,
    FieldSpec,
    FieldSpec,
    FieldSpec,
    FieldSpec,
  ];
  const minutes = parsePlainField(minTok, minuteSpec, notes);
  const hours = parsePlainField(hourTok, hourSpec, notes);
  const dayOfMonth = parseDayOfMonth(domTok, domSpec, notes);
  const month = parsePlainField(monTok, monthSpec, notes);
  const dayOfWeek = parseDayOfWeek(dowTok, dowSpec, notes);
  const year = parsePlainField(yearTok, yearSpec, notes);

  const domAny = dayOfMonth.kind === 'any';
  const dowAny = dayOfWeek.kind === 'any';
  if (!domAny && !dowAny) {
    // The field written as * is the one that means "any": it becomes the ?. With days in
    // both, no one change keeps both, so none is offered.
    const head = `${minTok.value} ${hourTok.value}`;
    const tail = `${monTok.value}`;
    const fix =
      dowTok.value === '*'
        ? `cron(${head} ${domTok.value} ${tail} ? ${yearTok.value})`
        : domTok.value === '*'
          ? `cron(${head} ? ${tail} ${dowTok.value} ${yearTok.value})`
          : undefined;
    const advice = fix
      ? ` (did you mean ${fix}?)`
      : ` (a cron runs on days of the month or days of the week, not both: cron(${head} ${domTok.value} ${tail} ? ${yearTok.value}) or cron(${head} ? ${tail} ${dowTok.value} ${yearTok.value}))`;
    fail(
      `cron needs ? in day-of-month or day-of-week: one of the two must be ?, but day-of-month is "${domTok.value}" and day-of-week is "${dowTok.value}"${advice}`,
      // The field the fix changes; with days in both, day-of-week, as before.
      domTok.value === '*' && dowTok.value !== '*' ? 'day-of-month' : 'day-of-week',
      span(domTok.value === '*' && dowTok.value !== '*' ? domTok : dowTok),
      fix,
    );
  }
  if (domAny && dowAny) {
    fail(
      'cron can have ? in day-of-month or in day-of-week, not in both: give the other a value (* for every day)',
      'day-of-month',
      span(domTok),
    );
  }
  return { kind: 'cron', text, minutes, hours, dayOfMonth, month, dayOfWeek, year, notes };
}

interface Token {
  value: string;
  start: number;
}

const span = (t: Token, from = 0, length = t.value.length - from): TextSpan => ({
  start: t.start + from,
  end: t.start + from + length,
});

/** A field of plain values: lists, ranges, steps, names, `*`. */
function parsePlainField(token: Token, spec: FieldSpec, notes: string[]): PlainField {
  if (token.value === '?') {
    fail(
      `${spec.name}: ? is allowed only in day-of-month and day-of-week; use * for every value`,
      spec.name,
      span(token),
    );
  }
  const items: CronItem[] = [];
  const present = new Set<number>();
  let offset = 0;
  const pieces = token.value.split(',');
  for (const piece of pieces) {
    const pieceSpan = span(token, offset, piece.length);
    if (piece === '') {
      fail(`${spec.name}: "${token.value}" has an empty value in its list`, spec.name, pieceSpan);
    }
    const item = parseItem(piece, pieceSpan, spec, notes);
    items.push(item);
    for (const value of expandItem(item, spec)) present.add(value);
    offset += piece.length + 1;
  }
  return { kind: 'values', values: [...present].sort((a, b) => a - b), items };
}

function parseItem(piece: string, pieceSpan: TextSpan, spec: FieldSpec, notes: string[]): CronItem {
  const slash = piece.indexOf('/');
  const rangeText = slash === -1 ? piece : piece.slice(0, slash);
  let step = 1;
  if (slash !== -1) {
    const stepText = piece.slice(slash + 1);
    const stepSpan = { start: pieceSpan.start + slash + 1, end: pieceSpan.end };
    if (!/^\d+$/.test(stepText)) {
      fail(
        `${spec.name}: the step after "/" in "${piece}" must be a whole number`,
        spec.name,
        stepSpan,
      );
    }
    step = Number(stepText);
    const span = spec.max - spec.min;
    if (step < 1)
      fail(
        `${spec.name}: a step of 0 in "${piece}" would never advance; use 1 or more`,
        spec.name,
        stepSpan,
      );
    if (step > Math.max(span, 1)) {
      fail(
        `${spec.name}: the step ${step} in "${piece}" is larger than the field's range ${spec.rangeHint}`,
        spec.name,
        stepSpan,
      );
    }
    if (rangeText === '')
      fail(`${spec.name}: "${piece}" needs a start before "/", as in 0/15`, spec.name, pieceSpan);
  }
  const rangeSpan = { start: pieceSpan.start, end: pieceSpan.start + rangeText.length };
  if (rangeText === '*') {
    if (slash !== -1) {
      const start = spec.name === 'minutes' || spec.name === 'hours' ? 0 : spec.min;
      notes.push(
        `${spec.name}: AWS documents steps as start/step; "${piece}" is widely accepted but undocumented — ${start}/${step} means the same`,
      );
    }
    return { from: spec.min, to: spec.max, step, wildcard: true };
  }
  const dash = rangeText.indexOf('-', 1);
  if (dash === -1) {
    const from = parseValue(rangeText, rangeSpan, spec);
    // "5/15" runs from 5 to the end of the field.
    return { from, to: slash === -1 ? from : spec.max, step, wildcard: false };
  }
  const fromText = rangeText.slice(0, dash);
  const toText = rangeText.slice(dash + 1);
  const from = parseValue(fromText, { start: rangeSpan.start, end: rangeSpan.start + dash }, spec);
  const to = parseValue(toText, { start: rangeSpan.start + dash + 1, end: rangeSpan.end }, spec);
  if (from > to && !spec.cyclic) {
    fail(
      `${spec.name}: the range ${rangeText} goes backwards; write the earlier ${spec.name === 'year' ? 'year' : 'value'} first`,
      spec.name,
      rangeSpan,
    );
  }
  return { from, to, step, wildcard: false };
}

function parseValue(text: string, where: TextSpan, spec: FieldSpec): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) {
      fail(`${spec.name}: ${text} is out of range ${spec.rangeHint}`, spec.name, where);
    }
    return value;
  }
  const upper = text.toUpperCase();
  if (/^(\d*L|\d*L?W|\d+#\d*|L-\d+)$/.test(upper)) {
    const allowed =
      spec.name === 'day-of-month' || spec.name === 'day-of-week'
        ? ' in a list or range'
        : ' (L, W and # belong in day-of-month and day-of-week)';
    fail(`${spec.name}: "${text}" can't be used here${allowed}`, spec.name, where);
  }
  if (spec.names) {
    const index = spec.names.indexOf(upper);
    if (index !== -1) return index + spec.min;
    const kind = spec.name === 'month' ? 'month' : 'day';
    const otherNames = spec.name === 'month' ? weekdayNames : monthNames;
    const confusion = otherNames.includes(upper)
      ? `; ${upper} is a ${kind === 'month' ? 'day' : 'month'} name`
      : '';
    fail(
      `${spec.name}: "${text}" is not a ${kind} name (${spec.names.join(', ')})${confusion}`,
      spec.name,
      where,
    );
  }
  if (text === '')
    fail(`${spec.name}: a range needs a value on both sides of "-"`, spec.name, where);
  if (/^-\d+$/.test(text))
    fail(`${spec.name}: ${text} is out of range ${spec.rangeHint}`, spec.name, where);
  fail(`${spec.name}: "${text}" is not a number in range ${spec.rangeHint}`, spec.name, where);
}

function expandItem(item: CronItem, spec: FieldSpec): number[] {
  const out: number[] = [];
  const size = spec.max - spec.min + 1;
  const length = item.from <= item.to ? item.to - item.from : item.to + size - item.from;
  for (let i = 0; i <= length; i += item.step) {
    out.push(((item.from - spec.min + i) % size) + spec.min);
  }
  return out;
}

function parseDayOfMonth(token: Token, spec: FieldSpec, notes: string[]): DayOfMonthSpec {
  const value = token.value.toUpperCase();
  if (value === '?') return { kind: 'any' };
  if (value === 'L') return { kind: 'last' };
  if (value === 'LW') return { kind: 'last-weekday' };
  if (/^L-\d+$/.test(value)) {
    fail(
      `day-of-month: "${token.value}" (days before the last) is not supported by EventBridge; use L for the last day`,
      spec.name,
      span(token),
    );
  }
  const nearest = /^(\d+)W$/.exec(value);
  if (nearest) {
    const day = Number(nearest[1]);
    if (day < 1 || day > 31)
      fail(
        `day-of-month: ${nearest[1]} in "${token.value}" is out of range 1-31`,
        spec.name,
        span(token),
      );
    return { kind: 'nearest-weekday', day };
  }
  if (/[LW]/.test(value)) {
    const piece = token.value.split(',').find((p) => /[LW]/i.test(p)) ?? token.value;
    const at = token.value.indexOf(piece);
    if (token.value.includes(',') || token.value.includes('-') || token.value.includes('/')) {
      fail(
        `day-of-month: "${piece}" can't be combined with other days: L, LW and W (as in 15W) stand alone in the field`,
        spec.name,
        span(token, at, piece.length),
      );
    }
    fail(
      `day-of-month: "${token.value}" is not a day; use 1-31, L (last day), LW (last weekday) or a day with W (15W: nearest weekday)`,
      spec.name,
      span(token),
    );
  }
  if (value.includes('#'))
    fail('day-of-month: # belongs in day-of-week (3#2 = second Tuesday)', spec.name, span(token));
  return parsePlainField(token, spec, notes);
}

function parseDayOfWeek(token: Token, spec: FieldSpec, notes: string[]): DayOfWeekSpec {
  const value = token.value.toUpperCase();
  if (value === '?') return { kind: 'any' };
  // L alone is the last day of the week: Saturday, with 1 = Sunday.
  if (value === 'L')
    return { kind: 'values', values: [7], items: [{ from: 7, to: 7, step: 1, wildcard: false }] };
  const hashCount = (value.match(/#/g) ?? []).length;
  const hasLast = /^[^,]*L$|L,|L$/.test(value) && value !== 'L';
  if ((hashCount > 0 || hasLast) && value.includes(',')) {
    fail(
      hashCount > 1
        ? `day-of-week: only one # is allowed ("${token.value}"); EventBridge can't combine several nth weekdays`
        : `day-of-week: "${token.value}" combines ${hashCount ? '#' : 'L'} with other days, which EventBridge doesn't allow: ${hashCount ? '3#2' : '6L'} stands alone in the field`,
      spec.name,
      span(token),
    );
  }
  const nth = /^([A-Z0-9]+)#(.*)$/.exec(value);
  if (nth) {
    const weekdayText = nth[1] ?? '';
    const nthText = nth[2] ?? '';
    const weekday = parseValue(weekdayText, span(token, 0, weekdayText.length), spec);
    const nthSpan = span(token, weekdayText.length + 1);
    if (!/^\d+$/.test(nthText))
      fail(
        `day-of-week: "#${nthText}" should be a number 1-5 (3#2 = second Tuesday)`,
        spec.name,
        nthSpan,
      );
    const n = Number(nthText);
    if (n < 1 || n > 5) {
      fail(
        `day-of-week: #${nthText} is out of range 1-5: a month has at most five of each weekday`,
        spec.name,
        nthSpan,
      );
    }
    return { kind: 'nth-of-month', weekday, nth: n };
  }
  const last = /^([A-Z0-9]+)L$/.exec(value);
  if (last) {
    const weekdayText = last[1] ?? '';
    return {
      kind: 'last-of-month',
      weekday: parseValue(weekdayText, span(token, 0, weekdayText.length), spec),
    };
  }
  if (value.includes('W')) {
    if (!weekdayNames.some((n) => value.includes(n))) {
      fail(
        'day-of-week: W belongs in day-of-month (15W = weekday nearest the 15th)',
        spec.name,
        span(token),
      );
    }
  }
  return parsePlainField(token, spec, notes);
}
