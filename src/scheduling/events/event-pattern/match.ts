import { isRecord, isScalar, type LeafNode, type ObjectNode, type Scalar } from './nodes.js';

/** Matching an event against the compiled tree, as EventBridge decides it. */

export function matchFields(
  node: ObjectNode,
  object: Record<string, unknown> | undefined,
): boolean {
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
