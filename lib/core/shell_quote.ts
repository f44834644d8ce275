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

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one word for a POSIX shell.
 *
 * @param word Any string, including empty, unicode, quotes, `$` or newlines.
 * @returns The word, bare when safe, else single-quoted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteWord } from "./shell_quote.ts";
 * assert.equal(quoteWord("--rm"), "--rm");
 * assert.equal(quoteWord("it's $HOME"), `'it'\\''s $HOME'`);
 * assert.equal(quoteWord(""), "''");
 * ```
 */
export function quoteWord(word: string): string {
  return SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
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
