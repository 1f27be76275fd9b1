/**
 * Splits a command line the way people type it in Slack or a terminal: words separated by
 * spaces, but `cron(0 8 ? * MON-FRI *)`, a JSON pattern `{"source": ["aws.s3"]}` and quoted
 * values stay whole. Slack's curly quotes count as quotes.
 */
export type TokenizeResult = { ok: true; tokens: string[] } | { ok: false; message: string };

const OPEN_TO_CLOSE: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

export function tokenize(input: string): TokenizeResult {
  const text = input.replace(/[“”]/g, '"').replace(/[‘’]/g, "'");
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) break;
    let token = '';
    const stack: string[] = [];
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (stack.length === 0 && /\s/.test(ch)) break;
      if (ch === '"' || (ch === "'" && stack.length === 0)) {
        // A quoted run: inside JSON keep the quotes, around a plain value drop them.
        const end = findQuoteEnd(text, i);
        if (end === -1) return { ok: false, message: `a ${ch} quote is not closed` };
        token += stack.length > 0 ? text.slice(i, end + 1) : unquote(text.slice(i + 1, end), ch);
        i = end + 1;
        continue;
      }
      if (OPEN_TO_CLOSE[ch]) stack.push(OPEN_TO_CLOSE[ch] ?? '');
      else if (stack.length > 0 && ch === stack[stack.length - 1]) stack.pop();
      token += ch;
      i++;
    }
    if (stack.length > 0)
      return {
        ok: false,
        message: `"${token.slice(0, 40)}…" is missing a closing ${stack.reverse().join('')}`,
      };
    tokens.push(token);
  }
  return { ok: true, tokens };
}

function findQuoteEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

function unquote(value: string, quote: string): string {
  return value.replaceAll(`\\${quote}`, quote).replaceAll('\\\\', '\\');
}
