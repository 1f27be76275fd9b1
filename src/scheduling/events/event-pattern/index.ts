import { compileRoot, fail, PATTERN_EXAMPLE, PatternFailure, patternText } from './compile.js';
import { readJson } from './json.js';
import { matchFields } from './match.js';
import { deepFreeze, describeJsonType, isRecord, type ObjectNode } from './nodes.js';

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
