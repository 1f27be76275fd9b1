import type { Reject } from './compile.js';

/**
 * Compiles a wildcard to its literal pieces between the `*`s and matches them left to right with
 * indexOf: linear-ish time, no RegExp backtracking to exploit with a long event value.
 */
export function compileWildcard(text: string, at: Reject): (value: string) => boolean {
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
