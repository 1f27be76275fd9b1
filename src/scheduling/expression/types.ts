import type { WallFields } from './calendar.js';

/** Which service will receive the expression: Scheduler accepts more than EventBridge rules. */
export type Dialect = 'scheduler' | 'rules';

export type CronFieldName = 'minutes' | 'hours' | 'day-of-month' | 'month' | 'day-of-week' | 'year';

/** Where in the expression text a problem is, as [start, end) character offsets. */
export interface TextSpan {
  start: number;
  end: number;
}

export interface ExpressionError {
  code: 'INVALID_EXPRESSION';
  /** A sentence for the person who typed the expression; starts with the field it is about. */
  message: string;
  field?: CronFieldName | 'at' | 'rate' | 'expression';
  span?: TextSpan;
  /**
   * The expression corrected, when one correction keeps everything the person wrote (a
   * property test holds it to that): shown as "did you mean", offered as is.
   */
  fix?: string;
}

/** A field item as written, kept for descriptions: `5`, `MON-FRI`, `0/15`, `*`, `8-17/2`. */
export interface CronItem {
  from: number;
  to: number;
  step: number;
  /** `*` or `*\/n`: the whole range. */
  wildcard: boolean;
}

export interface PlainField {
  kind: 'values';
  /** Sorted, distinct. */
  values: number[];
  items: CronItem[];
}

export type DayOfMonthSpec =
  | { kind: 'any' } // ?
  | PlainField
  | { kind: 'last' } // L
  | { kind: 'last-weekday' } // LW
  | { kind: 'nearest-weekday'; day: number }; // 15W

export type DayOfWeekSpec =
  | { kind: 'any' } // ?
  | PlainField // 1-7, 1 = Sunday
  | { kind: 'last-of-month'; weekday: number } // 6L = last Friday
  | { kind: 'nth-of-month'; weekday: number; nth: number }; // 3#2 = second Tuesday

export interface CronExpression {
  kind: 'cron';
  text: string;
  minutes: PlainField;
  hours: PlainField;
  dayOfMonth: DayOfMonthSpec;
  month: PlainField;
  dayOfWeek: DayOfWeekSpec;
  year: PlainField;
  /** Notes about accepted-but-undocumented syntax, shown as warnings. */
  notes: string[];
}

export type RateUnit = 'minutes' | 'hours' | 'days';

export interface RateExpression {
  kind: 'rate';
  text: string;
  value: number;
  unit: RateUnit;
  intervalMs: number;
}

export interface AtExpression {
  kind: 'at';
  text: string;
  /** The local date-time written inside at(…), read in the schedule's time zone. */
  local: WallFields;
}

export type ScheduleExpression = AtExpression | RateExpression | CronExpression;

export type ParseResult =
  | { ok: true; expression: ScheduleExpression }
  | { ok: false; error: ExpressionError };
