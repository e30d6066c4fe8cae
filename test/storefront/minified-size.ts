/**
 * The size of `source` with comments and needless whitespace removed: what a minifier gives
 * before renaming variables. Good enough for our own loader (no template literals, no regex
 * containing spaces or slashes followed by `*`); the result is parsed to prove it is still valid
 * JavaScript.
 */
export function minifiedSize(source: string): number {
  const out: string[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '"' || ch === "'") {
      const end = stringEnd(source, i);
      out.push(source.slice(i, end));
      i = end;
    } else if (source.startsWith("/*", i)) {
      i = source.indexOf("*/", i + 2) + 2;
    } else if (source.startsWith("//", i)) {
      const eol = source.indexOf("\n", i);
      i = eol === -1 ? source.length : eol;
    } else if (/\s/.test(ch)) {
      while (i < source.length && /\s/.test(source[i]!)) i++;
      const prev = out.at(-1)?.at(-1) ?? "";
      const next = source[i] ?? "";
      // A space survives only between two identifier characters (`var s`, `return x`).
      if (/[\w$]/.test(prev) && /[\w$]/.test(next)) out.push(" ");
    } else {
      out.push(ch);
      i++;
    }
  }
  const minified = out.join("");
  new Function(minified); // throws SyntaxError if the stripping broke the code
  return Buffer.byteLength(minified);
}

function stringEnd(source: string, start: number): number {
  const quote = source[start];
  let i = start + 1;
  while (i < source.length && source[i] !== quote) i += source[i] === "\\" ? 2 : 1;
  return i + 1;
}
