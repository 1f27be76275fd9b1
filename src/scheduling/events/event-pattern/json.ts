/**
 * JSON.parse, plus a position for the person who typed the text when it fails: Node 20's
 * messages often carry none ("Unexpected token '}', … is not valid JSON").
 */
export function readJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; problem: string } {
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
