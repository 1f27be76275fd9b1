/** The compiled form of a pattern, and small helpers every part of the matcher shares. */

export type Scalar = string | number | boolean | null;
export type Test = (value: Scalar) => boolean;

export interface ObjectNode {
  kind: 'object';
  fields: Array<readonly [string, PatternNode]>;
  /** Each entry is one `$or`: at least one of its alternatives must match the same object. */
  anyOf: ObjectNode[][];
}

export interface LeafNode {
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

export type PatternNode = ObjectNode | LeafNode;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isScalar(value: unknown): value is Scalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  );
}

/** equals-ignore-case compares the Unicode lower case of both sides. */
export function foldCase(text: string): string {
  return text.toLowerCase();
}

export function joinPath(parent: string, key: string): string {
  const segment = /^[A-Za-z0-9_$-]+$/.test(key) ? key : undefined;
  if (segment === undefined) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? segment : `${parent}.${segment}`;
}

export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${show(value)})`;
  return `${typeof value === 'object' ? 'an object' : `a ${typeof value}`} (${show(value)})`;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
