/**
 * EventBridge's event-pattern language: validation (before PutRule), matching (the embedded local
 * bus) and a TestEventPattern look-alike. Pure and dependency-free; every rejection is a value
 * whose message names the place in the pattern and says what is wrong there.
 *
 * Semantics follow the reference (eventbridge-rules-and-sagemaker.md §2) and, where AWS's docs are
 * silent, the open-source engine behind EventBridge (aws/event-ruler).
 */

/** A rejected pattern. `path` locates the problem, like `detail.state[0]` or `$or[1].source`. */
export type PatternError = { code: 'INVALID_EVENT_PATTERN'; message: string; path?: string };

/**
 * A validated, compiled pattern. Build it with {@link parseEventPattern}; match it with
 * {@link matchesEventPattern}.
 */
export interface CompiledPattern {
  /** The pattern as JSON data (deep-frozen), e.g. to send back to PutRule with `JSON.stringify`. */
  readonly source: unknown;
}

/**
 * The longest pattern accepted, in characters. The EventBridge API model allows 4,096 for
 * `EventPattern`, but the service quota "Event pattern size" is 2,048 by default (adjustable on
 * request); we enforce the quota so a pattern we accept is one PutRule accepts in a default
 * account.
 */
export const MAX_EVENT_PATTERN_LENGTH = 2048;

/** EventBridge rejects a pattern whose `$or` alternatives multiply out to more than this. */
const MAX_OR_COMBINATIONS = 1000;

/** The fields TestEventPattern insists on finding in the test event. */
const REQUIRED_TEST_EVENT_FIELDS = [
  'id',
  'account',
  'source',
  'time',
  'region',
  'resources',
  'detail-type',
] as const;

const OPERATOR_LIST =
  'prefix, suffix, anything-but, numeric, cidr, exists, wildcard, equals-ignore-case';
const OPERATORS = new Set(OPERATOR_LIST.split(', '));
const OR_KEY = '$or';
const PATTERN_EXAMPLE = '{"source": ["aws.sagemaker"]}';

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Validates and compiles an event pattern, given as JSON text or as already-parsed data (which is
 * read exactly as `JSON.stringify` would send it to PutRule). Never throws: an invalid pattern
 * comes back as `{ ok: false, error }` with a message naming the path and the problem.
 */
export function parseEventPattern(
  input: string | unknown,
): { ok: true; pattern: CompiledPattern } | { ok: false; error: PatternError } {
  try {
    const text = patternText(input);
    if (text.trim() === '')
      fail('', `the pattern is empty: write a JSON object like ${PATTERN_EXAMPLE}`);
    if (text.length > MAX_EVENT_PATTERN_LENGTH) {
      fail(
        '',
        `the pattern is ${text.length} characters long; EventBridge allows at most ${MAX_EVENT_PATTERN_LENGTH} (a quota AWS can raise on request)`,
      );
    }
    const json = readJson(text);
    if (!json.ok) fail('', `the pattern is not valid JSON: ${json.problem}`);
    const source = deepFreeze(json.value);
    const root = compileRoot(source);
    const pattern: CompiledPattern = Object.freeze({ source });
    compiledPatterns.set(pattern, root);
    return { ok: true, pattern };
  } catch (error) {
    if (error instanceof PatternFailure) return { ok: false, error: error.detail };
    // Not expected: every rejection above is a PatternFailure. Still a value, as promised.
    return {
      ok: false,
      error: {
        code: 'INVALID_EVENT_PATTERN',
        message: `the pattern could not be checked (${String(error)})`,
      },
    };
  }
}

/**
 * Whether an event matches a compiled pattern, as EventBridge decides it: AND across the fields a
 * pattern names, OR within each array of allowed values, any element of an array in the event,
 * array-consistent matching for arrays of objects. An event that is not a JSON object matches
 * nothing. Never throws, whatever the event holds.
 */
export function matchesEventPattern(pattern: CompiledPattern, event: unknown): boolean {
  try {
    const root = rootOf(pattern);
    if (root === undefined || !isRecord(event)) return false;
    return matchFields(root, event);
  } catch {
    // A hostile event (a throwing getter, a revoked proxy) matches nothing.
    return false;
  }
}

/**
 * Answers like EventBridge's TestEventPattern: the pattern must be valid, and the event must be a
 * JSON object holding id, account, source, time, region, resources and detail-type. Returns
 * whether the event matches, or the first problem found (pattern before event).
 */
export function testEventPattern(
  patternText: string,
  eventText: string,
):
  | { ok: true; matches: boolean }
  | { ok: false; error: PatternError | { code: 'INVALID_EVENT'; message: string } } {
  const parsed = parseEventPattern(patternText);
  if (!parsed.ok) return parsed;
  const event = readTestEvent(eventText);
  if (!event.ok) return { ok: false, error: { code: 'INVALID_EVENT', message: event.message } };
  return { ok: true, matches: matchesEventPattern(parsed.pattern, event.event) };
}

// ---------------------------------------------------------------------------------------------
// Compiled form

type Scalar = string | number | boolean | null;
type Test = (value: Scalar) => boolean;

interface ObjectNode {
  kind: 'object';
  fields: Array<readonly [string, PatternNode]>;
  /** Each entry is one `$or`: at least one of its alternatives must match the same object. */
  anyOf: ObjectNode[][];
}

interface LeafNode {
  kind: 'leaf';
  strings: Set<string>;
  numbers: Set<number>;
  allowTrue: boolean;
  allowFalse: boolean;
  allowNull: boolean;
  existsTrue: boolean;
  existsFalse: boolean;
  tests: Test[];
}

type PatternNode = ObjectNode | LeafNode;

const compiledPatterns = new WeakMap<CompiledPattern, ObjectNode>();

/** The compiled tree; a hand-made `{ source }` is compiled on use (never matching if invalid). */
function rootOf(pattern: CompiledPattern): ObjectNode | undefined {
  const known = compiledPatterns.get(pattern);
  if (known !== undefined) return known;
  const parsed = parseEventPattern(pattern.source);
  if (!parsed.ok) return undefined;
  const root = compiledPatterns.get(parsed.pattern);
  // Only a frozen pattern can be cached: a mutable one may change before the next match.
  if (root !== undefined && Object.isFrozen(pattern)) compiledPatterns.set(pattern, root);
  return root;
}

// ---------------------------------------------------------------------------------------------
// Validation and compilation

class PatternFailure extends Error {
  constructor(readonly detail: PatternError) {
    super(detail.message);
  }
}

/** Rejects the pattern. `where` starts the message; `path` (default `where`) is more precise. */
function fail(where: string, problem: string, path: string = where): never {
  throw new PatternFailure({
    code: 'INVALID_EVENT_PATTERN',
    message: where === '' ? problem : `${where}: ${problem}`,
    ...(path === '' ? {} : { path }),
  });
}

function patternText(input: unknown): string {
  if (typeof input === 'string') return input;
  let text: string | undefined;
  try {
    text = JSON.stringify(input);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    fail('', `the pattern cannot be written as JSON (${reason})`);
  }
  if (text === undefined) {
    fail('', `the pattern must be a JSON object, like ${PATTERN_EXAMPLE}`);
  }
  return text;
}

function compileRoot(source: unknown): ObjectNode {
  if (!isRecord(source)) {
    fail(
      '',
      `the pattern must be a JSON object, like ${PATTERN_EXAMPLE}, not ${describeJsonType(source)}`,
    );
  }
  if (Object.keys(source).length === 0) {
    fail('', `the pattern is empty: name at least one field to match, like ${PATTERN_EXAMPLE}`);
  }
  const root = compileObject(source, '', false);
  const combinations = countCombinations(root);
  if (combinations > MAX_OR_COMBINATIONS) {
    const count = combinations >= COMBINATION_CAP ? 'more than a million' : String(combinations);
    fail(
      '',
      `$or: the pattern's $or alternatives multiply out to ${count} combinations; EventBridge allows at most ${MAX_OR_COMBINATIONS} (move shared fields out of the $or, or split it into several rules)`,
    );
  }
  return root;
}

function compileObject(
  object: Record<string, unknown>,
  path: string,
  insideOr: boolean,
): ObjectNode {
  const node: ObjectNode = { kind: 'object', fields: [], anyOf: [] };
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (key === OR_KEY) {
      node.anyOf.push(compileOr(value, path));
      continue;
    }
    const fieldPath = joinPath(path, key);
    if (insideOr && OPERATORS.has(key)) {
      fail(
        fieldPath,
        `"${key}" is an operator name and cannot be a field name inside $or; an operator goes inside the array of allowed values, like "state": [{"${key}": …}]`,
      );
    }
    if (Array.isArray(value)) {
      node.fields.push([key, compileLeaf(value, fieldPath)]);
    } else if (isRecord(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0) {
        fail(
          fieldPath,
          `the object is empty: name at least one field inside it, like {"state": ["running"]}`,
        );
      }
      const only = keys.length === 1 ? keys[0] : undefined;
      if (only !== undefined && OPERATORS.has(only) && isScalar(value[only])) {
        fail(
          fieldPath,
          `an operator goes inside the array of allowed values, like [${show(value)}]`,
        );
      }
      node.fields.push([key, compileObject(value, fieldPath, insideOr)]);
    } else {
      const example = value === undefined ? '["running"]' : `[${show(value)}]`;
      fail(fieldPath, `the value must be an array of allowed values, like ${example}`);
    }
  }
  return node;
}

function compileOr(value: unknown, path: string): ObjectNode[] {
  const orPath = joinPath(path, OR_KEY);
  const example = '"$or": [{"state": ["running"]}, {"size": [{"numeric": [">", 0]}]}]';
  if (!Array.isArray(value)) {
    fail(path, `$or must be an array of at least two patterns, like ${example}`, orPath);
  }
  if (value.length < 2) {
    fail(path, `$or needs at least two patterns, found ${value.length}, like ${example}`, orPath);
  }
  return value.map((alternative, index) => {
    const altPath = `${orPath}[${index}]`;
    if (!isRecord(alternative)) {
      fail(
        altPath,
        `each $or alternative must be an object like {"state": ["running"]}, not ${describeJsonType(alternative)}`,
      );
    }
    if (Object.keys(alternative).length === 0) {
      fail(altPath, 'the $or alternative is empty: name at least one field to match');
    }
    return compileObject(alternative, altPath, true);
  });
}

function compileLeaf(items: readonly unknown[], path: string): LeafNode {
  if (items.length === 0) {
    fail(path, 'the array of allowed values is empty; list at least one value, like ["running"]');
  }
  const leaf: LeafNode = {
    kind: 'leaf',
    strings: new Set(),
    numbers: new Set(),
    allowTrue: false,
    allowFalse: false,
    allowNull: false,
    existsTrue: false,
    existsFalse: false,
    tests: [],
  };
  items.forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item === 'string') leaf.strings.add(item);
    else if (typeof item === 'number') leaf.numbers.add(item);
    else if (item === true) leaf.allowTrue = true;
    else if (item === false) leaf.allowFalse = true;
    else if (item === null) leaf.allowNull = true;
    else if (Array.isArray(item)) {
      fail(
        path,
        `an allowed value cannot be an array; list the values directly, like ["a", "b"]`,
        itemPath,
      );
    } else if (isRecord(item)) {
      compileOperator(item, path, itemPath, leaf);
    } else {
      fail(path, `${show(item)} is not an allowed value`, itemPath);
    }
  });
  return leaf;
}

function compileOperator(
  spec: Record<string, unknown>,
  path: string,
  itemPath: string,
  leaf: LeafNode,
): void {
  const keys = Object.keys(spec);
  const [name] = keys;
  if (name === undefined) {
    fail(path, `an operator object cannot be empty (expected one of ${OPERATOR_LIST})`, itemPath);
  }
  if (keys.length > 1) {
    fail(
      path,
      `an operator object holds exactly one operator, but this one has ${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}; give each its own object in the array (any one matching is enough)`,
      itemPath,
    );
  }
  const value = spec[name];
  const at: Reject = (problem) => fail(path, problem, itemPath);
  switch (name) {
    case 'prefix':
      leaf.tests.push(compileAffix('prefix', value, at));
      return;
    case 'suffix':
      leaf.tests.push(compileAffix('suffix', value, at));
      return;
    case 'equals-ignore-case': {
      if (typeof value !== 'string') {
        at(
          `equals-ignore-case: the value must be a string, like {"equals-ignore-case": "running"}`,
        );
      }
      const folded = foldCase(value);
      leaf.tests.push((v) => typeof v === 'string' && foldCase(v) === folded);
      return;
    }
    case 'anything-but':
      leaf.tests.push(compileAnythingBut(value, at));
      return;
    case 'numeric':
      leaf.tests.push(compileNumeric(value, at));
      return;
    case 'cidr':
      leaf.tests.push(compileCidr(value, at));
      return;
    case 'exists':
      if (value === true) leaf.existsTrue = true;
      else if (value === false) leaf.existsFalse = true;
      else at(`exists: the value must be true or false, not ${show(value)}`);
      return;
    case 'wildcard': {
      if (typeof value !== 'string') {
        at(`wildcard: the value must be a string, like {"wildcard": "Simple*Service"}`);
      }
      const matches = compileWildcard(value, at);
      leaf.tests.push((v) => typeof v === 'string' && matches(v));
      return;
    }
    default:
      at(`unknown operator ${JSON.stringify(name)} (expected ${OPERATOR_LIST})`);
  }
}

type Reject = (problem: string) => never;

function compileAffix(kind: 'prefix' | 'suffix', value: unknown, at: Reject): Test {
  const usage = `{"${kind}": "${kind === 'prefix' ? 'aws.' : '.png'}"}`;
  if (typeof value === 'string') {
    return kind === 'prefix'
      ? (v) => typeof v === 'string' && v.startsWith(value)
      : (v) => typeof v === 'string' && v.endsWith(value);
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    const inner = value['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string') {
      const folded = foldCase(inner);
      return kind === 'prefix'
        ? (v) => typeof v === 'string' && foldCase(v).startsWith(folded)
        : (v) => typeof v === 'string' && foldCase(v).endsWith(folded);
    }
  }
  return at(
    `${kind}: the value must be a string, like ${usage}, or {"equals-ignore-case": "…"} to ignore case`,
  );
}

/**
 * anything-but excludes the values it names and matches every other value present, including
 * values of another type (event-ruler: a string exclusion never excludes a number, and vice
 * versa). A missing field does not match.
 */
function compileAnythingBut(value: unknown, at: Reject): Test {
  const usage =
    'a string, a number, a list of strings or of numbers, or an object like {"prefix": "init"}';
  if (typeof value === 'string') return (v) => v !== value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) at('anything-but: the number is too large');
    return (v) => v !== value;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) at(`anything-but: the list is empty; name at least one value`);
    if (value.every((x) => typeof x === 'string')) {
      const excluded = new Set<unknown>(value);
      return (v) => !excluded.has(v);
    }
    if (value.every((x) => typeof x === 'number')) {
      if (!value.every(Number.isFinite)) at('anything-but: a number in the list is too large');
      const excluded = new Set<unknown>(value);
      return (v) => !(typeof v === 'number' && excluded.has(v));
    }
    return at(
      `anything-but: a list must hold only strings or only numbers, like ["stopped", "overloaded"] or [100, 200]`,
    );
  }
  if (!isRecord(value)) return at(`anything-but: the value must be ${usage}, not ${show(value)}`);
  const keys = Object.keys(value);
  const [name] = keys;
  if (name === undefined || keys.length > 1) {
    return at(
      `anything-but: the object must hold exactly one of prefix, suffix, equals-ignore-case, wildcard`,
    );
  }
  const inner = value[name];
  const strings = (allowEmpty: boolean): string[] => {
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.length === 0) at(`anything-but: the ${name} list is empty; name at least one value`);
    for (const s of list) {
      if (typeof s !== 'string') {
        at(`anything-but: ${name} takes a string or a list of strings, not ${show(s)}`);
      }
      if (!allowEmpty && s === '') at(`anything-but: an empty ${name} is not allowed`);
    }
    return list as string[];
  };
  switch (name) {
    case 'prefix': {
      const prefixes = strings(false);
      return (v) => !(typeof v === 'string' && prefixes.some((p) => v.startsWith(p)));
    }
    case 'suffix': {
      const suffixes = strings(false);
      return (v) => !(typeof v === 'string' && suffixes.some((s) => v.endsWith(s)));
    }
    case 'equals-ignore-case': {
      const excluded = new Set(strings(true).map(foldCase));
      return (v) => !(typeof v === 'string' && excluded.has(foldCase(v)));
    }
    case 'wildcard': {
      const matchers = strings(true).map((w) => compileWildcard(w, at));
      return (v) => !(typeof v === 'string' && matchers.some((m) => m(v)));
    }
    default:
      return at(
        `anything-but: ${JSON.stringify(name)} cannot be used inside anything-but (expected prefix, suffix, equals-ignore-case or wildcard)`,
      );
  }
}

const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

/** `["=", x]`, one bound, or a lower bound followed by an upper bound. Only JSON numbers match. */
function compileNumeric(value: unknown, at: Reject): Test {
  const usage = '[">", 0, "<=", 5]';
  if (!Array.isArray(value))
    return at(`numeric: the value must be a list of comparisons, like ${usage}`);
  if (value.length === 0) return at(`numeric: the list is empty; write comparisons like ${usage}`);
  if (value.length > 4) {
    return at(`numeric: at most two comparisons, a lower and an upper bound, like ${usage}`);
  }
  const comparisons: Array<{ op: string; bound: number }> = [];
  for (let i = 0; i < value.length; i += 2) {
    const op = value[i];
    if (typeof op !== 'string' || !(op === '=' || LOWER_BOUNDS.has(op) || UPPER_BOUNDS.has(op))) {
      return at(`numeric: ${show(op)} is not a comparison (expected =, <, <=, > or >=)`);
    }
    const bound = value[i + 1];
    if (typeof bound !== 'number') return at(`numeric: "${op}" must be followed by a number`);
    if (!Number.isFinite(bound)) return at(`numeric: the number after "${op}" is too large`);
    comparisons.push({ op, bound });
  }
  const [first, second] = comparisons as [
    { op: string; bound: number },
    { op: string; bound: number }?,
  ];
  if (second === undefined) {
    const { op, bound } = first;
    if (op === '=') return (v) => v === bound;
    if (op === '>') return (v) => typeof v === 'number' && v > bound;
    if (op === '>=') return (v) => typeof v === 'number' && v >= bound;
    if (op === '<') return (v) => typeof v === 'number' && v < bound;
    return (v) => typeof v === 'number' && v <= bound;
  }
  if (first.op === '=' || second.op === '=') {
    return at(`numeric: "=" cannot be combined with another comparison`);
  }
  if (!LOWER_BOUNDS.has(first.op) || !UPPER_BOUNDS.has(second.op)) {
    return at(
      `numeric: a range is a lower bound (> or >=) followed by an upper bound (< or <=), like ${usage}`,
    );
  }
  if (first.bound >= second.bound) {
    return at(
      `numeric: the range ${show(value)} is empty: the lower bound must be below the upper bound`,
    );
  }
  const low = first.bound;
  const high = second.bound;
  const lowOpen = first.op === '>';
  const highOpen = second.op === '<';
  return (v) =>
    typeof v === 'number' && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high);
}

// ---------------------------------------------------------------------------------------------
// cidr

/** IPv4 as a 32-bit number, IPv6 as a 128-bit bigint. */
function compileCidr(value: unknown, at: Reject): Test {
  if (typeof value !== 'string') {
    return at(`cidr: the value must be a string, like {"cidr": "10.0.0.0/24"}`);
  }
  const shown = JSON.stringify(value);
  const slash = value.indexOf('/');
  if (slash < 0) {
    return at(
      `cidr: ${shown} needs a prefix length after a slash, like "10.0.0.0/24"; to match one address, list it as a value`,
    );
  }
  const address = value.slice(0, slash);
  const bitsText = value.slice(slash + 1);
  const v4 = parseIPv4(address);
  const v6 = v4 === undefined ? parseIPv6(address) : undefined;
  if (v4 === undefined && v6 === undefined) {
    return at(`cidr: ${JSON.stringify(address)} in ${shown} is not an IPv4 or IPv6 address`);
  }
  // event-ruler accepts /0-/31 (IPv4) and /0-/127 (IPv6): a single address is matched by value.
  const maxBits = v4 !== undefined ? 31 : 127;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > maxBits) {
    return at(
      `cidr: the prefix length in ${shown} must be a whole number from 0 to ${maxBits} for ${v4 !== undefined ? 'IPv4' : 'IPv6'}; to match one address, list it as a value, like [${JSON.stringify(address)}]`,
    );
  }
  const bits = Number(bitsText);
  if (v4 !== undefined) {
    const size = 2 ** (32 - bits);
    const low = v4 - (v4 % size);
    const high = low + size - 1;
    return (v) => {
      if (typeof v !== 'string') return false;
      const ip = parseIPv4(v);
      return ip !== undefined && ip >= low && ip <= high;
    };
  }
  const hostBits = BigInt(128 - bits);
  const low = ((v6 as bigint) >> hostBits) << hostBits;
  const high = low + (1n << hostBits) - 1n;
  return (v) => {
    if (typeof v !== 'string') return false;
    const ip = parseIPv6(v);
    return ip !== undefined && ip >= low && ip <= high;
  };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIPv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let result = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    result = result * 256 + octet;
  }
  return result;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIPv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  let head = text;
  const tail: number[] = [];
  if (text.includes('.')) {
    // An embedded IPv4 address in the last 32 bits, as in ::ffff:10.0.0.1.
    const cut = text.lastIndexOf(':');
    const v4 = cut < 0 ? undefined : parseIPv4(text.slice(cut + 1));
    if (v4 === undefined) return undefined;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    head = text.slice(0, cut + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!HEX_GROUP.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  const wanted = 8 - tail.length;
  let all: number[];
  if (halves.length === 1) {
    if (left.length !== wanted) return undefined;
    all = left;
  } else {
    const missing = wanted - left.length - right.length;
    if (missing < 1) return undefined;
    all = [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  let result = 0n;
  for (const g of [...all, ...tail]) result = (result << 16n) | BigInt(g);
  return result;
}

// ---------------------------------------------------------------------------------------------
// wildcard

/**
 * Compiles a wildcard to its literal pieces between the `*`s and matches them left to right with
 * indexOf: linear-ish time, no RegExp backtracking to exploit with a long event value.
 */
function compileWildcard(text: string, at: Reject): (value: string) => boolean {
  const pieces: string[] = [];
  let current = '';
  let starBefore = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') {
        const sequence = next === undefined ? 'a lone \\ at the end' : `\\${next}`;
        at(
          `wildcard: ${JSON.stringify(text)} has ${sequence}; only \\* (a literal *) and \\\\ (a literal \\) may be escaped`,
        );
      }
      current += next;
      i++;
      starBefore = false;
    } else if (c === '*') {
      if (starBefore) at(`wildcard: ${JSON.stringify(text)} has two consecutive *`);
      pieces.push(current);
      current = '';
      starBefore = true;
    } else {
      current += c;
      starBefore = false;
    }
  }
  pieces.push(current);
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return (value) => value === first;
  const last = pieces[pieces.length - 1] ?? '';
  const middle = pieces.slice(1, -1);
  const fixed = first.length + last.length;
  return (value) => {
    if (value.length < fixed || !value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let from = first.length;
    for (const piece of middle) {
      const found = value.indexOf(piece, from);
      if (found < 0 || found + piece.length > end) return false;
      from = found + piece.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// $or combinations

const COMBINATION_CAP = 1_000_000;

/** How many plain patterns the `$or`s expand to (capped, so the arithmetic stays exact). */
function countCombinations(node: ObjectNode): number {
  let total = 1;
  for (const [, child] of node.fields) {
    if (child.kind === 'object')
      total = Math.min(total * countCombinations(child), COMBINATION_CAP);
  }
  for (const alternatives of node.anyOf) {
    let sum = 0;
    for (const alternative of alternatives) sum += countCombinations(alternative);
    total = Math.min(total * sum, COMBINATION_CAP);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Matching

function matchFields(node: ObjectNode, object: Record<string, unknown> | undefined): boolean {
  for (const [key, child] of node.fields) {
    const value = object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
    const ok = child.kind === 'leaf' ? matchLeaf(child, value) : matchNested(child, value);
    if (!ok) return false;
  }
  for (const alternatives of node.anyOf) {
    if (!alternatives.some((alternative) => matchFields(alternative, object))) return false;
  }
  return true;
}

/**
 * A nested pattern against the event value at the same place. For an array of objects, one
 * element must match the whole nested pattern (event-ruler's array-consistent matching); where
 * there is no object at all, only exists:false conditions can hold.
 */
function matchNested(node: ObjectNode, value: unknown): boolean {
  if (isRecord(value)) return matchFields(node, value);
  if (Array.isArray(value)) {
    const { objects } = flatten(value);
    if (objects.length > 0) return objects.some((object) => matchFields(node, object));
  }
  return matchFields(node, undefined);
}

function matchLeaf(node: LeafNode, value: unknown): boolean {
  if (isScalar(value)) return node.existsTrue || testScalar(node, value);
  if (Array.isArray(value)) {
    const { leaves } = flatten(value);
    if (leaves.length > 0) {
      return node.existsTrue || leaves.some((leaf) => testScalar(node, leaf));
    }
  }
  // Missing, an object (not a leaf), an array with no leaf values, or not JSON at all.
  return node.existsFalse;
}

function testScalar(node: LeafNode, value: Scalar): boolean {
  switch (typeof value) {
    case 'string':
      if (node.strings.has(value)) return true;
      break;
    case 'number':
      // JSON numbers compare by value: 300 and 300.0 are the same number.
      if (node.numbers.has(value)) return true;
      break;
    case 'boolean':
      if (value ? node.allowTrue : node.allowFalse) return true;
      break;
    default:
      if (node.allowNull) return true;
  }
  for (const test of node.tests) if (test(value)) return true;
  return false;
}

/** The leaf values and objects inside an event array, nested arrays flattened, cycles ignored. */
function flatten(array: readonly unknown[]): {
  leaves: Scalar[];
  objects: Array<Record<string, unknown>>;
} {
  const leaves: Scalar[] = [];
  const objects: Array<Record<string, unknown>> = [];
  const pending: Array<readonly unknown[]> = [array];
  const seen = new Set<readonly unknown[]>([array]);
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    for (const item of current) {
      if (isScalar(item)) leaves.push(item);
      else if (Array.isArray(item)) {
        if (!seen.has(item)) {
          seen.add(item);
          pending.push(item);
        }
      } else if (isRecord(item)) objects.push(item);
    }
  }
  return { leaves, objects };
}

// ---------------------------------------------------------------------------------------------
// TestEventPattern's event check

function readTestEvent(
  text: unknown,
): { ok: true; event: Record<string, unknown> } | { ok: false; message: string } {
  if (typeof text !== 'string') return { ok: false, message: 'the event must be JSON text' };
  if (text.trim() === '') return { ok: false, message: 'the event is empty' };
  const json = readJson(text);
  if (!json.ok) return { ok: false, message: `the event is not valid JSON: ${json.problem}` };
  if (!isRecord(json.value)) {
    return {
      ok: false,
      message: `the event must be a JSON object, not ${describeJsonType(json.value)}`,
    };
  }
  const event = json.value;
  const missing = REQUIRED_TEST_EVENT_FIELDS.filter((field) => !Object.hasOwn(event, field));
  if (missing.length > 0) {
    return {
      ok: false,
      message: `the event is missing ${missing.join(', ')} (TestEventPattern requires ${REQUIRED_TEST_EVENT_FIELDS.join(', ')})`,
    };
  }
  return { ok: true, event };
}

// ---------------------------------------------------------------------------------------------
// JSON text

/**
 * JSON.parse, plus a position for the person who typed the text when it fails: Node 20's
 * messages often carry none ("Unexpected token '}', … is not valid JSON").
 */
function readJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const found = locateJsonError(text);
    if (found === undefined) {
      return { ok: false, problem: error instanceof Error ? error.message : String(error) };
    }
    const before = text.slice(0, found.position);
    const line = before.split('\n').length;
    const column = found.position - before.lastIndexOf('\n');
    const near =
      found.position < text.length
        ? `, near ${JSON.stringify(text.slice(found.position, found.position + 20))}`
        : '';
    return { ok: false, problem: `${found.problem} at line ${line}, column ${column}${near}` };
  }
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_LITERALS = ['true', 'false', 'null'];

/** Finds the first syntax error in JSON text, iteratively (event text can nest deeply). */
function locateJsonError(text: string): { position: number; problem: string } | undefined {
  const n = text.length;
  let i = 0;
  const closers: string[] = [];
  let mode: 'value' | 'key' | 'after' = 'value';
  const skipSpace = () => {
    while (i < n && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  /** Scans the string starting at text[i] === '"'; returns a problem, or undefined. */
  const scanString = (): { position: number; problem: string } | undefined => {
    const start = i;
    i++;
    while (i < n) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return { position: i, problem: 'an invalid escape sequence in a string' };
        continue;
      }
      if (c < ' ') {
        return { position: i, problem: 'a control character (such as a line break) in a string' };
      }
      i++;
    }
    return { position: start, problem: 'a string that is never closed' };
  };
  for (;;) {
    skipSpace();
    if (mode === 'after') {
      const closer = closers[closers.length - 1];
      if (closer === undefined) {
        return i < n ? { position: i, problem: 'unexpected text after the JSON value' } : undefined;
      }
      const c = text[i];
      if (c === ',') {
        i++;
        mode = closer === '}' ? 'key' : 'value';
      } else if (c === closer) {
        closers.pop();
        i++;
      } else {
        return {
          position: i,
          problem:
            i >= n ? `the text ends before the closing ${closer}` : `expected , or ${closer}`,
        };
      }
      continue;
    }
    if (mode === 'key') {
      if (text[i] !== '"') {
        return { position: i, problem: 'expected a property name in double quotes' };
      }
      const bad = scanString();
      if (bad) return bad;
      skipSpace();
      if (text[i] !== ':') return { position: i, problem: 'expected : after the property name' };
      i++;
      mode = 'value';
      continue;
    }
    const c = text[i];
    if (c === '{' || c === '[') {
      const closer = c === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === closer) {
        i++;
        mode = 'after';
      } else {
        closers.push(closer);
        mode = c === '{' ? 'key' : 'value';
      }
      continue;
    }
    if (c === '"') {
      const bad = scanString();
      if (bad) return bad;
      mode = 'after';
      continue;
    }
    const literal = JSON_LITERALS.find((word) => text.startsWith(word, i));
    JSON_NUMBER.lastIndex = i;
    const number = literal === undefined ? JSON_NUMBER.exec(text) : null;
    if (literal !== undefined || number !== null) {
      i += literal?.length ?? number?.[0].length ?? 0;
      mode = 'after';
      continue;
    }
    return {
      position: i,
      problem:
        i >= n
          ? 'the text ends where a value was expected'
          : 'expected a value (a string, number, object, array, true, false or null)',
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

/** equals-ignore-case compares the Unicode lower case of both sides. */
function foldCase(text: string): string {
  return text.toLowerCase();
}

function joinPath(parent: string, key: string): string {
  const segment = /^[A-Za-z0-9_$-]+$/.test(key) ? key : undefined;
  if (segment === undefined) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? segment : `${parent}.${segment}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${show(value)})`;
  return `${typeof value === 'object' ? 'an object' : `a ${typeof value}`} (${show(value)})`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
