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
];

Deno.test("quoteCommand() output reads back as the same argv in bash", async () => {
  const line = quoteCommand(["printf", "%s\\0", ...words]);
  const output = await new Deno.Command("bash", { args: ["-c", line], stdout: "piped" }).output();
  assert.equal(output.code, 0);
  const got = new TextDecoder().decode(output.stdout).split("\0").slice(0, -1);
  assert.deepEqual(got, words);
});

Deno.test("quoteCommand() leaves plain words bare", () => {
  assert.equal(
    quoteCommand(["docker", "run", "--rm", "a/b:1", "--env", "K=v"]),
    "docker run --rm a/b:1 --env K=v",
  );
});
