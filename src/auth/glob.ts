/**
 * Globs on SageMaker pipeline names: `*` is any run of characters, `?` exactly one, and the
 * match is case-insensitive and covers the whole name.
 */

/** What a `match:` may contain: pipeline-name characters plus the two wildcards. */
export const GLOB_PATTERN = /^[A-Za-z0-9*?-]{1,256}$/;

/**
 * True when `pattern` matches all of `name`. A two-pointer walk rather than a RegExp, so a
 * pattern such as `*a*a*a*b` cannot backtrack exponentially on a long name.
 */
export function globMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  let pi = 0;
  let ni = 0;
  let star = -1;
  let resume = 0;
  while (ni < n.length) {
    const c = p[pi];
    if (c === '?' || (c !== undefined && c !== '*' && c === n[ni])) {
      pi++;
      ni++;
    } else if (c === '*') {
      star = pi++;
      resume = ni;
    } else if (star !== -1) {
      // Let the last star swallow one more character and try again from there.
      pi = star + 1;
      ni = ++resume;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

/** True for `*`, `**`, …: patterns that match every pipeline name. */
export function matchesEverything(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}
