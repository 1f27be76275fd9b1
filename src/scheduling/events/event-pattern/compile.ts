import { compileCidr } from './cidr.js';
import type { PatternError } from './index.js';
import {
  describeJsonType,
  foldCase,
  isRecord,
  isScalar,
  joinPath,
  type LeafNode,
  type ObjectNode,
  show,
  type Test,
} from './nodes.js';
import { compileWildcard } from './wildcard.js';

/** Validation and compilation: JSON data to the tree the matcher walks, or the first problem. */

/** EventBridge rejects a pattern whose `$or` alternatives multiply out to more than this. */
const MAX_OR_COMBINATIONS = 1000;

const OPERATOR_LIST =
  'prefix, suffix, anything-but, numeric, cidr, exists, wildcard, equals-ignore-case';
const OPERATORS = new Set(OPERATOR_LIST.split(', '));
const OR_KEY = '$or';
export const PATTERN_EXAMPLE = '{"source": ["aws.sagemaker"]}';

export class PatternFailure extends Error {
  constructor(readonly detail: PatternError) {
    super(detail.message);
  }
}

/** Rejects the pattern. `where` starts the message; `path` (default `where`) is more precise. */
export function fail(where: string, problem: string, path: string = where): never {
  throw new PatternFailure({
    code: 'INVALID_EVENT_PATTERN',
    message: where === '' ? problem : `${where}: ${problem}`,
    ...(path === '' ? {} : { path }),
  });
}

export function patternText(input: unknown): string {
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

export function compileRoot(source: unknown): ObjectNode {
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

export type Reject = (problem: string) => never;

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
