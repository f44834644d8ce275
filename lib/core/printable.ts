/**
 * Text that is safe to print: no control characters or other
 * non-printables (C0, DEL, C1 such as U+0085, bidi controls, line and
 * paragraph separators, unassigned and private-use code points, lone
 * surrogates), so a value from a file or a server cannot move the cursor,
 * recolour the terminal, reorder a line or break it in two.
 *
 * Pure module: no I/O.
 *
 * @module
 */

/** Every code point that must not reach a terminal or a log as it is (a global regex). */
export const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/gu;

/**
 * Removes every non-printable character: for text from a server, whose
 * exact bytes matter less than that nothing hides in it.
 *
 * @param text Any text.
 * @returns The text without non-printables.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripControls } from "./printable.ts";
 * assert.equal(stripControls("a\u0085b\u001b[31mc\u202ed"), "ab[31mcd");
 * ```
 */
export function stripControls(text: string): string {
  return text.replace(NON_PRINTABLE, "");
}

/**
 * Replaces every non-printable character with its `\uXXXX` escape: for
 * text the user wrote (a configuration value), who needs to see what is
 * there.
 *
 * @param text Any text.
 * @returns The text with each non-printable as `\uXXXX` (`\u{XXXXX}` above U+FFFF).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeControls } from "./printable.ts";
 * assert.equal(escapeControls('key "a\u0085b"'), 'key "a\\u0085b"');
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(NON_PRINTABLE, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * {@link escapeControls} on each line of a whole output whose line breaks are its structure
 * (indented JSON, `#` comment lines): every other non-printable becomes `\uXXXX` (in a JSON
 * string, the same value).
 *
 * @param text Lines joined by `\n`.
 * @returns The text with its `\n` kept and every other non-printable escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeLines } from "./printable.ts";
 * assert.equal(escapeLines('{\n  "a": "\u202e"\n}'), '{\n  "a": "\\u202e"\n}');
 * ```
 */
export function escapeLines(text: string): string {
  return text.split("\n").map(escapeControls).join("\n");
}

/**
 * Cuts text to at most `max` characters (code points), marking the cut with `…`.
 *
 * @param text Any text.
 * @param max Longest result in code points, `…` included; at least 1.
 * @returns The text, or its first `max - 1` code points and `…`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capLength } from "./printable.ts";
 * assert.equal(capLength("abcdef", 4), "abc…");
 * assert.equal(capLength("abc", 4), "abc");
 * ```
 */
export function capLength(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}
