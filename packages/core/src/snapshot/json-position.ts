/**
 * Where JSON text first stops being valid JSON. V8's JSON.parse messages do not always carry a position
 * (and some quote a slice of the input), so a file that fails to parse is scanned again here to name the
 * line and column. Iterative: any nesting depth is fine.
 */
export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  reason: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /[0-9a-fA-F]{4}/y;

type Expect = 'value' | 'first-value' | 'key' | 'first-key' | 'colon' | 'after';

export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const n = text.length;
  let i = 0;
  // true for an object, false for an array
  const stack: boolean[] = [];
  let expect: Expect = 'value';

  const fail = (offset: number, reason: string): JsonSyntaxError => {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < offset && k < n; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
    return { offset, line, column: offset - lineStart + 1, reason };
  };
  const describe = (offset: number) =>
    offset >= n ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[offset])}`;
  /** Scans a string starting at the opening quote; returns the offset after it or an error. */
  const scanString = (start: number): number | JsonSyntaxError => {
    let k = start + 1;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === 34) return k + 1;
      if (c < 0x20) return fail(k, 'control character in string');
      if (c === 92) {
        const next = text[k + 1];
        if (next === 'u') {
          HEX4.lastIndex = k + 2;
          if (!HEX4.test(text)) return fail(k, 'bad \\u escape');
          k += 6;
          continue;
        }
        if (next === undefined || !ESCAPES.has(next)) return fail(k, 'bad escape in string');
        k += 2;
        continue;
      }
      k++;
    }
    return fail(n, 'unterminated string');
  };

  for (;;) {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
    const ch = text[i];
    switch (expect) {
      case 'value':
      case 'first-value': {
        if (expect === 'first-value' && ch === ']') {
          stack.pop();
          i++;
          expect = 'after';
          break;
        }
        if (ch === '{') {
          stack.push(true);
          i++;
          expect = 'first-key';
        } else if (ch === '[') {
          stack.push(false);
          i++;
          expect = 'first-value';
        } else if (ch === '"') {
          const end = scanString(i);
          if (typeof end !== 'number') return end;
          i = end;
          expect = 'after';
        } else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
          NUMBER.lastIndex = i;
          if (!NUMBER.test(text)) return fail(i, 'bad number');
          i = NUMBER.lastIndex;
          expect = 'after';
        } else {
          const literal = LITERALS.find((word) => text.startsWith(word, i));
          if (!literal) return fail(i, describe(i));
          i += literal.length;
          expect = 'after';
        }
        break;
      }
      case 'key':
      case 'first-key': {
        if (expect === 'first-key' && ch === '}') {
          stack.pop();
          i++;
          expect = 'after';
          break;
        }
        if (ch !== '"') return fail(i, `${describe(i)}, expected a double-quoted property name`);
        const end = scanString(i);
        if (typeof end !== 'number') return end;
        i = end;
        expect = 'colon';
        break;
      }
      case 'colon':
        if (ch !== ':') return fail(i, `${describe(i)}, expected ':'`);
        i++;
        expect = 'value';
        break;
      case 'after': {
        if (stack.length === 0) return i >= n ? null : fail(i, `${describe(i)} after the end of the value`);
        const inObject = stack[stack.length - 1];
        if (ch === ',') {
          i++;
          expect = inObject ? 'key' : 'value';
        } else if (ch === (inObject ? '}' : ']')) {
          stack.pop();
          i++;
        } else {
          return fail(i, `${describe(i)}, expected ',' or '${inObject ? '}' : ']'}'`);
        }
        break;
      }
    }
  }
}
