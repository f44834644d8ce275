/**
 * Shell quoting for `--dry-run`: one line that bash (or any POSIX shell)
 * reads back as the same argv.
 *
 * A word made only of characters no shell treats specially stays bare;
 * anything else goes in single quotes, where nothing is special, and a `'`
 * inside becomes `'\''`. Written here rather than taken from a library
 * because the popular one (`shell-quote`) uses double quotes for some words,
 * where bash's interactive history expansion still acts on `!`.
 *
 * Pure module: no I/O.
 *
 * @module
 */

import { NON_PRINTABLE } from "./printable.ts";

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one word for a POSIX shell.
 *
 * @param word Any string, including empty, unicode, quotes, `$` or newlines.
 * @returns The word, bare when safe, else single-quoted, each control character other than a
 *   line break or tab as `'"$(printf '\ooo…')"'` (so the line shows what it runs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteWord } from "./shell_quote.ts";
 * assert.equal(quoteWord("--rm"), "--rm");
 * assert.equal(quoteWord("it's $HOME"), `'it'\\''s $HOME'`);
 * assert.equal(quoteWord(""), "''");
 * assert.equal(quoteWord("a\u001bb"), `'a'"$(printf '\\033')"'b'`);
 * ```
 */
export function quoteWord(word: string): string {
  if (SAFE.test(word)) return word;
  // A control character (an escape sequence, `\r`, a bidi override) would redraw the line on
  // the terminal, and a copy of what is shown would then run something else: it is written as
  // `$(printf '\ooo')` of its UTF-8 bytes (POSIX; `$'…'` is not in every sh). A line break and
  // a tab show as what they are and stay (`$(…)` would drop a trailing line break).
  return `'${word.replaceAll("'", `'\\''`)}'`.replace(
    NON_PRINTABLE,
    (c) => c === "\n" || c === "\t" ? c : `'"$(printf '${octal(c)}')"'`,
  );
}

/** The UTF-8 bytes of a character as printf's `\ooo` escapes. */
function octal(c: string): string {
  return [...new TextEncoder().encode(c)].map((b) => `\\${b.toString(8).padStart(3, "0")}`)
    .join("");
}

/**
 * Quotes an argv as one command line.
 *
 * @param argv The words, program first.
 * @returns The words quoted and joined by single spaces.
 */
export function quoteCommand(argv: readonly string[]): string {
  return argv.map(quoteWord).join(" ");
}
