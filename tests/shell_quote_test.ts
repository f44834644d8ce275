import assert from "node:assert/strict";
import { quoteCommand } from "../lib/core/shell_quote.ts";

const words = [
  "plain",
  "",
  "two words",
  "it's",
  "$HOME",
  "`id`",
  'a"b',
  "back\\slash",
  "new\nline",
  "ünïcødé 🐳",
  "!history",
  "*glob?",
  "~tilde",
  "semi;colon&amp|pipe",
  'type=bind,"source=/a,b",target=/c',
  // A project file's env value: what the line shows must be what a paste runs, so no escape
  // sequence, carriage return or bidi control reaches the terminal as it is.
  "a\u001b]0;title\u0007\u001b[2K\rb",
  "\u202eevil\u2028x\u0085\u007f\t",
  "'\u001b'",
];

Deno.test("quoteCommand() output reads back as the same argv in bash", async () => {
  const line = quoteCommand(["printf", "%s\\0", ...words]);
  const output = await new Deno.Command("bash", { args: ["-c", line], stdout: "piped" }).output();
  assert.equal(output.code, 0);
  const got = new TextDecoder().decode(output.stdout).split("\0").slice(0, -1);
  assert.deepEqual(got, words);
});

Deno.test("quoteCommand() output shows every control character as a printf escape", async () => {
  const line = quoteCommand(["printf", "%s\\0", ...words]);
  // Only a line break and a tab stay as they are (both visible as what they are).
  assert.equal(line.replace(/[\n\t]/g, "").match(/[\p{C}\p{Zl}\p{Zp}]/u), null, line);
  // POSIX sh reads it back too (printf octal escapes, no $'…').
  const output = await new Deno.Command("sh", { args: ["-c", line], stdout: "piped" }).output();
  assert.deepEqual(new TextDecoder().decode(output.stdout).split("\0").slice(0, -1), words);
});

Deno.test("quoteCommand() leaves plain words bare", () => {
  assert.equal(
    quoteCommand(["docker", "run", "--rm", "a/b:1", "--env", "K=v"]),
    "docker run --rm a/b:1 --env K=v",
  );
});
