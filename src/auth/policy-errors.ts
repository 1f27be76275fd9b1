import { type Document, isMap, isNode, isScalar, isSeq } from 'yaml';

/**
 * How a mistake in the policy file is reported: the line it is on, the key path as people read
 * the YAML, what was expected and what was found, and the name that was probably meant.
 */

/** A key in a path into the file: a mapping key or a list index. */
export type PathKey = PropertyKey;

/** A mistake found in the file: where (a key path) and what. */
export interface Problem {
  path: PathKey[];
  message: string;
  /** Point at the key itself (unknown or misnamed keys), not its value. */
  atKey?: boolean;
  /** What to show as "got": by default the value at `path`; null shows nothing. */
  got?: unknown;
}

/** The line of the deepest part of `path` the document has; for a mapping entry, its key's line. */
export function lineAt(
  doc: Document,
  path: PathKey[],
  atKey: boolean,
  lineOfOffset: (offset: number) => number,
): number | undefined {
  const lineOf = (node: unknown) =>
    isNode(node) && node.range ? lineOfOffset(node.range[0]) : undefined;
  for (let n = path.length; n >= 0; n--) {
    if (n === 0) return lineOf(doc.contents);
    const parent: unknown = doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find(
        (item) => String(isScalar(item.key) ? item.key.value : item.key) === String(last),
      );
      // A value that is a block mapping starts on the line after its key; point at the key.
      const line = pair ? (lineOf(pair.key) ?? lineOf(pair.value)) : undefined;
      if (line !== undefined) return line;
    } else if (isSeq(parent) && typeof last === 'number' && !atKey) {
      const line = lineOf(parent.items[last]);
      if (line !== undefined) return line;
    }
  }
  return undefined;
}

export function formatProblem(
  source: string,
  line: number | undefined,
  problem: Problem,
  data: unknown,
): string {
  const where = `${source}${line !== undefined ? `:${line}` : ''}`;
  const path = formatPath(problem.path);
  const value = problem.got !== undefined ? problem.got : valueAt(data, problem.path);
  let message = problem.message;
  if (message.startsWith('expected')) {
    if (value === undefined && problem.path.length > 0) message = `missing, ${message}`;
    else message += ` (got ${describe(value)})`;
  } else if (problem.got !== undefined && problem.got !== null) {
    message += ` (got ${describe(problem.got)})`;
  }
  return path ? `${where} ${path}: ${message}` : `${where}: ${message}`;
}

/** `pipelines[0].approval.count`, the way people read the YAML. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(key))) out += `${out ? '.' : ''}${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(data: unknown, path: PathKey[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  return String(value);
}
